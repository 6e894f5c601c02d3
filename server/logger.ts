import { type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import type { LoggerOptions } from 'pino';

/** Route parameters that are credentials: never written to a log line. */
const SECRET_PARAMS = new Set(['token']);
const REDACTED = '[redacted]';
/** Anything shaped like a token (20+ URL-safe characters) in a path no route matched. */
const TOKEN_LIKE = /^[A-Za-z0-9_-]{20,}$/;

/**
 * The path to log, taken from the route that matched and its parameters — never from the raw URL text, so
 * no spelling of a respondent link (percent-encoding, case, dot segments, double slashes) logs its token.
 * The query string is left out: it may carry a `next` link or other secrets.
 */
export function loggedPath(request: FastifyRequest): string {
  const route = request.routeOptions?.url;
  if (route) {
    const params = (request.params ?? {}) as Record<string, unknown>;
    return route.replace(/:(\w+)|\*/g, (match, name: string | undefined) => {
      const key = name ?? '*';
      if (SECRET_PARAMS.has(key)) return REDACTED;
      return match === '*' ? String(params['*'] ?? '') : encodeURIComponent(String(params[key] ?? ''));
    });
  }
  return unmatchedPath(request.url ?? '/');
}

/** A path no route matched, normalised; a respondent-looking or token-shaped segment is redacted. */
export function unmatchedPath(url: string): string {
  const raw = url.split(/[?#]/, 1)[0] ?? '/';
  let decoded: string;
  try {
    decoded = decodeURIComponent(raw);
  } catch {
    decoded = raw;
  }
  const segments: string[] = [];
  for (const segment of decoded.replace(/\\/g, '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  if (segments[0]?.toLowerCase() === 'r') return `/r/${REDACTED}`;
  const safe = segments.map((segment) =>
    TOKEN_LIKE.test(segment) ? REDACTED : encodeURIComponent(segment).slice(0, 100),
  );
  return `/${safe.join('/')}`;
}

export function loggerOptions(level: string, pretty: boolean): LoggerOptions {
  return {
    level,
    redact: {
      paths: [
        'req.headers.cookie',
        'req.headers.authorization',
        'res.headers["set-cookie"]',
        '*.password',
        '*.token',
        '*.apiKey',
        '*.sessionSecret',
      ],
      censor: REDACTED,
    },
    serializers: {
      req: (request: FastifyRequest) => ({
        method: request.method,
        url: loggedPath(request),
        remoteAddress: request.ip,
      }),
    },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { translateTime: 'HH:MM:ss', ignore: 'pid,hostname' },
          },
        }
      : {}),
  };
}

/**
 * One line per request, when it is answered: the request (method, logged path, address), its status and
 * time. Fastify's own "incoming request" line is kept at debug level: at info, logging each request twice
 * cost about a tenth of the CPU of opening a respondent link.
 */
export class AccessLog extends LogController {
  override incomingRequest(request: FastifyRequest): void {
    request.log.debug({ req: request }, 'incoming request');
  }

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request completed');
  }
}
