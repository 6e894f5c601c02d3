import type { FastifyInstance, FastifyRequest } from 'fastify';
import { translate } from '../../lib/i18n.js';
import { verifyPassword } from '../../lib/passwords.js';
import { fieldErrors } from '../../lib/validation.js';
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
    // Control characters (NUL among them) never name a login, and PostgreSQL refuses NUL in text.
    const login = email && !/[\u0000-\u001f]/.test(email) ? await findLoginByEmail(app.db, email) : undefined;
    // Unknown email and wrong password take the same path, the same time and the same message.
    const ok = await verifyPassword(login?.passwordHash, parsed.success ? parsed.data.password : '');
    if (!login || !ok) {
      request.log.info({ event: 'login_failed' }, 'login failed');
      return reply.render('auth/login', { values: { email, next }, failed: true }, 401);
    }
    await signIn(request, login.organizationId, login.userId);
    return reply.redirect(next, 303);
  });

  app.post('/logout', async (request, reply) => {
    await request.session.destroy();
    return reply.redirect('/login', 303);
  });
}
