import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { fieldErrors } from '../../lib/validation.js';
import { TooManyRequestsError } from '../../plugins/rate-limits.js';
import { findUsableLink } from './account-emails.queries.js';
import {
  completeSignup,
  type LinkOutcome,
  requestPasswordReset,
  setPasswordWithLink,
} from './account-emails.service.js';
import { accountLinkKey, hashAccountToken, isAccountToken } from './account-links.js';
import { forgotPasswordBody, setPasswordBody, tokenParams } from './auth.schemas.js';
import { signIn } from './sign-in.js';
import './account-emails.messages.js';

/**
 * Pages behind account links: "forgot password", and the page a welcome, reset or sign-up link opens to
 * choose a password. They are ordinary browser pages (session cookie, CSRF on the form); the token in the
 * path, always the route parameter `token` so that the logger redacts it, is what authorises the change.
 */
export default async function accountLinksRoutes(app: FastifyInstance) {
  const mail = { boss: app.mail.boss, linkKey: accountLinkKey(app.config.sessionSecret) };

  app.get('/check-email', async (request, reply) => {
    const reason =
      (request.query as { for?: unknown }).for === 'password_reset' ? 'password_reset' : 'signup';
    return reply.render('auth/check-email', { reason });
  });

  app.get('/forgot-password', async (_request, reply) =>
    reply.render('auth/forgot-password', { values: {}, errors: {} }),
  );

  // The same answer whether or not the address has an account; requests are limited per client address,
  // and emails per address (account-emails.service.ts).
  app.post('/forgot-password', async (request, reply) => {
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const values = { email: raw.email };
    const limiter = app.rateLimits.passwordResetByAddress;
    try {
      await limiter.assertAllowed(request.ip);
    } catch (error) {
      if (!(error instanceof TooManyRequestsError)) throw error;
      reply.header('retry-after', String(error.retryAfterSeconds));
      const minutes = Math.ceil(error.retryAfterSeconds / 60);
      return reply.render('auth/forgot-password', { values, errors: {}, tooMany: true, minutes }, 429);
    }
    await limiter.recordFailure(request.ip);
    const parsed = forgotPasswordBody.safeParse(raw);
    if (!parsed.success) {
      return reply.render('auth/forgot-password', { values, errors: fieldErrors(parsed.error) }, 400);
    }
    await requestPasswordReset(app.db, mail, { email: parsed.data.email, language: request.lang });
    request.log.info({ event: 'password_reset_requested' }, 'password reset requested');
    return reply.redirect('/check-email?for=password_reset', 303);
  });

  async function usableLink(request: FastifyRequest) {
    const params = tokenParams.safeParse(request.params);
    if (!params.success || !isAccountToken(params.data.token)) return null;
    return {
      token: params.data.token,
      link: await findUsableLink(app.db, hashAccountToken(params.data.token)),
    };
  }

  function privatePage(reply: FastifyReply) {
    return reply.header('cache-control', 'no-store').header('x-robots-tag', 'noindex');
  }

  function invalid(reply: FastifyReply, taken = false) {
    return privatePage(reply).render('auth/link-invalid', { taken }, taken ? 409 : 404);
  }

  async function showForm(
    request: FastifyRequest,
    reply: FastifyReply,
    kinds: readonly string[],
    errors: Record<string, string> = {},
  ) {
    const found = await usableLink(request);
    if (!found?.link || !kinds.includes(found.link.kind)) return invalid(reply);
    const { kind, email, organizationName } = found.link;
    return privatePage(reply).render(
      'auth/set-password',
      { kind, email, organizationName, errors },
      Object.keys(errors).length > 0 ? 400 : 200,
    );
  }

  async function submit(
    request: FastifyRequest,
    reply: FastifyReply,
    kinds: readonly string[],
    complete: (token: string, password: string) => Promise<LinkOutcome>,
  ) {
    const parsed = setPasswordBody.safeParse(request.body ?? {});
    if (!parsed.success) return showForm(request, reply, kinds, fieldErrors(parsed.error));
    const params = tokenParams.safeParse(request.params);
    if (!params.success || !isAccountToken(params.data.token)) return invalid(reply);
    const outcome = await complete(params.data.token, parsed.data.password);
    if (!outcome.ok) return invalid(reply, outcome.reason === 'taken');
    await signIn(request, outcome.organizationId, outcome.userId);
    request.log.info({ event: 'password_set' }, 'password set through an account link');
    return reply.redirect('/', 303);
  }

  const passwordKinds = ['welcome', 'password_reset'] as const;
  app.get('/password/:token', async (request, reply) => showForm(request, reply, passwordKinds));
  app.post('/password/:token', async (request, reply) =>
    submit(request, reply, passwordKinds, (token, password) => setPasswordWithLink(app.db, token, password)),
  );

  const signupKinds = ['signup'] as const;
  app.get('/signup/:token', async (request, reply) => showForm(request, reply, signupKinds));
  app.post('/signup/:token', async (request, reply) =>
    submit(request, reply, signupKinds, (token, password) => completeSignup(app.db, token, password)),
  );
}
