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
  await app.register(fastifyPostgres, { connectionString: options.connectionString, max: 10 });
  // An idle client whose server went away must not crash the process. At shutdown the embedded database
  // stops alongside the app, which is expected and not worth a warning.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.pg.pool.on('error', (error) => {
    if (closing) app.log.debug({ message: error.message }, 'idle database client closed at shutdown');
    else app.log.warn({ message: error.message }, 'idle database client failed');
  });
  // Kysely's destroy() would end the pool a second time: @fastify/postgres ends it on close.
  app.decorate('db', new Kysely<Database>({ dialect: new PostgresDialect({ pool: app.pg.pool }) }));
}

export default fp(dbPlugin, { name: 'db' });
