import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
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
    /** This run's folder: logs/ of every test app, and tokens.txt, the respondent tokens they sent out. */
    runDir: string;
  }
}

/**
 * One PostgreSQL for the run — TEST_DATABASE_URL (or DATABASE_URL) when given, else an embedded one in a
 * fresh temporary folder — and one migrated template database that each test file clones into its own.
 */
export default async function setup(project: TestProject) {
  let embedded: EmbeddedDatabase | undefined;
  let dataDir: string | undefined;
  async function startOwnServer(): Promise<string> {
    dataDir = mkdtempSync(path.join(tmpdir(), 'viktig-dyktig-test-'));
    chmodSync(dataDir, 0o755);
    embedded = await startEmbeddedPostgres(dataDir);
    return embedded.url;
  }
  const serverUrl = testDatabaseUrl() ?? (await startOwnServer());

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
    // pg-boss installs its schema at start; done once here, every test database inherits it.
    const boss = new PgBoss({
      connectionString: withDatabase(serverUrl, templateDatabase),
      supervise: false,
      schedule: false,
    });
    await boss.start();
    await boss.stop({ graceful: false, close: true, wait: true });
  } catch (error) {
    await embedded?.stop();
    throw error;
  }

  const runDir = mkdtempSync(path.join(tmpdir(), 'viktig-dyktig-run-'));
  project.provide('serverUrl', serverUrl);
  project.provide('templateDatabase', templateDatabase);
  project.provide('runDir', runDir);

  return async () => {
    try {
      assertNoTokenLogged(runDir);
    } catch (error) {
      // vitest reports an error thrown here but keeps its exit code: set it, so the run fails.
      process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    } finally {
      await stopDatabase();
    }
  };

  async function stopDatabase() {
    if (embedded) {
      await embedded.stop();
      if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    } else {
      await adminQuery(serverUrl, `drop database if exists ${templateDatabase} with (force)`);
    }
  }
}

/**
 * Every respondent token a test app sent out, searched for in every log line of the run. A token in a log
 * fails the run (the folder is kept for inspection); otherwise the folder is removed.
 */
export function assertNoTokenLogged(runDir: string) {
  const tokensFile = path.join(runDir, 'tokens.txt');
  const tokens = existsSync(tokensFile)
    ? new Set(readFileSync(tokensFile, 'utf8').split('\n').filter(Boolean))
    : new Set<string>();
  const logDir = path.join(runDir, 'logs');
  const logs = existsSync(logDir) ? readdirSync(logDir).map((file) => path.join(logDir, file)) : [];
  const leaks = logs.filter((file) => {
    const text = readFileSync(file, 'utf8');
    return [...tokens].some((token) => text.includes(token));
  });
  if (leaks.length > 0) {
    throw new Error(
      `Respondent tokens found in ${leaks.length} log file(s) of this run (of ${tokens.size} tokens sent): ${leaks.join(', ')}`,
    );
  }
  process.stdout.write(
    `\nNo respondent token in the logs: ${tokens.size} tokens, ${logs.length} log files.\n`,
  );
  rmSync(runDir, { recursive: true, force: true });
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
