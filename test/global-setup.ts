import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { testDatabaseUrl } from '../server/config.js';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../server/db/embedded.js';
import { migrateToLatest } from '../server/db/migrator.js';
import { withDatabase } from './helpers/database-url.js';

declare module 'vitest' {
  interface ProvidedContext {
    /** A server URL on which tests may create databases. */
    serverUrl: string;
    /** A migrated database every test file clones. */
    templateDatabase: string;
  }
}

/**
 * One PostgreSQL for the run — TEST_DATABASE_URL (or DATABASE_URL) when given, else an embedded one in a
 * fresh temporary folder — and one migrated template database that each test file clones into its own.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  let serverUrl = testDatabaseUrl();
  if (!serverUrl) {
    dataDir = mkdtempSync(path.join(tmpdir(), 'viktig-dyktig-test-'));
    chmodSync(dataDir, 0o755);
    embedded = await startEmbeddedPostgres(dataDir);
    serverUrl = embedded.url;
  }

  const templateDatabase = `vd_template_${process.pid}`;
  try {
    await adminQuery(serverUrl, `drop database if exists ${templateDatabase}`);
    await adminQuery(serverUrl, `create database ${templateDatabase}`);
    const db = new Kysely<unknown>({
      dialect: new PostgresDialect({
        pool: new pg.Pool({ connectionString: withDatabase(serverUrl, templateDatabase) }),
      }),
    });
    try {
      await migrateToLatest(db);
    } finally {
      await db.destroy();
    }
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);

  return async () => {
    if (embedded) {
      await embedded.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    } else {
      await adminQuery(serverUrl, `drop database if exists ${templateDatabase} with (force)`);
    }
  };
}

async function adminQuery(serverUrl: string, statement: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}
