import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { ZodError } from 'zod';
import { isDatabaseUnavailable, isTransientConflict } from '../lib/database-errors.js';
import { HttpError } from '../lib/errors.js';
import { fieldList } from '../lib/validation.js';
import { wantsJson } from './auth.js';
import { TooManyRequestsError } from './rate-limits.js';
import { chooseLanguage } from './views.js';

interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  fields?: Array<{ field: string; message: string }>;
}

const MESSAGE_KEYS: Record<number, string> = {
  400: 'error.badRequest',
  403: 'error.forbidden',
  404: 'error.notFound',
  429: 'error.tooManyRequests',
  503: 'error.unavailable',
};

/** Seconds a client is told to wait before trying again while the database is away. */
const UNAVAILABLE_RETRY_AFTER_S = 5;

function describe(error: FastifyError | Error): ErrorBody {
  if (error instanceof HttpError) {
    return { statusCode: error.statusCode, code: error.code, message: error.message, fields: error.fields };
  }
  if (error instanceof ZodError) {
    return { statusCode: 400, code: 'BAD_REQUEST', message: 'Invalid request', fields: fieldList(error) };
  }
  if (isDatabaseUnavailable(error) || isTransientConflict(error)) {
    return { statusCode: 503, code: 'UNAVAILABLE', message: 'The service is briefly unavailable; try again' };
  }
  const fastifyError = error as FastifyError;
  const statusCode = fastifyError.statusCode ?? 500;
  if (statusCode >= 500) return { statusCode: 500, code: 'INTERNAL', message: 'Internal server error' };
  if (fastifyError.code?.startsWith('FST_CSRF')) {
    return { statusCode: 403, code: 'CSRF_INVALID', message: 'Missing or invalid CSRF token' };
  }
  // Fastify's own 4xx (bad JSON, body too large, unsupported media type): its message names the problem.
  return { statusCode, code: fastifyError.code ?? 'BAD_REQUEST', message: fastifyError.message };
}

function send(request: FastifyRequest, reply: FastifyReply, body: ErrorBody) {
  if (body.statusCode === 503) reply.header('retry-after', String(UNAVAILABLE_RETRY_AFTER_S));
  // A GET's error is JSON or a page by its Accept header (wantsJson): a cache must keep them apart.
  if (request.method === 'GET' || request.method === 'HEAD') reply.header('vary', 'Accept');
  if (wantsJson(request)) {
    const { statusCode, ...error } = body;
    return reply.code(statusCode).type('application/json').send({ error });
  }
  if (!request.langChosen) chooseLanguage(request, reply);
  const messageKey =
    body.code === 'CSRF_INVALID' ? 'error.csrf' : (MESSAGE_KEYS[body.statusCode] ?? 'error.server');
  const detail = body.statusCode < 500 && body.code !== 'NOT_FOUND' ? body.message : undefined;
  return reply.render(
    'errors/error',
    { statusCode: body.statusCode, messageKey, detail, noSession: true },
    body.statusCode,
  );
}

/** One handler for every failure: expected ones keep their status and code; unexpected ones are logged and hidden. */
async function errorsPlugin(app: FastifyInstance) {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const body = describe(error);
    if (error instanceof TooManyRequestsError) reply.header('retry-after', String(error.retryAfterSeconds));
    if (body.statusCode === 503) {
      const why = isTransientConflict(error) ? 'rolled back by a conflict' : 'database unavailable';
      request.log.warn({ message: error.message }, why);
    } else if (body.statusCode >= 500) {
      request.log.error({ err: error }, 'request failed');
    } else {
      request.log.info({ code: body.code, statusCode: body.statusCode }, 'request rejected');
    }
    return send(request, reply, body);
  });
}

/** The page (or JSON) for an address no route matches; app.ts sets it where sessions run. */
export function notFound(request: FastifyRequest, reply: FastifyReply) {
  return send(request, reply, { statusCode: 404, code: 'NOT_FOUND', message: 'Not found' });
}

export default fp(errorsPlugin, { name: 'errors', dependencies: ['views'] });
