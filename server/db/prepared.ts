import type { Compilable } from 'kysely';
import type pg from 'pg';

/**
 * A Kysely query run as a named prepared statement: built and compiled once, with `marker` in place of its
 * one varying parameter (wherever the query uses it); each call binds the real value. PostgreSQL parses and
 * plans it once per pooled connection, and Node skips building and compiling the query on every call. For
 * the hottest statements only (opening a respondent link); everything else goes through Kysely as usual.
 */
export function preparedQuery<Row, Param extends object>(
  pool: pg.Pool,
  name: string,
  build: (param: Param) => Compilable<Row>,
  marker: Param,
): (param: Param) => Promise<Row[]> {
  const { sql, parameters } = build(marker).compile();
  const at = parameters.flatMap((value, index) => (value === marker ? [index] : []));
  if (at.length === 0) throw new Error(`prepared query ${name}: the marker is not among the parameters`);
  return async (param) => {
    const values = [...parameters];
    for (const index of at) values[index] = param;
    const result = await pool.query({ name, text: sql, values });
    return result.rows as Row[];
  };
}

/** preparedQuery for a lookup by a 32-byte hash (a token's, an API key's): the marker is made here. */
export function preparedHashLookup<Row>(
  pool: pg.Pool,
  name: string,
  build: (hash: Buffer) => Compilable<Row>,
): (hash: Buffer) => Promise<Row[]> {
  return preparedQuery<Row, Buffer>(pool, name, build, Buffer.alloc(32));
}
