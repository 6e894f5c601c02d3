import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { Role } from '../db/database.js';
import { apiKeyPrincipals, findPrincipalByUserId } from '../features/auth/auth.queries.js';
import { forbidden, unauthorized } from '../lib/errors.js';

/** Who is asking: always resolved from the session or the API key, never from the request body. */
export interface Principal {
  organizationId: string;
  organizationName: string;
  userId: string;
  email: string;
  name: string;
  role: Role;
  via: 'session' | 'apiKey';
}

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal | null;
  }
  interface FastifyInstance {
    /** preHandler: the caller must be signed in (or carry a valid API key), with one of `roles` if given. */
    requireRole(...roles: Role[]): (request: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyContextConfig {
    /**
     * Which door a route is reached through, declared on the route (never guessed from the URL's spelling):
     * - 'browser' (the default): the session cookie; API keys for GET downloads; CSRF on every form post.
     * - 'api': the JSON API; API keys only, no session, no CSRF (no ambient credentials).
     * - 'respondent': a survey link; the token in the path is the credential; no session, no CSRF.
     */
    surface?: 'browser' | 'api' | 'respondent';
  }
}

/** Route config of the JSON API under /api/v1. */
export const API_ROUTE = { surface: 'api' } as const;
/** Route config of the respondent links /r/<token>. */
export const RESPONDENT_ROUTE = { surface: 'respondent' } as const;

const surfaceOf = (request: FastifyRequest) => request.routeOptions.config.surface ?? 'browser';
export const isApiRequest = (request: FastifyRequest) => surfaceOf(request) === 'api';

/** An answer in the JSON API's name: from an API route, or for a path under /api/ that no route matched. */
const isApiAnswer = (request: FastifyRequest) =>
  isApiRequest(request) || (request.is404 === true && request.url.startsWith('/api/'));

/**
 * Answered in JSON: API routes, requests with a JSON body, a GET that accepts only JSON (a respondent
 * link read by a program), and under /api/ when no route matched. Errors follow the same rule as the
 * answers they stand in for.
 */
export function wantsJson(request: FastifyRequest): boolean {
  if (isApiAnswer(request)) return true;
  return (
    request.headers['content-type']?.startsWith('application/json') === true ||
    (request.method === 'GET' && request.headers.accept === 'application/json')
  );
}

const STATE_CHANGING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

async function authPlugin(app: FastifyInstance) {
  app.decorateRequest('principal', null);
  const findPrincipalByApiKey = apiKeyPrincipals(app.db, app.pg.pool);

  app.addHook('preHandler', async (request) => {
    const surface = surfaceOf(request);
    if (surface === 'respondent') return;
    const header = request.headers.authorization;
    if (header !== undefined) {
      // Keys serve the JSON API and downloads (GET); they never drive browser forms, so a leaked key cannot
      // mint new keys or users, and CSRF protection never has to make an exception for them.
      if (surface !== 'api' && request.method !== 'GET' && request.method !== 'HEAD') {
        throw unauthorized('API keys work with the JSON API under /api/v1 and with downloads');
      }
      const key = /^Bearer\s+(\S+)$/i.exec(header)?.[1];
      request.principal = key ? await findPrincipalByApiKey(key) : null;
      if (!request.principal) throw unauthorized('Unknown or revoked API key');
      return;
    }
    if (surface === 'api') return;
    const { userId, organizationId } = request.session;
    if (userId && organizationId) {
      request.principal = await findPrincipalByUserId(app.db, organizationId, userId);
      // A deactivated user's session stops working at once.
      if (!request.principal) await request.session.destroy();
    }
  });

  // Every state-changing browser form carries a CSRF token. API calls authenticate with a bearer key
  // (no ambient credentials); respondent links carry their own secret token.
  app.addHook('preHandler', (request, reply, done) => {
    const exempt = surfaceOf(request) !== 'browser' || request.principal?.via === 'apiKey';
    if (STATE_CHANGING.has(request.method) && !exempt) {
      app.csrfProtection(request, reply, done);
    } else {
      done();
    }
  });

  // Pages and answers for a signed-in reader, and everything the API says, are private and never cached.
  app.addHook('onSend', async (request, reply) => {
    if (request.principal || isApiAnswer(request)) reply.header('cache-control', 'no-store');
  });

  app.decorate('requireRole', (...roles: Role[]) => async (request: FastifyRequest, reply: FastifyReply) => {
    const principal = request.principal;
    if (!principal) {
      if (isApiRequest(request)) throw unauthorized();
      const next = encodeURIComponent(request.url);
      await reply.redirect(`/login?next=${next}`, 303);
      return reply;
    }
    if (roles.length > 0 && !roles.includes(principal.role)) throw forbidden();
  });
}

export default fp(authPlugin, { name: 'auth', dependencies: ['db', 'sessions'] });

/** The caller of a route guarded by requireRole: present by construction. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized();
  return request.principal;
}
