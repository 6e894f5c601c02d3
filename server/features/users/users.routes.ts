import type { FastifyInstance } from 'fastify';
import { notFound } from '../../lib/errors.js';
import { translate } from '../../lib/i18n.js';
import { fieldErrors } from '../../lib/validation.js';
import { API_ROUTE, principalOf } from '../../plugins/auth.js';
import { addUserWithWelcome } from '../auth/account-emails.service.js';
import { accountLinkKey } from '../auth/account-links.js';
import { isUniqueViolation } from '../auth/auth.queries.js';
import { deactivateUser, listUsers } from './users.queries.js';
import { newUserBody, ROLES, userIdParams } from './users.schemas.js';
import '../auth/account-emails.messages.js';

export default async function usersRoutes(app: FastifyInstance) {
  const adminOnly = { preHandler: app.requireRole('admin') };
  const mail = { boss: app.mail.boss, linkKey: accountLinkKey(app.config.sessionSecret) };

  app.get('/users', adminOnly, async (request, reply) => {
    const users = await listUsers(app.db, principalOf(request).organizationId);
    return reply.render('users/list', { users, roles: ROLES, values: {}, errors: {} });
  });

  app.post('/users', adminOnly, async (request, reply) => {
    const organizationId = principalOf(request).organizationId;
    const raw = (request.body ?? {}) as Record<string, unknown>;
    const values = { name: raw.name, email: raw.email, role: raw.role };
    const parsed = newUserBody.safeParse(raw);
    let errors: Record<string, string> | undefined;
    if (!parsed.success) {
      errors = fieldErrors(parsed.error);
    } else {
      try {
        // No typed-in start password: the new user chooses one through the emailed link (in the language
        // the admin is using).
        await addUserWithWelcome(app.db, mail, organizationId, { ...parsed.data, language: request.lang });
        return reply.redirect('/users', 303);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        errors = { email: translate(request.lang, 'signup.emailTaken') };
      }
    }
    const users = await listUsers(app.db, organizationId);
    return reply.render('users/list', { users, roles: ROLES, values, errors }, 400);
  });

  app.post('/users/:id/deactivate', adminOnly, async (request, reply) => {
    const { id } = userIdParams.parse(request.params);
    if (!(await deactivateUser(app.db, principalOf(request).organizationId, id))) throw notFound();
    return reply.redirect('/users', 303);
  });

  app.get('/api/v1/me', { config: API_ROUTE, preHandler: app.requireRole() }, async (request) => {
    const principal = principalOf(request);
    return {
      organization: { id: principal.organizationId, name: principal.organizationName },
      user: { id: principal.userId, email: principal.email, name: principal.name, role: principal.role },
    };
  });

  app.get('/api/v1/users', { ...adminOnly, config: API_ROUTE }, async (request) => {
    const users = await listUsers(app.db, principalOf(request).organizationId);
    return { users };
  });
}
