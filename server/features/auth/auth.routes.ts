import type { FastifyInstance, FastifyRequest } from 'fastify';
import { sha256 } from '../../lib/crypto.js';
import { translate } from '../../lib/i18n.js';
import { verifyPassword } from '../../lib/passwords.js';
import { fieldErrors } from '../../lib/validation.js';
import { TooManyRequestsError } from '../../plugins/rate-limits.js';
import { findLoginByEmail, isUniqueViolation } from './auth.queries.js';
import { loginBody, safeNext, signupBody } from './auth.schemas.js';
import { createOrganization } from './organizations.service.js';

async function signIn(request: FastifyRequest, organizationId: string, userId: string) {
  // A new session id at every login: a session fixed before login is worth nothing after it.
  await request.session.regenerate();
  request.session.organizationId = organizationId;
  request.session.userId = userId;
}

export default async function authRoutes(app: FastifyInstance) {
  app.get('/', async (request, reply) => {
    if (request.principal) return reply.redirect('/surveys', 303);
    return reply.render('auth/welcome');
  });

  app.get('/signup', async (_request, reply) => reply.render('auth/signup', { values: {}, errors: {} }));

  app.post('/signup', async (request, reply) => {
    // Every attempt counts: sign-up creates an organisation, which nobody needs to do often from one address.
    await app.rateLimits.signupByAddress.assertAllowed(request.ip);
    await app.rateLimits.signupByAddress.recordFailure(request.ip);
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const values = { organization: raw.organization, name: raw.name, email: raw.email };
    const parsed = signupBody.safeParse(raw);
    if (!parsed.success) {
      return reply.render('auth/signup', { values, errors: fieldErrors(parsed.error) }, 400);
    }
    try {
      const { organizationId, userId } = await createOrganization(app.db, {
        organizationName: parsed.data.organization,
        name: parsed.data.name,
        email: parsed.data.email,
        password: parsed.data.password,
      });
      await signIn(request, organizationId, userId);
      return reply.redirect('/', 303);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      const errors = { email: translate(request.lang, 'signup.emailTaken') };
      return reply.render('auth/signup', { values, errors }, 400);
    }
  });

  app.get('/login', async (request, reply) => {
    const next = safeNext((request.query as { next?: unknown }).next);
    return reply.render('auth/login', { values: { next } });
  });

  app.post('/login', async (request, reply) => {
    const parsed = loginBody.safeParse(request.body ?? {});
    const email = parsed.success ? parsed.data.email.trim().toLowerCase() : '';
    const next = safeNext(parsed.success ? parsed.data.next : undefined);
    // Failed attempts are limited per address and per account; a refused attempt is not verified at all,
    // and looks the same whether or not the account exists.
    const limits = app.rateLimits;
    const accountKey = sha256(email).toString('hex');
    try {
      await limits.loginByAddress.assertAllowed(request.ip);
      await limits.loginByAccount.assertAllowed(accountKey);
    } catch (error) {
      if (!(error instanceof TooManyRequestsError)) throw error;
      reply.header('retry-after', String(error.retryAfterSeconds));
      const minutes = Math.ceil(error.retryAfterSeconds / 60);
      return reply.render('auth/login', { values: { email, next }, tooMany: true, minutes }, 429);
    }
    // Control characters (NUL among them) never name a login, and PostgreSQL refuses NUL in text.
    const login = email && !/[\u0000-\u001f]/.test(email) ? await findLoginByEmail(app.db, email) : undefined;
    // Unknown email and wrong password take the same path, the same time and the same message.
    const ok = await verifyPassword(login?.passwordHash, parsed.success ? parsed.data.password : '');
    if (!login || !ok) {
      await Promise.all([
        limits.loginByAddress.recordFailure(request.ip),
        limits.loginByAccount.recordFailure(accountKey),
      ]);
      request.log.info({ event: 'login_failed' }, 'login failed');
      return reply.render('auth/login', { values: { email, next }, failed: true }, 401);
    }
    await limits.loginByAccount.reset(accountKey);
    await signIn(request, login.organizationId, login.userId);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
