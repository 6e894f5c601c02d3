import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { preparedKysely } from '../../server/db/prepared-kysely.js';
import { createTestDatabase } from '../helpers/app.js';

// One connection, so that what the statements left prepared on it can be read back through it.
let pool: pg.Pool;
let plain: Kysely<Database>;
let prepared: Kysely<Database>;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 1 });
  plain = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  prepared = preparedKysely(pool);
});
afterAll(async () => {
  await prepared.destroy();
  await pool.end();
});

const named = (db: Kysely<Database>, name: string) =>
  db.selectFrom('organizations').select(['name', 'min_group_size']).where('name', '=', name);

const preparedOnConnection = async () =>
  (await sql<{ statement: string }>`select statement from pg_prepared_statements`.execute(plain)).rows.map(
    (row) => row.statement,
  );

describe('preparedKysely', () => {
  it('answers what Kysely answers, binding each call’s values', async () => {
    await plain
      .insertInto('organizations')
      .values([{ name: 'Forberedt AS' }, { name: 'Planlagt AS' }])
      .execute();
    for (const name of ['Forberedt AS', 'Planlagt AS', 'Ingen AS']) {
      expect(await named(prepared, name).execute()).toEqual(await named(plain, name).execute());
    }
    expect(await named(prepared, 'Planlagt AS').execute()).toEqual([
      { name: 'Planlagt AS', min_group_size: 3 },
    ]);
  });

  it('prepares each statement once per connection, named by its text, whatever its values', async () => {
    const text = named(prepared, 'Forberedt AS').compile().sql;
    await named(prepared, 'Forberedt AS').execute();
    await named(prepared, 'Planlagt AS').execute();
    expect((await preparedOnConnection()).filter((statement) => statement === text)).toHaveLength(1);
  });

  it('leaves the pool open when it is destroyed: the pool is its owner’s', async () => {
    const another = preparedKysely(pool);
    await another.destroy();
    expect(await named(plain, 'Forberedt AS').execute()).toHaveLength(1);
  });
});
