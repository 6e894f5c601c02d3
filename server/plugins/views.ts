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
     * Renders a page that depends on nothing but `data` and the reader's language (no signed-in user, no
     * path, no CSRF token) once per distinct data, and sends the same bytes after that.
     */
    renderShared(template: string, data: Record<string, unknown>, statusCode?: number): Promise<FastifyReply>;
  }
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
 * Pages rendered by `renderShared`, by template and data. A wave's respondents who open the form for the
 * first time see the same page (their KAM's name and the wave's texts aside), so most openings are a lookup.
 */
const sharedPages = new LRUCache<string, Buffer>({
  maxSize: 64 * 1024 * 1024,
  sizeCalculation: (page, key) => page.length + 2 * key.length,
});

/**
 * `{{#shared "name" value}}…{{/shared}}`: the block rendered once per distinct name, language and value, then
 * reused. The block must read nothing but `value` and the language. The respondent form has one per
 * criterion: its respondents give the same few ratings, so most of the form is lookups.
 */
const sharedBlocks = new LRUCache<string, Handlebars.SafeString>({
  maxSize: 32 * 1024 * 1024,
  sizeCalculation: (html, key) => 2 * (html.toHTML().length + key.length),
});
handlebars.registerHelper(
  'shared',
  function (this: unknown, name: string, value: unknown, options: Handlebars.HelperOptions) {
    const key = `${name}\n${options.data.root.lang}\n${JSON.stringify(value)}`;
    let html = sharedBlocks.get(key);
    if (!html) {
      html = new handlebars.SafeString(options.fn(value));
      sharedBlocks.set(key, html);
    }
    return html;
  },
);

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
      data: Record<string, unknown>,
      statusCode = 200,
    ): Promise<FastifyReply> {
      // The context is the cache key: nothing outside it can reach the page.
      const context = { lang: this.request.lang, ...data, noSession: true };
      const key = `${template}\n${JSON.stringify(context)}`;
      this.code(statusCode).type('text/html; charset=utf-8');
      const page = sharedPages.get(key);
      if (page) return Promise.resolve(page).then((bytes) => this.send(bytes));
      return send(this, template, context, (bytes) => {
        sharedPages.set(key, bytes);
      });
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
    keep?: (page: Buffer) => void,
  ): Promise<FastifyReply> {
    return reply.viewAsync(template, context).then(
      (html) => {
        const page = Buffer.from(html);
        keep?.(page);
        return reply.send(page);
      },
      (error: unknown) => reply.send(error),
    );
  }
}

export default fp(viewsPlugin, { name: 'views', dependencies: ['sessions'] });
