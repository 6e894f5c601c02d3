import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { badRequest, notFound } from '../../lib/errors.js';
import { translate } from '../../lib/i18n.js';
import { uuid } from '../../lib/validation.js';
import { API_ROUTE, principalOf, RESPONDENT_ROUTE } from '../../plugins/auth.js';
import { findOrganizationAccountEmail, listAccountEmails } from '../auth/account-emails.queries.js';
import { findSurvey } from '../surveys/surveys.queries.js';
import { findMessageContext, listMessages, optOut } from './email.queries.js';
import { queueReminders, queueRetry, renderAccountMessage, renderStoredMessage } from './email.service.js';
import { optOutKey, readOptOutToken } from './opt-out-links.js';
import './email.messages.js';
import '../auth/account-emails.messages.js';

const surveyParams = z.object({ id: uuid });
const messageParams = z.object({ id: uuid, messageId: uuid });

export default async function emailRoutes(app: FastifyInstance) {
  const managers = { preHandler: app.requireRole('admin', 'manager') };
  const key = optOutKey(app.config.sessionSecret);

  async function surveyOf(request: FastifyRequest) {
    const params = surveyParams.safeParse(request.params);
    if (!params.success) throw notFound('Survey not found');
    const survey = await findSurvey(app.db, principalOf(request).organizationId, params.data.id);
    if (!survey) throw notFound('Survey not found');
    return survey;
  }

  async function remind(request: FastifyRequest) {
    const survey = await surveyOf(request);
    if (survey.status !== 'open') throw badRequest('Only an open wave can send reminders');
    return queueReminders(app.db, app.mail.boss, {
      organizationId: principalOf(request).organizationId,
      surveyId: survey.id,
    });
  }

  // Remind those who have not submitted: never those who did, nor those who opted out.
  app.post('/api/v1/surveys/:id/remind', { ...managers, config: API_ROUTE }, async (request, reply) => {
    return reply.code(202).send({ queued: await remind(request) });
  });

  app.post('/surveys/:id/remind', managers, async (request, reply) => {
    const queued = await remind(request);
    const { id } = surveyParams.parse(request.params);
    return reply.redirect(`/surveys/${id}?reminded=${queued}#invitations`, 303);
  });

  app.post('/surveys/:id/emails/:messageId/retry', managers, async (request, reply) => {
    const params = messageParams.safeParse(request.params);
    if (!params.success) throw notFound();
    const { organizationId } = principalOf(request);
    if (!(await queueRetry(app.db, app.mail.boss, organizationId, params.data.messageId))) throw notFound();
    return reply.redirect(`/surveys/${params.data.id}#invitations`, 303);
  });

  // The outbox: every message of the organisation as it goes (or, without SMTP, would go) out.
  app.get('/outbox', managers, async (request, reply) => {
    const { organizationId } = principalOf(request);
    const [messages, accountEmails] = await Promise.all([
      listMessages(app.db, organizationId),
      listAccountEmails(app.db, organizationId),
    ]);
    return reply.render('email/outbox', { messages, accountEmails, smtp: app.mail.smtp });
  });

  // An account email as it goes out. Its link is a password: shown only in a new user's first email, and
  // only to an admin (who could have set that user up anyway); reset links never leave the recipient's inbox.
  app.get('/outbox/account/:messageId', managers, async (request, reply) => {
    const params = z.object({ messageId: uuid }).safeParse(request.params);
    if (!params.success) throw notFound();
    const principal = principalOf(request);
    const message = await findOrganizationAccountEmail(
      app.db,
      principal.organizationId,
      params.data.messageId,
    );
    if (!message) throw notFound();
    const showLink = message.kind === 'welcome' && principal.role === 'admin';
    const email = renderAccountMessage(
      app.mail,
      message,
      showLink ? {} : { hideLink: translate(request.lang, 'accountEmail.linkHidden') },
    );
    return reply
      .header('cache-control', 'no-store')
      .render('email/account-message', { message, email, headers: Object.entries(email.headers) });
  });

  app.get('/outbox/:messageId', managers, async (request, reply) => {
    const params = z.object({ messageId: uuid }).safeParse(request.params);
    if (!params.success) throw notFound();
    const { organizationId } = principalOf(request);
    const rendered = await renderStoredMessage(app.db, app.mail, organizationId, params.data.messageId);
    if (!rendered) throw notFound();
    return reply.render('email/message', { ...rendered, headers: Object.entries(rendered.email.headers) });
  });

  // The HTML part on its own, sandboxed: no script, no requests, inline styles only.
  app.get('/outbox/:messageId/html', managers, async (request, reply) => {
    const params = z.object({ messageId: uuid }).safeParse(request.params);
    if (!params.success) throw notFound();
    const { organizationId } = principalOf(request);
    const rendered = await renderStoredMessage(app.db, app.mail, organizationId, params.data.messageId);
    if (!rendered) throw notFound();
    return reply
      .header(
        'content-security-policy',
        "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      )
      .type('text/html; charset=utf-8')
      .send(rendered.email.html);
  });

  // Opt-out: the link in every email. GET shows one button; POST (that button, or a mail client's
  // one-click List-Unsubscribe-Post) records it. The token is the credential, as for respondent links.
  const optOutRoute = { config: RESPONDENT_ROUTE };

  async function optOutTarget(request: FastifyRequest) {
    const { token } = request.params as { token: string };
    const named = readOptOutToken(key, token);
    const message = named && (await findMessageContext(app.db, named.organizationId, named.messageId));
    return message ?? null;
  }

  function renderOptOut(
    reply: FastifyReply,
    message: Awaited<ReturnType<typeof optOutTarget>>,
    state: 'ask' | 'done' | 'invalid',
  ) {
    return reply
      .header('cache-control', 'no-store')
      .header('x-robots-tag', 'noindex')
      .render(
        'email/opt-out',
        { noSession: true, respondent: true, state, supplier: message?.supplierName, email: message?.email },
        state === 'invalid' ? 404 : 200,
      );
  }

  app.get('/u/:token', optOutRoute, async (request, reply) => {
    const message = await optOutTarget(request);
    if (message) request.lang = message.language;
    return renderOptOut(reply, message, message ? (message.optedOut ? 'done' : 'ask') : 'invalid');
  });

  app.post('/u/:token', optOutRoute, async (request, reply) => {
    const message = await optOutTarget(request);
    if (!message) return renderOptOut(reply, null, 'invalid');
    await optOut(app.db, message.organizationId, message.email);
    request.log.info({ event: 'email_opt_out' }, 'opted out of email');
    request.lang = message.language;
    return renderOptOut(reply, { ...message, optedOut: true }, 'done');
  });
}
