import type { FastifyInstance } from 'fastify';
import { translate } from '../../lib/i18n.js';
import './help.messages.js';

/**
 * The methods page explains formulas, not anyone's data: it is public, so a customer, a prospect or an
 * auditor can read how the figures are computed without an account.
 */
export default async function helpRoutes(app: FastifyInstance) {
  app.get('/help/methods', async (request, reply) =>
    reply.render('help/methods', { title: translate(request.lang, 'help.methods.title') }),
  );
}
