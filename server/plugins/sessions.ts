import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifySession from '@fastify/session';
import type { FastifyInstance, Session } from 'fastify';
import fp from 'fastify-plugin';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.js';
import { sha256 } from '../lib/crypto.js';

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
    this.db
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
      .execute()
      .then(() => callback(), callback);
  }

  get(sessionId: string, callback: (error: unknown, session?: StoredSession | null) => void): void {
    this.db
      .selectFrom('sessions')
      .select('data')
      .where('id', '=', sha256(sessionId).toString('hex'))
      .where('expires_at', '>', new Date())
      .executeTakeFirst()
      .then((row) => callback(null, (row?.data as StoredSession | undefined) ?? null), callback);
  }

  destroy(sessionId: string, callback: Callback): void {
    this.db
      .deleteFrom('sessions')
      .where('id', '=', sha256(sessionId).toString('hex'))
      .execute()
      .then(() => callback(), callback);
  }
}

async function sessionsPlugin(app: FastifyInstance, options: { secret: string; secure: boolean }) {
  await app.register(fastifyCookie);
  await app.register(fastifySession, {
    cookieName: 'vd_session',
    secret: options.secret,
    store: new PostgresSessionStore(app.db),
    saveUninitialized: false,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, path: '/', maxAge: SESSION_TTL_MS },
  });
  await app.register(fastifyCsrf, { sessionPlugin: '@fastify/session' });
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

export default fp(sessionsPlugin, { name: 'sessions', dependencies: ['db'] });
