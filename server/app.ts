import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyMultipart from '@fastify/multipart';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from './config.js';
import accountsRoutes from './features/accounts/accounts.routes.js';
import actionsRoutes from './features/actions/actions.routes.js';
import apiKeysRoutes from './features/api-keys/api-keys.routes.js';
import accountLinksRoutes from './features/auth/account-links.routes.js';
import authRoutes from './features/auth/auth.routes.js';
import criteriaRoutes from './features/criteria/criteria.routes.js';
import emailRoutes from './features/email/email.routes.js';
import healthRoutes from './features/health/health.routes.js';
import helpRoutes from './features/help/help.routes.js';
import organizationRoutes from './features/organization/organization.routes.js';
import auditPlugin from './features/privacy/audit.plugin.js';
import privacyRoutes from './features/privacy/privacy.routes.js';
import reportRoutes from './features/reports/report.routes.js';
import respondentRoutes from './features/respondent/respondent.routes.js';
import surveysRoutes from './features/surveys/surveys.routes.js';
import usersRoutes from './features/users/users.routes.js';
import { AccessLog, loggerOptions } from './logger.js';
import { staticDir } from './paths.js';
import authPlugin from './plugins/auth.js';
import dbPlugin from './plugins/db.js';
import errorsPlugin, { notFound } from './plugins/errors.js';
import mailPlugin from './plugins/mail.js';
import rateLimitsPlugin from './plugins/rate-limits.js';
import sessionsPlugin from './plugins/sessions.js';
import viewsPlugin from './plugins/views.js';

declare module 'fastify' {
  interface FastifyInstance {
    config: Config;
  }
}

export interface BuildOptions {
  /** Overrides the logger (tests pass false). */
  logger?: boolean;
  /** Pretty logs: only when a person watches a terminal. */
  pretty?: boolean;
  /** Where log lines go (tests capture them). */
  logStream?: { write(line: string): void };
}

/** The table of contents: ecosystem plugins, our plugins, features — in that order. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<FastifyInstance> {
  if (!config.databaseUrl)
    throw new Error('buildApp needs config.databaseUrl (main.ts starts the embedded database)');
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            ...loggerOptions(config.logLevel, options.pretty ?? false),
            ...(options.logStream ? { stream: options.logStream } : {}),
          },
    // Client addresses (rate limits, logs) come from the socket unless a proxy is trusted explicitly.
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (
            (hops: number) => (_address: string, hop: number) =>
              hop < hops
          )(config.trustProxy)
        : config.trustProxy,
    bodyLimit: 2 * 1024 * 1024,
    routerOptions: { ignoreTrailingSlash: true },
    logController: new AccessLog(),
  });

  app.decorate('config', config);

  // Ecosystem plugins
  const https = config.publicUrl.startsWith('https://');
  // Every header the product promises is set here explicitly, even where helmet's default matches.
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'font-src': ["'self'"],
        'connect-src': ["'self'"],
        'form-action': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'none'"],
        ...(https ? { 'upgrade-insecure-requests': [] } : {}),
      },
    },
    strictTransportSecurity: https ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    xFrameOptions: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
  });
  await app.register(fastifyFormbody, { bodyLimit: 2 * 1024 * 1024 });
  // Uploads (the CSV import) arrive as plain body fields; the file as a Buffer of at most 2 MB.
  await app.register(fastifyMultipart, {
    attachFieldsToBody: 'keyValues',
    limits: { fileSize: 2 * 1024 * 1024, files: 1, fields: 20 },
  });
  await app.register(fastifyStatic, { root: staticDir, prefix: '/static/', maxAge: '1h' });

  // Cookies: the reader's language everywhere; sessions and CSRF below.
  await app.register(fastifyCookie, { secret: config.sessionSecret });

  // Our plugins: one per shared resource
  await app.register(dbPlugin, { connectionString: config.databaseUrl });
  await app.register(rateLimitsPlugin, config.rateLimits);
  await app.register(mailPlugin);
  await app.register(viewsPlugin, { production: config.nodeEnv === 'production' });
  await app.register(errorsPlugin);

  // Respondent links: the token in the path is the credential. No session, sign-in or CSRF check runs for
  // them: they are most of the product's traffic, from people who never sign in.
  await app.register(respondentRoutes);

  // Everything a signed-in person or an API key uses.
  await app.register(async (staff) => {
    await staff.register(sessionsPlugin, {
      secret: config.sessionSecret,
      secure: config.publicUrl.startsWith('https://'),
    });
    await staff.register(authPlugin);
    // Before the features: the routes it records declare it in their config (`audit`).
    await staff.register(auditPlugin);
    // An address no route matches gets its page here, with the reader's session (their menu stays).
    staff.setNotFoundHandler(notFound);

    await staff.register(healthRoutes);
    await staff.register(authRoutes);
    await staff.register(accountLinksRoutes);
    await staff.register(usersRoutes);
    await staff.register(organizationRoutes);
    await staff.register(apiKeysRoutes);
    await staff.register(surveysRoutes);
    await staff.register(accountsRoutes);
    await staff.register(criteriaRoutes);
    await staff.register(reportRoutes);
    await staff.register(actionsRoutes);
    await staff.register(emailRoutes);
    await staff.register(privacyRoutes);
    await staff.register(helpRoutes);
  });

  return app;
}
