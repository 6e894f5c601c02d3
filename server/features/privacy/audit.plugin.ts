import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { type AuditAction, insertAuditEntry } from './audit.queries.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A download the audit log records (who, when, which wave, which kind) when it is answered with 2xx. */
    audit?: AuditAction;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function surveyIdOf(request: FastifyRequest): string | null {
  const id = (request.params as { id?: unknown } | undefined)?.id;
  return typeof id === 'string' && UUID.test(id) ? id.toLowerCase() : null;
}

/**
 * Exports are recorded by route configuration (`config: { audit: 'report_export_csv' }`), not in each
 * route's body. The row is written in onSend — after the route has answered, before a byte leaves — and
 * awaited: when it cannot be written the download fails with the error handler's answer instead of going
 * out unrecorded. (A stream that breaks after this point is still recorded: the log says an export was
 * handed out, which errs on the side of the person whose data it is.) 2xx only: a refused or failed
 * export exported nothing.
 */
async function auditPlugin(app: FastifyInstance) {
  app.addHook('onSend', async (request, reply, payload) => {
    const action = request.routeOptions.config.audit;
    if (!action || !request.principal || reply.statusCode < 200 || reply.statusCode >= 300) return payload;
    const layout = (request.query as { layout?: unknown } | undefined)?.layout;
    await insertAuditEntry(app.db, {
      organizationId: request.principal.organizationId,
      userId: request.principal.userId,
      action,
      surveyId: surveyIdOf(request),
      detail: action === 'report_export_csv' ? { layout: typeof layout === 'string' ? layout : 'long' } : {},
    });
    return payload;
  });
}

export default fp(auditPlugin, { name: 'audit', dependencies: ['db', 'auth'] });

/** Route configs of the downloads the audit log records. */
export const AUDIT_REPORT_CSV = { audit: 'report_export_csv' } as const;
export const AUDIT_REPORT_PDF = { audit: 'report_export_pdf' } as const;
export const AUDIT_ACTIONS_CSV = { audit: 'actions_export_csv' } as const;
