import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { compiledOnce } from '../../server/db/prepared.js';
import { createTestDatabase } from '../helpers/app.js';

let pool: pg.Pool;
let db: Kysely<Database>;

beforeAll(async () => {
  pool = new pg.Pool({ connectionString: await createTestDatabase(), max: 2 });
  db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  await db
    .insertInto('organizations')
    .values([
      { name: 'Kompilert AS', min_group_size: 3 },
      { name: 'Kompilert AS', min_group_size: 5 },
      { name: 'Bundet AS', min_group_size: 5 },
    ])
    .execute();
});
afterAll(async () => {
  await db.destroy();
});

type Filter = { name: string; size: string | undefined };

/** Organisations by name, and by minimum group size when one is given: two shapes. */
function organizations(database: Kysely<Database>, { name, size }: Filter) {
  return database
    .selectFrom('organizations')
    .select(['name', 'min_group_size'])
    .where('name', '=', name)
    .$if(size !== undefined, (query) => query.where(sql<string>`min_group_size::text`, '=', size as string))
    .orderBy('min_group_size');
}

describe('compiledOnce', () => {
  it('answers what the query built each time answers, for each shape and each call’s values', async () => {
    let built = 0;
    const compiled = compiledOnce('organizations', (database: Kysely<Database>, values: Filter) => {
      built += 1;
      return organizations(database, values);
    });
    const calls: Filter[] = [
      { name: 'Kompilert AS', size: undefined },
      { name: 'Bundet AS', size: undefined },
      { name: 'Kompilert AS', size: '5' },
      { name: 'Kompilert AS', size: '3' },
      { name: 'Ingen AS', size: '3' },
    ];
    for (const values of calls) {
      const once = await db.executeQuery(compiled(db, values));
      expect(once.rows).toEqual(await organizations(db, values).execute());
    }
    expect((await db.executeQuery(compiled(db, calls[2] as Filter))).rows).toEqual([
      { name: 'Kompilert AS', min_group_size: 5 },
    ]);
    // Built once per shape: with and without a size.
    expect(built).toBe(2);
  });

  it('binds a value used several times everywhere it is used', async () => {
    const compiled = compiledOnce('twice', (database: Kysely<Database>, { name }: { name: string }) =>
      database
        .selectFrom('organizations')
        .select(sql<boolean>`${name} = name`.as('same'))
        .where('name', '=', name),
    );
    const { rows } = await db.executeQuery(compiled(db, { name: 'Bundet AS' }));
    expect(rows).toEqual([{ same: true }]);
  });

  it('refuses a query that makes a value part of its text leaves a value out, or makes a parameter of it', () => {
    const inlined = compiledOnce('inlined', (database: Kysely<Database>, { name }: { name: string }) =>
      database.selectFrom('organizations').select('id').where('name', '=', sql.lit(name)),
    );
    expect(() => inlined(db, { name: 'Bundet AS' })).toThrow(/a value is part of the text/);
    const unused = compiledOnce('unused', (database: Kysely<Database>, _: { name: string }) =>
      database.selectFrom('organizations').select('id'),
    );
    expect(() => unused(db, { name: 'Bundet AS' })).toThrow(/name is not among the parameters/);
    // A parameter made from a value (a pattern) would be sent as the marker: refused, even beside the value.
    const derived = compiledOnce('derived', (database: Kysely<Database>, { name }: { name: string }) =>
      database
        .selectFrom('organizations')
        .select('id')
        .where('name', '=', name)
        .where('name', 'like', `%${name}%`),
    );
    expect(() => derived(db, { name: 'Bundet AS' })).toThrow(/a parameter is made from a value/);
  });
});
