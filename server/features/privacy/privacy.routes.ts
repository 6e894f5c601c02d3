import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { badRequest } from '../../lib/errors.js';
import { type Lang, translate } from '../../lib/i18n.js';
import { fieldErrors, fieldList } from '../../lib/validation.js';
import { API_ROUTE, principalOf } from '../../plugins/auth.js';
import { type AuditRow, listAuditEntries, listEntriesForSubject } from './audit.queries.js';
import { addressHash, privacyKey } from './privacy-hash.js';
import './privacy.messages.js';
import { eraseBody, eraseConfirmedBody, exportQuery } from './privacy.schemas.js';
import {
  collectPersonalData,
  erasePersonalData,
  exportCounts,
  exportPersonalData,
} from './privacy.service.js';

const dateTimeFormats: Record<Lang, Intl.DateTimeFormat> = {
  nb: new Intl.DateTimeFormat('nb-NO', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }),
  en: new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/Oslo' }),
};

/** An audit row as the page lists it: translated action and counts, the time in Norwegian time. */
function auditLine(lang: Lang, row: Pick<AuditRow, 'at' | 'action'> & Partial<AuditRow>) {
  return {
    when: dateTimeFormats[lang].format(row.at),
    action: translate(lang, `privacy.action.${row.action}`),
    who: row.userName ?? null,
    wave: row.surveyName ?? row.surveyId ?? null,
    details: Object.entries(row.detail ?? {})
      .map(([key, value]) => `${translate(lang, `privacy.item.${key}`)}: ${value}`)
      .join(', '),
  };
}

function countRows(lang: Lang, counts: Record<string, number>) {
  return Object.entries(counts).map(([key, count]) => ({
    label: translate(lang, `privacy.item.${key}`),
    count,
  }));
}

/**
 * Privacy requests (admins only): what is stored about an address, as JSON; its erasure; the audit log.
 * The address arrives in a query string only on the API (the request log records the route's path, never
 * its query); the pages post it.
 */
export default async function privacyRoutes(app: FastifyInstance) {
  const adminOnly = { preHandler: app.requireRole('admin') };
  const key = privacyKey(app.config.sessionSecret);
  const requesterOf = (request: FastifyRequest) => {
    const principal = principalOf(request);
    return { organizationId: principal.organizationId, userId: principal.userId };
  };

  app.get('/api/v1/privacy/export', { ...adminOnly, config: API_ROUTE }, async (request) => {
    const parsed = exportQuery.safeParse(request.query ?? {});
    if (!parsed.success) throw badRequest('Invalid email address', fieldList(parsed.error));
    return exportPersonalData(app.db, requesterOf(request), parsed.data.email, key);
  });

  app.post('/api/v1/privacy/erase', { ...adminOnly, config: API_ROUTE }, async (request) => {
    const parsed = eraseBody.safeParse(request.body ?? {});
    if (!parsed.success) throw badRequest('Invalid email address', fieldList(parsed.error));
    return erasePersonalData(app.db, requesterOf(request), parsed.data.email, key);
  });

  // ---- The page ----------------------------------------------------------------------------------

  const renderPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    data: Record<string, unknown>,
    status = 200,
  ) => {
    const entries = await listAuditEntries(app.db, principalOf(request).organizationId);
    return reply.render(
      'privacy/index',
      { values: {}, errors: {}, ...data, entries: entries.map((row) => auditLine(request.lang, row)) },
      status,
    );
  };

  app.get('/settings/privacy', adminOnly, async (request, reply) => {
    const erased = Number((request.query as { erased?: string }).erased);
    return renderPage(request, reply, {
      erasedNotice:
        Number.isInteger(erased) && erased >= 0
          ? translate(request.lang, 'privacy.erased', { count: erased })
          : null,
    });
  });

  app.post('/settings/privacy/lookup', adminOnly, async (request, reply) => {
    const parsed = eraseBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      return renderPage(request, reply, { values: request.body, errors: fieldErrors(parsed.error) }, 400);
    }
    const { email } = parsed.data;
    const requester = requesterOf(request);
    const data = await exportPersonalData(app.db, requester, email, key, 'privacy_lookup');
    const counts = exportCounts(data);
    const earlier = await listEntriesForSubject(app.db, requester.organizationId, addressHash(key, email));
    return renderPage(request, reply, {
      values: { email },
      found: {
        email,
        counts: countRows(request.lang, counts),
        any: Object.values(counts).some((n) => n > 0),
      },
      isUser: data.userAccount !== null,
      // The lookup just made is the first of these; the rest came before it.
      earlier: earlier.slice(1).map((row) => auditLine(request.lang, row)),
    });
  });

  app.post('/settings/privacy/export', adminOnly, async (request, reply) => {
    const parsed = eraseBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      return renderPage(request, reply, { values: request.body, errors: fieldErrors(parsed.error) }, 400);
    }
    const data = await exportPersonalData(app.db, requesterOf(request), parsed.data.email, key);
    return reply
      .type('application/json; charset=utf-8')
      .header('content-disposition', 'attachment; filename="personal-data.json"')
      .header('cache-control', 'no-store')
      .send(JSON.stringify(data, null, 2));
  });

  app.post('/settings/privacy/erase/confirm', adminOnly, async (request, reply) => {
    const parsed = eraseBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      return renderPage(request, reply, { values: request.body, errors: fieldErrors(parsed.error) }, 400);
    }
    const { email } = parsed.data;
    const data = await collectPersonalData(app.db, principalOf(request).organizationId, email, key);
    return reply.render('privacy/confirm-erase', {
      email,
      counts: countRows(request.lang, exportCounts(data)),
      isUser: data.userAccount !== null,
    });
  });

  app.post('/settings/privacy/erase', adminOnly, async (request, reply) => {
    const parsed = eraseConfirmedBody.safeParse(request.body ?? {});
    if (!parsed.success) {
      return renderPage(request, reply, { values: request.body, errors: fieldErrors(parsed.error) }, 400);
    }
    const result = await erasePersonalData(app.db, requesterOf(request), parsed.data.email, key);
    return reply.redirect(`/settings/privacy?erased=${result.erased}`, 303);
  });
}
