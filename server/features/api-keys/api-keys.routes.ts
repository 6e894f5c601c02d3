import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { notFound } from '../../lib/errors.js';
import { fieldErrors, singleLine } from '../../lib/validation.js';
import { principalOf } from '../../plugins/auth.js';
import { insertApiKey } from '../auth/auth.queries.js';
import { listApiKeys, revokeApiKey } from './api-keys.queries.js';

const newKeyBody = z.object({ name: singleLine(100) });
const keyParams = z.object({ id: z.uuid() });

export default async function apiKeysRoutes(app: FastifyInstance) {
  const signedIn = { preHandler: app.requireRole() };

  app.get('/settings/api-keys', signedIn, async (request, reply) => {
    const { organizationId, userId } = principalOf(request);
    const keys = await listApiKeys(app.db, organizationId, userId);
    return reply.render('api-keys/list', { keys, values: {}, errors: {} });
  });

  app.post('/settings/api-keys', signedIn, async (request, reply) => {
    const { organizationId, userId } = principalOf(request);
    const parsed = newKeyBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      const keys = await listApiKeys(app.db, organizationId, userId);
      const values = { name: (request.body as Record<string, unknown> | undefined)?.name };
      return reply.render('api-keys/list', { keys, values, errors: fieldErrors(parsed.error) }, 400);
    }
    const { key } = await insertApiKey(app.db, organizationId, userId, parsed.data.name);
    const keys = await listApiKeys(app.db, organizationId, userId);
    // Shown once, on this response only; never stored in plain text. Not cacheable.
    reply.header('cache-control', 'no-store');
    return reply.render('api-keys/list', { keys, newKey: key, values: {}, errors: {} });
  });

  app.post('/settings/api-keys/:id/revoke', signedIn, async (request, reply) => {
    const { organizationId, userId } = principalOf(request);
    const parsed = keyParams.safeParse(request.params);
    if (!parsed.success || !(await revokeApiKey(app.db, organizationId, userId, parsed.data.id)))
      throw notFound();
    return reply.redirect('/settings/api-keys', 303);
  });
}
