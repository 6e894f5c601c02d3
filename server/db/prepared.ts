import type { Compilable } from 'kysely';
import type pg from 'pg';

/**
 * A Kysely lookup by a 32-byte hash (a token's, an API key's) run as a named prepared statement: built and
 * compiled once with a marker in place of the hash (wherever the query uses it); each call binds the real
 * one. PostgreSQL parses and plans it once per pooled connection, and Node skips building and compiling the
 * query on every call. For the hottest statements only (opening a respondent link, the API key); everything
 * else goes through Kysely as usual.
 */
export function preparedHashLookup<Row>(
  pool: pg.Pool,
  name: string,
  build: (hash: Buffer) => Compilable<Row>,
): (hash: Buffer) => Promise<Row[]> {
  const marker = Buffer.alloc(32);
  const { sql, parameters } = build(marker).compile();
  const at = parameters.flatMap((value, index) => (value === marker ? [index] : []));
  if (at.length === 0) throw new Error(`prepared query ${name}: the hash is not among the parameters`);
  return async (hash) => {
    const values = [...parameters];
    for (const index of at) values[index] = hash;
    const result = await pool.query({ name, text: sql, values });
    return result.rows as Row[];
  };
}
