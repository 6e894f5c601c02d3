import type { FastifyInstance } from 'fastify';
import { sha256 } from '../../lib/crypto.js';
import { verifyPassword } from '../../lib/passwords.js';
import { fieldErrors } from '../../lib/validation.js';
import { TooManyRequestsError } from '../../plugins/rate-limits.js';
import { requestSignup } from './account-emails.service.js';
import { accountLinkKey } from './account-links.js';
import { findLoginByEmail } from './auth.queries.js';
import { loginBody, safeNext, signupBody } from './auth.schemas.js';
import { signIn } from './sign-in.js';
import './account-emails.messages.js';

export default async function authRoutes(app: FastifyInstance) {
  const mail = { boss: app.mail.boss, linkKey: accountLinkKey(app.config.sessionSecret) };

  app.get('/', async (request, reply) => {
    if (request.principal) return reply.redirect('/surveys', 303);
    return reply.render('auth/welcome');
  });

  app.get('/signup', async (_request, reply) => reply.render('auth/signup', { values: {}, errors: {} }));

  // Sign-up confirms the address before anything is created, and answers the same whether or not the
  // address already has an account (that address gets an email saying so instead).
  app.post('/signup', async (request, reply) => {
    // Every attempt counts: nobody needs to sign up often from one address.
    await app.rateLimits.signupByAddress.assertAllowed(request.ip);
    await app.rateLimits.signupByAddress.recordFailure(request.ip);
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const values = { organization: raw.organization, name: raw.name, email: raw.email };
    const parsed = signupBody.safeParse(raw);
    if (!parsed.success) {
      return reply.render('auth/signup', { values, errors: fieldErrors(parsed.error) }, 400);
    }
    await requestSignup(app.db, mail, {
      organizationName: parsed.data.organization,
      name: parsed.data.name,
      email: parsed.data.email,
      language: request.lang,
    });
    request.log.info({ event: 'signup_requested' }, 'sign-up requested');
    return reply.redirect('/check-email?for=signup', 303);
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
    const ok = await verifyPassword(
      login?.passwordHash ?? undefined,
      parsed.success ? parsed.data.password : '',
    );
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
