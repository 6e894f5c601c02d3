import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fastifyView from '@fastify/view';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import Handlebars from 'handlebars';
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
    render(template: string, data?: Record<string, unknown>, statusCode?: number): FastifyReply;
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
const RATING_SCALE_CACHE_LIMIT = 20_000;
const ratingScales = new Map<string, Handlebars.SafeString>();
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
      if (ratingScales.size >= RATING_SCALE_CACHE_LIMIT) ratingScales.clear();
      ratingScales.set(key, html);
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
      return this.view(template, context);
    },
  );
}

export default fp(viewsPlugin, { name: 'views', dependencies: ['sessions'] });
