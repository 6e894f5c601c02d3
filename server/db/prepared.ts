import DataLoader from 'dataloader';
import type { Compilable, CompiledQuery } from 'kysely';
import type pg from 'pg';

/** The values a query compiled once takes: each a parameter of the statement, or absent. */
type Values = Record<string, string | Buffer | undefined>;

const MARK = '\u0000compiled-once\u0000';

/**
 * A Kysely query built and compiled once per shape, with markers in place of its values; each call binds
 * the real ones. The shape is which values are present: `build` may leave a condition out for an absent
 * value, but must not look at a present one (it sees a marker), and must pass each present one to the
 * statement as a parameter, as it is. Compiling checks all three. Node then skips building and compiling the query on
 * every call: for the hottest statements (opening a respondent link, the API key, a report's figures),
 * where that was a measurable part of the request.
 */
export function compiledOnce<Db, V extends Values, Row>(
  name: string,
  build: (db: Db, values: V) => Compilable<Row>,
): (db: Db, values: V) => CompiledQuery<Row> {
  const shapes = new Map<string, { query: CompiledQuery<Row>; at: Array<[number, keyof V]> }>();
  return (db, values) => {
    const present = Object.keys(values).filter((key) => values[key] !== undefined);
    const shape = present.join(',');
    let compiled = shapes.get(shape);
    if (!compiled) {
      const markers: Values = { ...values };
      for (const key of present) {
        const marker = `${MARK}${key}${MARK}`;
        markers[key] = Buffer.isBuffer(values[key]) ? Buffer.from(marker) : marker;
      }
      const query = build(db, markers as V).compile();
      if (query.sql.includes(MARK)) throw new Error(`compiled query ${name}: a value is part of the text`);
      const at = query.parameters.flatMap((value, index) => {
        const key = present.find((candidate) => value === markers[candidate]);
        return key === undefined ? [] : [[index, key] as [number, keyof V]];
      });
      // A value the query turned into another parameter (a pattern, a slice) would be sent as its marker.
      query.parameters.forEach((value, index) => {
        const derived =
          (typeof value === 'string' || Buffer.isBuffer(value)) &&
          value.includes(MARK) &&
          !at.some(([i]) => i === index);
        if (derived) throw new Error(`compiled query ${name}: a parameter is made from a value`);
      });
      for (const key of present) {
        if (!at.some(([, used]) => used === key)) {
          throw new Error(`compiled query ${name}: ${key} is not among the parameters`);
        }
      }
      compiled = { query, at };
      shapes.set(shape, compiled);
    }
    const parameters = [...compiled.query.parameters];
    for (const [index, key] of compiled.at) parameters[index] = values[key];
    return { ...compiled.query, parameters };
  };
}

/**
 * A Kysely lookup by a 32-byte hash (a token's, an API key's) run as a named prepared statement, compiled
 * once (compiledOnce): PostgreSQL parses and plans it once per pooled connection, and Node builds and
 * compiles it once per process.
 */
export function preparedHashLookup<Row>(
  pool: pg.Pool,
  name: string,
  build: (hash: Buffer) => Compilable<Row>,
): (hash: Buffer) => Promise<Row[]> {
  const compiled = compiledOnce(name, (_: null, { hash }: { hash: Buffer }) => build(hash));
  return async (hash) => {
    const { sql, parameters } = compiled(null, { hash });
    const result = await pool.query({ name, text: sql, values: [...parameters] });
    return result.rows as Row[];
  };
}

/**
 * Lookups by a 32-byte hash, batched: the lookups asked for in one turn of the event loop (the requests read
 * from the sockets together) run as one named prepared statement, `build` taking their hashes for an `in`
 * list and `hashOf` telling which row answers which. Under load one statement answers tens of requests:
 * PostgreSQL's per-statement work, the round trip and the wake-ups are shared; alone, a lookup waits for
 * nothing but the end of its turn (setImmediate). At most `maxBatch` hashes a statement; a row per hash,
 * the first one the statement returns.
 *
 * The list is padded (with its first hash) to a power of two, and each length is its own statement
 * (`<name>_<length>`), compiled once: PostgreSQL then moves each to a generic plan after its first few
 * runs. One statement over a `bytea[]` parameter would be planned again on every run — its plans for
 * short arrays look cheaper than a generic one — and planning costs more than running it.
 */
export function batchedHashLookup<Row>(
  pool: pg.Pool,
  name: string,
  build: (hashes: readonly Buffer[]) => Compilable<Row>,
  hashOf: (row: Row) => Buffer,
  maxBatch = 64,
): (hash: Buffer) => Promise<Row | undefined> {
  const byLength = new Map<number, ReturnType<typeof compiledOnce<null, Values, Row>>>();
  const loader = new DataLoader<Buffer, Row | undefined>(
    async (hashes) => {
      const length = 2 ** Math.ceil(Math.log2(hashes.length));
      const statement = `${name}_${length}`;
      let compiled = byLength.get(length);
      if (!compiled) {
        compiled = compiledOnce(statement, (_: null, values: Values) =>
          build(Object.values(values) as Buffer[]),
        );
        byLength.set(length, compiled);
      }
      const values: Values = {};
      for (let i = 0; i < length; i++) values[`h${i}`] = hashes[i] ?? hashes[0];
      const { sql, parameters } = compiled(null, values);
      const { rows } = await pool.query({ name: statement, text: sql, values: [...parameters] });
      const byHash = new Map<string, Row>();
      for (const row of rows as Row[]) {
        const key = hashOf(row).toString('latin1');
        if (!byHash.has(key)) byHash.set(key, row);
      }
      return hashes.map((hash) => byHash.get(hash.toString('latin1')));
    },
    { cache: false, maxBatchSize: maxBatch, batchScheduleFn: (run) => setImmediate(run) },
  );
  return (hash) => loader.load(hash);
}
