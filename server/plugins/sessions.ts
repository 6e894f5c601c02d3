import { validateHeaderName, validateHeaderValue } from 'node:http';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest, Session } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { hmac, sha256 } from '../lib/crypto.js';

declare module 'fastify' {
  interface Session {
    userId?: string;
    organizationId?: string;
  }
}

const SESSION_TTL_MS = 12 * 3600 * 1000;

type Callback = (error?: unknown) => void;
type StoredSession = Session;

/**
 * Calls a session-store callback outside the promise chain of the query. Fastify writes the response from
 * inside the store's callback; if that throws, it must not turn into an unhandled rejection.
 */
function settle<T>(query: Promise<T>, onDone: (value: T) => void, onError: Callback): void {
  query.then(
    (value) => setImmediate(onDone, value),
    (error) => setImmediate(onError, error),
  );
}

/**
 * Sessions live in PostgreSQL, keyed by a hash of the cookie's id, so a database read alone
 * cannot hijack a session. Logout deletes the row; deactivating a user deletes all of theirs.
 */
class PostgresSessionStore {
  constructor(private readonly db: Kysely<Database>) {}

  set(sessionId: string, session: StoredSession, callback: Callback): void {
    const row = {
      id: sha256(sessionId).toString('hex'),
      data: JSON.stringify(session),
      organization_id: session.organizationId ?? null,
      user_id: session.userId ?? null,
      expires_at: session.cookie.expires ?? new Date(Date.now() + SESSION_TTL_MS),
    };
    const query = this.db
      .insertInto('sessions')
      .values(row)
      .onConflict((oc) =>
        oc.column('id').doUpdateSet({
          data: row.data,
          organization_id: row.organization_id,
          user_id: row.user_id,
          expires_at: row.expires_at,
        }),
      )
      .execute();
    settle(query, () => callback(), callback);
  }

  get(sessionId: string, callback: (error: unknown, session?: StoredSession | null) => void): void {
    const query = this.db
      .selectFrom('sessions')
      .select('data')
      .where('id', '=', sha256(sessionId).toString('hex'))
      .where('expires_at', '>', new Date())
      .executeTakeFirst();
    settle(query, (row) => callback(null, (row?.data as StoredSession | undefined) ?? null), callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    const query = this.db
      .deleteFrom('sessions')
      .where('id', '=', sha256(sessionId).toString('hex'))
      .execute();
    settle(query, () => callback(), callback);
  }
}

/** Whom a CSRF token is bound to: the signed-in user, or nobody (never empty: the library refuses ''). */
export function csrfUserInfo(request: FastifyRequest): string {
  const userId = request.session?.userId;
  return userId ? `user:${userId}` : 'anonymous';
}

/**
 * Node refuses to write a header value outside Latin-1 or with control characters, and throws while the
 * response is being written — from inside the session store's callback, out of the error handler's reach.
 * Checked here, before the session hook, a bad value becomes an ordinary error the handler answers.
 * Every bad header is removed first: the handler's own answer passes through this hook too, and were it
 * refused again, Fastify's fallback handler would answer with the error's code and message.
 */
function assertWritableHeaders(reply: FastifyReply) {
  let refused: unknown;
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    try {
      validateHeaderName(name);
      for (const item of Array.isArray(value) ? value : [value]) {
        if (item !== undefined) validateHeaderValue(name, String(item));
      }
    } catch (error) {
      reply.removeHeader(name);
      refused ??= error;
    }
  }
  if (refused) throw refused;
}

async function sessionsPlugin(app: FastifyInstance, options: { secret: string; secure: boolean }) {
  app.addHook('onSend', async (_request, reply) => assertWritableHeaders(reply));
  await app.register(fastifySession, {
    cookieName: 'vd_session',
    secret: options.secret,
    store: new PostgresSessionStore(app.db),
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', maxAge: SESSION_TTL_MS },
  });
  // CSRF by signed double-submit cookie, bound to the signed-in user: an anonymous page (login, sign-up)
  // writes nothing to the database, and a token made for one user is worth nothing to another.
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/cookie',
    cookieKey: options.secure ? '__Host-csrf' : 'csrf',
    cookieOpts: { path: '/', sameSite: 'lax', httpOnly: true, secure: options.secure, signed: true },
    getUserInfo: csrfUserInfo,
    csrfOpts: { hmacKey: hmac(options.secret, 'csrf').toString('base64url') },
  });
  // Expired rows go eventually; a stale row is already ignored by get().
  const sweep = setInterval(() => {
    app.db
      .deleteFrom('sessions')
      .where('expires_at', '<', new Date())
      .execute()
      .catch((error) => app.log.warn({ err: error }, 'session sweep failed'));
  }, 3600 * 1000);
  sweep.unref();
  app.addHook('onClose', async () => clearInterval(sweep));
}

export default fp(sessionsPlugin, { name: 'sessions', dependencies: ['db', '@fastify/cookie'] });
