import { Kysely, NO_MIGRATIONS, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrator } from '../../server/db/migrator.js';
import { withDatabase } from '../helpers/database-url.js';

let db: Kysely<any>;
beforeAll(async () => {
  // An empty database (not the migrated template), to run the migrations from the start.
  const { inject } = await import('vitest');
  const serverUrl = inject('serverUrl');
  const name = `vd_migrations_${process.pid}_${Date.now()}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  db = new Kysely({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: withDatabase(serverUrl, name) }) }),
  });
});
afterAll(async () => {
  await db.destroy();
});

describe('migrations', () => {
  it('give organisations that existed before the surveys migration the default criteria library', async () => {
    const migrator = createMigrator(db);
    const first = await migrator.migrateTo('2026-11-22T1000-foundation');
    expect(first.error).toBeUndefined();
    await db.insertInto('organizations').values({ name: 'Early AS' }).execute();
    const rest = await migrator.migrateToLatest();
    expect(rest.error).toBeUndefined();
    const criteria = await db
      .selectFrom('criteria')
      .select(['key', 'audience'])
      .orderBy('position')
      .execute();
    expect(criteria).toHaveLength(13);
    expect(criteria.at(-1)).toEqual({ key: 'crm_system', audience: 'seller' });
  });

  it('run down to nothing and up again', async () => {
    const migrator = createMigrator(db);
    const down = await migrator.migrateTo(NO_MIGRATIONS);
    expect(down.error).toBeUndefined();
    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(up.results?.every((r) => r.status === 'Success')).toBe(true);
  });

  it('leave room on each new page of invitations for opening the link to update its row in place', async () => {
    await createMigrator(db).migrateToLatest();
    const { rows } = await sql<{ reloptions: string[] | null }>`
      select reloptions from pg_class where oid = 'invitations'::regclass`.execute(db);
    expect(rows[0]?.reloptions).toEqual(['fillfactor=85']);
  });
});
