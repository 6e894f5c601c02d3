import { type ChildProcess, spawn } from 'node:child_process';
import {
  chmodSync,
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { onTestFailed } from 'vitest';
import { createTestDatabase } from '../helpers/app.js';

/** The repository root: the app is started from here as `node --import tsx server/main.ts`. */
const ROOT = path.resolve(import.meta.dirname, '../..');

export const SESSION_SECRET = 'reliability-test-session-secret-0123456789abcdef';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
  at: number;
}

export interface AppProcess {
  pid: number;
  /** The worker processes it started with (WEB_CONCURRENCY > 1; else none). */
  workers: number[];
  port: number;
  baseUrl: string;
  /** Resolves when the process has exited. */
  exited: Promise<Exit>;
  /** How the process ended, or null while it runs. */
  exit(): Exit | null;
  signal(signal: NodeJS.Signals): void;
  /** Signals the process group, as a terminal's Ctrl-C does (needs `ownProcessGroup`). */
  signalGroup(signal: NodeJS.Signals): void;
  /** What the process wrote to stdout and stderr so far (the last `chars` characters). */
  output(chars?: number): string;
  /** Kills the process if it still runs and waits for it to end. */
  kill(): Promise<void>;
}

export interface StartOptions {
  /** Unset: the app starts its embedded PostgreSQL under `dataDir`. */
  databaseUrl?: string;
  dataDir: string;
  /** stdout and stderr are appended here. */
  logFile: string;
  port?: number;
  /** Start the app in a process group of its own, like a shell's foreground job, so the group can be signalled. */
  ownProcessGroup?: boolean;
  /** WEB_CONCURRENCY: app processes serving the port (unset: the app's default, one). */
  webConcurrency?: number;
  /**
   * Return as soon as the primary has forked its WEB_CONCURRENCY workers, while they are still starting
   * (before any of them listens), instead of waiting for /healthz.
   */
  whileWorkersStart?: boolean;
}

/**
 * Starts the real app as a child process, the way an operator does, with a clean environment (so a
 * DATABASE_URL of the shell running the tests never leaks in), and waits until it answers /healthz.
 */
export async function startApp(options: StartOptions): Promise<AppProcess> {
  const port = options.port ?? (await freePort());
  const baseUrl = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TMPDIR: process.env.TMPDIR,
    NODE_ENV: 'production',
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: baseUrl,
    SESSION_SECRET,
    LOG_LEVEL: 'info',
    DATA_DIR: options.dataDir,
    ...(options.databaseUrl ? { DATABASE_URL: options.databaseUrl } : {}),
    ...(options.webConcurrency ? { WEB_CONCURRENCY: String(options.webConcurrency) } : {}),
  };
  const log = openSync(options.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT,
      env,
      stdio: ['ignore', log, log],
      detached: options.ownProcessGroup === true,
    });
  } finally {
    closeSync(log);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('the app did not start');
  let exit: Exit | null = null;
  const exited = new Promise<Exit>((resolve) => {
    child.once('exit', (code, signal) => {
      exit = { code, signal, at: Date.now() };
      resolve(exit);
    });
  });
  const output = (chars = 4000) => {
    const text = existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8') : '';
    return text.slice(-chars);
  };
  const app: AppProcess = {
    pid,
    workers: [],
    port,
    baseUrl,
    exited,
    exit: () => exit,
    signal: (signal) => {
      child.kill(signal);
    },
    signalGroup: (signal) => {
      if (!options.ownProcessGroup) throw new Error('the app has no process group of its own');
      process.kill(-pid, signal);
    },
    output,
    async kill() {
      if (exit) return;
      child.kill('SIGKILL');
      await exited;
    },
  };
  try {
    if (options.whileWorkersStart) {
      await waitFor(
        () => {
          if (exit) throw new Error(`the app exited (${JSON.stringify(exit)}) while starting:\n${output()}`);
          if (output().includes('app workers listening')) throw new Error('the workers started too soon');
          return appWorkers(app).length === options.webConcurrency;
        },
        { timeoutMs: 120_000, intervalMs: 10, what: 'the primary to fork its workers' },
      );
      app.workers = appWorkers(app);
      return app;
    }
    await waitFor(
      async () => {
        if (exit) throw new Error(`the app exited (${JSON.stringify(exit)}) before serving:\n${output()}`);
        return (await httpRequest(`${baseUrl}/healthz`, { timeoutMs: 2000, agent: false })).status === 200;
      },
      { timeoutMs: 120_000, what: `the app to answer ${baseUrl}/healthz` },
    );
    app.workers = appWorkers(app);
    const workers = (options.webConcurrency ?? 1) > 1 ? (options.webConcurrency as number) : 0;
    if (app.workers.length !== workers) {
      throw new Error(`the app runs ${app.workers.length} workers:\n${output()}`);
    }
  } catch (error) {
    await app.kill();
    throw error;
  }
  return app;
}

/** Which of `pids` are still running. */
export function alive(pids: number[]): number[] {
  return pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
}

export interface HttpResult {
  status: number;
  body: string;
  /** A network error's code (ECONNREFUSED, ECONNRESET, TIMEOUT…) when there was no response. */
  error?: string;
  startedAt: number;
  endedAt: number;
}

/**
 * One HTTP request that never throws: a refused connection, a reset or a time-out is reported as
 * status 0 with its code. `agent: false` forces a new connection.
 */
export function httpRequest(
  url: string,
  options: {
    method?: string;
    headers?: Record<string, string>;
    body?: unknown;
    timeoutMs?: number;
    agent?: http.Agent | false;
  } = {},
): Promise<HttpResult> {
  const startedAt = Date.now();
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve) => {
    let settled = false;
    const settle = (result: Omit<HttpResult, 'startedAt' | 'endedAt'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, startedAt, endedAt: Date.now() });
    };
    const request = http.request(
      url,
      {
        method: options.method ?? 'GET',
        agent: options.agent,
        headers: {
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(payload)) }),
          ...options.headers,
        },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          settle({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        response.on('error', (error: NodeJS.ErrnoException) =>
          settle({ status: 0, body: '', error: error.code ?? error.message }),
        );
      },
    );
    const timer = setTimeout(() => {
      settle({ status: 0, body: '', error: 'TIMEOUT' });
      request.destroy();
    }, options.timeoutMs ?? 15_000);
    request.on('error', (error: NodeJS.ErrnoException) =>
      settle({ status: 0, body: '', error: error.code ?? error.message }),
    );
    request.end(payload);
  });
}

/** Polls `check` until it returns true; throws after `timeoutMs`, naming what it waited for. */
export async function waitFor(
  check: () => Promise<boolean> | boolean,
  options: { timeoutMs: number; intervalMs?: number; what: string },
): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 100);
  }
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Resolves with the exit, or null when the process is still running after `ms`. */
export function exitWithin(app: AppProcess, ms: number): Promise<Exit | null> {
  return Promise.race([app.exited, sleep(ms).then(() => null)]);
}

export function freePort(): Promise<number> {
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

const tempRoots: string[] = [];

/**
 * A temporary folder for a test's app and databases, readable by every user (as root, PostgreSQL runs as
 * the OS user postgres); removed by `removeTempRoots` in the file's afterAll.
 */
export function tempRoot(name: string): string {
  const root = mkdtempSync(path.join(tmpdir(), `vd-reliability-${name}-`));
  chmodSync(root, 0o755);
  tempRoots.push(root);
  return root;
}

export function removeTempRoots(): void {
  for (const root of tempRoots.splice(0)) rmSync(root, { recursive: true, force: true });
}

/** Pids of the live processes whose parent is `pid` (an app's workers). */
export function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // The fields after the command name (which may hold spaces): state, then the parent's pid.
      const parent = readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1];
      if (Number(parent) === pid) children.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return children;
}

/** The app's worker processes still alive (WEB_CONCURRENCY > 1); its embedded PostgreSQL is not one. */
export function appWorkers(app: AppProcess): number[] {
  return childrenOf(app.pid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('server/main.ts');
    } catch {
      return false;
    }
  });
}

/** Pids of live processes whose command line mentions `text` (e.g. a postgres running on a data dir). */
export function processesMentioning(text: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8').replaceAll('\0', ' ');
      if (commandLine.includes(text)) pids.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

/**
 * The app started on a database of its own on the suite's PostgreSQL, in a fresh folder; `keep` records
 * the app and the database for the test file's clean-up, and a failing test prints the app's output.
 */
export async function startOnTestDatabase(
  name: string,
  options: Omit<StartOptions, 'databaseUrl' | 'dataDir' | 'logFile'>,
  keep: { apps: AppProcess[]; databases: string[] },
): Promise<{ app: AppProcess; databaseUrl: string }> {
  const root = tempRoot(name);
  const databaseUrl = await createTestDatabase();
  keep.databases.push(databaseUrl);
  const app = await startApp({
    databaseUrl,
    dataDir: path.join(root, 'app-data'),
    logFile: path.join(root, 'app.log'),
    ...options,
  });
  keep.apps.push(app);
  onTestFailed(() => console.error(`--- app output ---\n${app.output()}`));
  return { app, databaseUrl };
}
