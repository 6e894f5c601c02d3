import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
import { LRUCache } from 'lru-cache';
import { formatNumber, isLang, type Lang, localizeError, translate } from '../lib/i18n.js';
import { viewsDir } from '../paths.js';
import { csrfUserInfo } from './sessions.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The reader's language: ?lang= (remembered in a cookie), else the cookie, else Norwegian. */
    lang: Lang;
    /** True when the reader chose the language (query or cookie), false when it is the default. */
    langChosen: boolean;
  }
  interface FastifyReply {
    /** Renders views/<template>.hbs in the main layout with the common page data. */
    render(template: string, data?: Record<string, unknown>, statusCode?: number): Promise<FastifyReply>;
    /**
     * Renders a page that depends on nothing but `data()` and the reader's language (no signed-in user, no
     * path, no CSRF token), and sends its bytes with `blocks` in its `{{slot}}`s. With a `key`, the page is
     * rendered once per template, language and key, and in production `data` is only called to render it.
     */
    renderShared(
      template: string,
      data: () => Record<string, unknown>,
      options?: SharedOptions,
    ): Promise<FastifyReply>;
  }
}

export interface SharedOptions {
  statusCode?: number;
  blocks?: Record<string, readonly Buffer[]>;
  /**
   * Names everything `data()` returns, the language aside: equal keys must mean equal data. Absent, the page
   * is rendered for its reader alone (a form re-shown with what was typed). See `verifyKeys`.
   */
  key?: string;
}

/** Page data every template may use; features add theirs through `reply.render`. */
export interface PageContext {
  lang: Lang;
  csrfToken?: string;
  user?: unknown;
}

const handlebars = Handlebars.create();

handlebars.registerHelper('t', function (this: unknown, key: string, options: Handlebars.HelperOptions) {
  return translate(options.data.root.lang, key, options.hash);
});
handlebars.registerHelper('err', (message: unknown, options: Handlebars.HelperOptions) =>
  typeof message === 'string' ? localizeError(options.data.root.lang, message) : '',
);
handlebars.registerHelper('num', (value: unknown, options: Handlebars.HelperOptions) =>
  formatNumber(options.data.root.lang, typeof value === 'number' ? value : null, options.hash.digits ?? 2),
);
handlebars.registerHelper('concat', (...args: unknown[]) => args.slice(0, -1).join(''));
/** True for a non-empty object: `{{#if errors}}` is true even for `{}`. */
handlebars.registerHelper(
  'hasKeys',
  (value: unknown) => typeof value === 'object' && value !== null && Object.keys(value).length > 0,
);
handlebars.registerHelper('eq', (a: unknown, b: unknown) => a === b);
handlebars.registerHelper('or', (...args: unknown[]) => args.slice(0, -1).some(Boolean));
handlebars.registerHelper('and', (...args: unknown[]) => args.slice(0, -1).every(Boolean));
handlebars.registerHelper('not', (value: unknown) => !value);
handlebars.registerHelper('date', (value: unknown, options: Handlebars.HelperOptions) => {
  if (!(value instanceof Date)) return '';
  return value.toLocaleDateString(options.data.root.lang === 'en' ? 'en-GB' : 'nb-NO', {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
  });
});
/** JSON for a <script type="application/json"> element: nothing in it can close the element. */
handlebars.registerHelper(
  'json',
  (value: unknown) =>
    new handlebars.SafeString(
      JSON.stringify(value ?? null)
        .replace(/</g, '\\u003c')
        .replace(/>/g, '\\u003e')
        .replace(/&/g, '\\u0026')
        .replace(/\u2028/g, '\\u2028')
        .replace(/\u2029/g, '\\u2029'),
    ),
);

/**
 * A rating question's eleven radio buttons (1–10 and "don't know"), from partials/rating-scale.hbs. The
 * respondent form has one per criterion and dimension, and they are most of its markup; each distinct
 * (language, field, checked value) is rendered once per process and then reused.
 */
const RATING_VALUES = [...Array.from({ length: 10 }, (_, i) => String(i + 1)), 'dk'];
const ratingScales = new LRUCache<string, Handlebars.SafeString>({ max: 20_000 });
let ratingScaleTemplate: Handlebars.TemplateDelegate | undefined;
handlebars.registerHelper(
  'ratingScale',
  (name: string, current: unknown, options: Handlebars.HelperOptions) => {
    const lang: Lang = options.data.root.lang;
    const checked = typeof current === 'string' && RATING_VALUES.includes(current) ? current : '';
    const key = `${lang} ${name} ${checked}`;
    let html = ratingScales.get(key);
    if (!html) {
      ratingScaleTemplate ??= handlebars.compile(
        readFileSync(path.join(viewsDir, 'partials', 'rating-scale.hbs'), 'utf8'),
        { strict: true },
      );
      html = new handlebars.SafeString(
        ratingScaleTemplate({
          name,
          options: RATING_VALUES.map((value) => ({
            value,
            label: value === 'dk' ? translate(lang, 'respondent.dontKnow') : value,
            dontKnow: value === 'dk',
            checked: value === checked,
          })),
        }).trim(),
      );
      ratingScales.set(key, html);
    }
    return html;
  },
);

/**
 * `{{slot "name"}}` marks where a page rendered by `renderShared` takes blocks of bytes given with it. The
 * mark is unguessable, so no text on the page can pose as one.
 */
const SLOT_MARK = `\u0000${randomUUID()}\u0000`;
handlebars.registerHelper(
  'slot',
  (name: string) => new handlebars.SafeString(`${SLOT_MARK}${name}${SLOT_MARK}`),
);

/** A rendered page cut at its slots: the bytes around them, and the slots' names in order. */
interface Shell {
  parts: Buffer[];
  slots: string[];
}

function cut(html: string): Shell {
  const pieces = html.split(SLOT_MARK);
  return {
    parts: pieces.filter((_, i) => i % 2 === 0).map((piece) => Buffer.from(piece)),
    slots: pieces.filter((_, i) => i % 2 === 1),
  };
}

function fill(shell: Shell, blocks: Record<string, readonly Buffer[]>): Buffer {
  const chunks: Buffer[] = [shell.parts[0] as Buffer];
  shell.slots.forEach((name, i) => {
    const filling = blocks[name];
    if (!filling) throw new Error(`no blocks for the slot "${name}"`);
    chunks.push(...filling, shell.parts[i + 1] as Buffer);
  });
  return Buffer.concat(chunks);
}

/**
 * Whether a cache hit checks its key: the data a caller would have rendered must be the data the kept page
 * or block was rendered from, else the render throws. Turned on in the tests and in development, so that a key
 * which misses something the data depends on fails a test instead of showing one reader another's page;
 * in production a hit calls nothing and builds nothing.
 */
let verifyKeys = true;

/** Something rendered once under a key; `data` is what it was rendered from, kept only to verify keys. */
interface Kept<T> {
  rendered: T;
  data?: string;
}

function keptFor<T>(cache: LRUCache<string, Kept<T>>, key: string, data: () => object, what: string) {
  const kept = cache.get(key);
  if (kept && kept.data !== undefined && kept.data !== JSON.stringify(data())) {
    throw new Error(`${what}: the key ${JSON.stringify(key)} does not name all of its data`);
  }
  return kept;
}

/**
 * Pages rendered by `renderShared`, by template, language and key. A wave's respondents see the same page
 * around their answers (their KAM's name, the wave's texts and their progress aside), so most pages are a
 * lookup. Kept in development too (the tests must see what production serves): an edited template shows
 * here after a restart.
 */
const shells = new LRUCache<string, Kept<Shell>>({
  maxSize: 64 * 1024 * 1024,
  sizeCalculation: ({ rendered, data }, key) =>
    rendered.parts.reduce((sum, part) => sum + part.length, 2 * key.length + (data?.length ?? 0)),
});

/** Blocks rendered by `renderBlock`, by partial, language and key. */
const blocks = new LRUCache<string, Kept<Buffer>>({
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: ({ rendered, data }, key) => rendered.length + 2 * key.length + (data?.length ?? 0),
});
const blockTemplates = new Map<string, Handlebars.TemplateDelegate>();

/**
 * views/partials/<partial>.hbs rendered for `value()` in `lang`, as bytes for a slot. With a `key` (which
 * must name everything `value()` returns: equal keys, equal values), once per distinct key; without one,
 * every time (a value carrying what a reader typed). The respondent form's criteria are such blocks: its
 * respondents give the same few ratings, so most of the form is lookups (which in production build no value at all).
 */
export function renderBlock(
  partial: string,
  lang: Lang,
  key: string | undefined,
  value: () => object,
): Buffer {
  const cacheKey = key === undefined ? undefined : `${partial}\n${lang}\n${key}`;
  const kept = cacheKey === undefined ? undefined : keptFor(blocks, cacheKey, value, `block ${partial}`);
  if (kept) return kept.rendered;
  let template = blockTemplates.get(partial);
  if (!template) {
    template = handlebars.compile(readFileSync(path.join(viewsDir, 'partials', `${partial}.hbs`), 'utf8'));
    blockTemplates.set(partial, template);
  }
  const data = value();
  const block = Buffer.from(template(data, { data: { root: { lang } } }));
  if (cacheKey !== undefined) {
    blocks.set(cacheKey, { rendered: block, data: verifyKeys ? JSON.stringify(data) : undefined });
  }
  return block;
}

/** Text for a slot, escaped as `{{text}}` would be. */
export function textBlock(text: string): Buffer {
  return Buffer.from(handlebars.Utils.escapeExpression(text));
}

function partials(): Record<string, string> {
  const folder = path.join(viewsDir, 'partials');
  return Object.fromEntries(
    readdirSync(folder)
      .filter((file) => file.endsWith('.hbs'))
      .map((file) => [path.basename(file, '.hbs'), path.join('partials', file)]),
  );
}

/**
 * The reader's language from ?lang= (remembered in a cookie) or the cookie. Runs as an onRequest hook, and
 * again from the error handler when an earlier hook (the session lookup, say) failed before this one ran.
 */
export function chooseLanguage(request: FastifyRequest, reply: FastifyReply): void {
  const query = request.query as Record<string, unknown> | undefined;
  const fromQuery = query?.lang;
  const fromCookie = request.cookies?.lang;
  if (isLang(fromQuery)) {
    request.lang = fromQuery;
    request.langChosen = true;
    if (fromQuery !== fromCookie) {
      reply.setCookie('lang', fromQuery, { path: '/', sameSite: 'lax', maxAge: 365 * 24 * 3600 });
    }
  } else if (isLang(fromCookie)) {
    request.lang = fromCookie;
    request.langChosen = true;
  }
}

async function viewsPlugin(app: FastifyInstance, options: { production: boolean }) {
  verifyKeys = !options.production;
  await app.register(fastifyView, {
    engine: { handlebars },
    root: viewsDir,
    layout: 'layouts/main.hbs',
    viewExt: 'hbs',
    production: options.production,
    options: { partials: partials() },
  });

  app.decorateRequest('lang', 'nb');
  app.decorateRequest('langChosen', false);
  app.addHook('onRequest', async (request, reply) => chooseLanguage(request, reply));

  app.decorateReply(
    'render',
    function (this: FastifyReply, template: string, data: Record<string, unknown> = {}, statusCode = 200) {
      const request = this.request;
      const context: PageContext & Record<string, unknown> = {
        lang: request.lang,
        user: request.principal ?? undefined,
        path: request.url.split('?')[0],
        ...data,
      };
      if (typeof this.generateCsrf === 'function' && !data.noSession) {
        // Bound to the signed-in user, as sessions.ts verifies it.
        context.csrfToken = this.generateCsrf({ userInfo: csrfUserInfo(request) });
      }
      this.code(statusCode).type('text/html; charset=utf-8');
      return send(this, template, context);
    },
  );

  app.decorateReply(
    'renderShared',
    function (
      this: FastifyReply,
      template: string,
      data: () => Record<string, unknown>,
      options: SharedOptions = {},
    ): Promise<FastifyReply> {
      const { statusCode = 200, blocks: filling = {}, key } = options;
      const lang = this.request.lang;
      // Nothing but the data and the language reaches the page.
      const context = () => ({ lang, ...data(), noSession: true });
      const cacheKey = key === undefined ? undefined : `${template}\n${lang}\n${key}`;
      this.code(statusCode).type('text/html; charset=utf-8');
      // A key that does not name all of the page's data (verifyKeys) rejects, and is answered as an error.
      const shell = new Promise<Shell>((resolve) => {
        const kept =
          cacheKey === undefined ? undefined : keptFor(shells, cacheKey, context, `page ${template}`);
        if (kept) return resolve(kept.rendered);
        const page = context();
        resolve(
          this.viewAsync(template, page).then((html) => {
            const rendered = cut(html);
            if (cacheKey !== undefined) {
              shells.set(cacheKey, { rendered, data: verifyKeys ? JSON.stringify(page) : undefined });
            }
            return rendered;
          }),
        );
      });
      return shell.then(
        (rendered) => this.send(fill(rendered, filling)),
        (error: unknown) => this.send(error),
      );
    },
  );

  /**
   * Renders and sends a page as bytes: Fastify would otherwise measure the string for Content-Length and the
   * socket encode it again, two passes over every page.
   */
  function send(
    reply: FastifyReply,
    template: string,
    context: Record<string, unknown>,
  ): Promise<FastifyReply> {
    return reply.viewAsync(template, context).then(
      (html) => reply.send(Buffer.from(html)),
      (error: unknown) => reply.send(error),
    );
  }
}

export default fp(viewsPlugin, { name: 'views', dependencies: ['@fastify/cookie'] });
