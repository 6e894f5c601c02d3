import fastifyPostgres from '@fastify/postgres';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { Kysely, PostgresDialect } from 'kysely';
import type { Database } from '../db/database.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Kysely<Database>;
  }
}

/** One pool per process, owned by @fastify/postgres; Kysely runs on that same pool. */
async function dbPlugin(app: FastifyInstance, options: { connectionString: string }) {
  await app.register(fastifyPostgres, {
    connectionString: options.connectionString,
    max: 10,
    // While the database is away, a request waits at most this long for a connection before it is told 503.
    connectionTimeoutMillis: 3000,
    keepAlive: true,
  });
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  const onLostConnection = (error: Error) => {
    // At shutdown the embedded database stops after the app, which is expected and not worth a warning.
    if (closing) app.log.debug({ message: error.message }, 'database connection closed at shutdown');
    else app.log.warn({ message: error.message }, 'database connection lost');
  };
  // A connection that dies emits 'error' on its client. The pool listens only while the client is idle;
  // a checked-out client with no listener would throw the event and end the process. The query in flight
  // is rejected separately and reaches the error handler as a 503.
  app.pg.pool.on('connect', (client) => client.on('error', onLostConnection));
  app.pg.pool.on('error', onLostConnection);
  // Kysely's destroy() would end the pool a second time: @fastify/postgres ends it on close.
  app.decorate('db', new Kysely<Database>({ dialect: new PostgresDialect({ pool: app.pg.pool }) }));
}

export default fp(dbPlugin, { name: 'db' });
