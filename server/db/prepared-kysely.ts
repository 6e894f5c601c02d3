import { createHash } from 'node:crypto';
import { Kysely, type PostgresCursor, PostgresDialect, type PostgresQueryResult } from 'kysely';
import type pg from 'pg';
import type { Database } from './database.js';

/**
 * A Kysely on `pool` that runs each statement as a named prepared statement, named by its SQL text:
 * PostgreSQL parses and plans each distinct text once per pooled connection (after five runs it may keep a
 * generic plan) instead of on every call. Planning the report's statements cost more than running some of
 * them. Only for reads built from a bounded set of shapes (the values are parameters, never part of the
 * text): every distinct text stays prepared on each connection for its lifetime, so never for statements
 * whose text grows with their input (bulk inserts, long `in` lists). compiledOnce (prepared.ts) goes further
 * for the hottest statements: Node builds and compiles them once too. The pool stays its owner's to end.
 */
export function preparedKysely(pool: pg.Pool): Kysely<Database> {
  // Named by a hash of the text, worked out once per text (the texts are a bounded set, see above).
  const names = new Map<string, string>();
  const statementName = (text: string) => {
    let name = names.get(text);
    if (name === undefined) {
      name = `k_${createHash('sha1').update(text).digest('hex')}`;
      names.set(text, name);
    }
    return name;
  };
  return new Kysely<Database>({
    dialect: new PostgresDialect({
      pool: {
        async connect() {
          const client = await pool.connect();
          function query<R>(text: string, values: readonly unknown[]): Promise<PostgresQueryResult<R>>;
          function query<R>(cursor: PostgresCursor<R>): PostgresCursor<R>;
          function query(
            text: string | PostgresCursor<unknown>,
            values: readonly unknown[] = [],
          ): Promise<PostgresQueryResult<unknown>> | PostgresCursor<unknown> {
            if (typeof text !== 'string') throw new Error('preparedKysely does not stream');
            // pg's own result, as Kysely reads it from pg's pool (its type names only the commands Kysely sends).
            return client.query({ name: statementName(text), text, values: [...values] }) as Promise<
              PostgresQueryResult<unknown>
            >;
          }
          return { query, release: () => client.release() };
        },
        end: async () => {},
      },
    }),
  });
}
