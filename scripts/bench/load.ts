// The bench's instruments: child processes, HTTP load (autocannon), sequential timing, pgbench, memory.
import { type ChildProcess, spawn } from 'node:child_process';
import { openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import autocannon from 'autocannon';
import { appRoot } from '../../server/paths.js';

export const progress = (message: string) =>
  process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${message}\n`);

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  if (sorted.length === 0) return Number.NaN;
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? Number.NaN;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

export interface Server {
  name: string;
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts `node <script>` with `env`, its stdout and stderr appended to `logFile`; resolves once `probe` answers. */
export async function startServer(
  name: string,
  script: string,
  env: Record<string, string>,
  logFile: string,
  probe: string,
  nodeArgs: readonly string[] = [],
): Promise<Server> {
  const port = await freePort();
  const log = openSync(logFile, 'a');
  const child = spawn(process.execPath, [...nodeArgs, script], {
    env: { ...process.env, ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', log, log],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}; see ${logFile}`);
    try {
      await fetch(`${url}${probe}`);
      break;
    } catch {
      if (Date.now() > deadline) throw new Error(`${name} did not answer within 60 s; see ${logFile}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  return {
    name,
    url,
    child,
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Load {
  rps: number;
  p50: number;
  p99: number;
  statuses: Record<string, number>;
  errors: number;
}

/** HTTP load with autocannon; `next` gives each request (a fresh path or body per request). */
export async function load(options: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  next: () => { method: 'GET' | 'POST'; path: string; body?: string; headers?: Record<string, string> };
}): Promise<Load> {
  const result = await autocannon({
    url: options.url,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.duration ?? 5 }),
    requests: [{ setupRequest: (request) => ({ ...request, ...options.next() }) }],
  });
  return {
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    statuses: { '2xx': result['2xx'], '3xx': result['3xx'], '4xx': result['4xx'], '5xx': result['5xx'] },
    errors: result.errors + result.timeouts,
  };
}

/**
 * Untimed GETs of each path (`amount` each) on a few connections at once, so that every app process
 * (WEB_CONCURRENCY) answers some: a server in use has run its routes before, and the figures are of a
 * warm process, not of the JIT compiler's first minutes. Every answer must be 200.
 */
export async function warmUp(
  url: string,
  paths: readonly string[],
  headers: Record<string, string>,
  amount: number,
): Promise<void> {
  for (const path of paths) {
    const result = await load({
      url,
      connections: 2 * BENCH_WEB_CONCURRENCY,
      amount,
      next: () => ({ method: 'GET', path, headers }),
    });
    if (result.statuses['2xx'] !== amount || result.errors > 0) {
      throw new Error(`warming ${path} up: ${JSON.stringify(result.statuses)}, ${result.errors} errors`);
    }
  }
}

/** One GET on `agent`, its body read to the end: the status. */
function get(url: string, headers: Record<string, string>, agent: http.Agent): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent }, (response) => {
        response.on('data', () => {});
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/**
 * `count` sequential requests on one keep-alive connection, after `warmup` untimed ones, each answered with
 * the `expected` status; times in ms, from
 * sending the request to the last byte of the answer. Node's own HTTP client: `fetch` (undici with WHATWG
 * streams) added 0.15–0.25 ms of the load generator's own work to each request on this machine.
 */
export async function timeRequests(
  url: string,
  headers: Record<string, string>,
  count: number,
  warmup = 2,
  expected = 200,
): Promise<number[]> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const times: number[] = [];
    for (let i = 0; i < warmup + count; i++) {
      const start = performance.now();
      const status = await get(url, headers, agent);
      if (status !== expected) throw new Error(`${url} answered ${status}`);
      if (i >= warmup) times.push(performance.now() - start);
    }
    return times;
  } finally {
    agent.destroy();
  }
}

export interface PgbenchResult {
  tps: number;
  p50: number;
  p99: number;
}

/** pgbench -M prepared with `clients` clients, `transactions` each; latencies from its per-transaction log. */
export async function pgbench(options: {
  url: string;
  script: string;
  clients: number;
  transactions: number;
  logDir: string;
}): Promise<PgbenchResult> {
  const url = new URL(options.url);
  const prefix = path.join(options.logDir, `pgbench-${Date.now()}`);
  const args = [
    '-n',
    '-M',
    'prepared',
    '-c',
    String(options.clients),
    '-j',
    '2',
    '-t',
    String(options.transactions),
    '-f',
    options.script,
    '-l',
    '--log-prefix',
    prefix,
    '-h',
    url.hostname,
    '-p',
    url.port,
    '-U',
    decodeURIComponent(url.username),
    url.pathname.slice(1),
  ];
  const output = await new Promise<string>((resolve, reject) => {
    const child = spawn('pgbench', args, {
      env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let text = '';
    child.stdout.on('data', (chunk) => {
      text += chunk;
    });
    child.stderr.on('data', (chunk) => {
      text += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolve(text) : reject(new Error(`pgbench exited with ${code}:\n${text}`)),
    );
  });
  const tps = Number(/tps = ([\d.]+) \(without initial connection time\)/.exec(output)?.[1]);
  if (!Number.isFinite(tps)) throw new Error(`pgbench: no tps in its output:\n${output}`);
  const failed = /number of failed transactions: (\d+)/.exec(output)?.[1];
  if (failed && failed !== '0') throw new Error(`pgbench: ${failed} transactions failed:\n${output}`);
  // Log lines: client_id transaction_no time_us script_no epoch_s epoch_us
  const latencies: number[] = [];
  const base = path.basename(prefix);
  for (const file of readdirSync(options.logDir).filter((name) => name.startsWith(base))) {
    for (const line of readFileSync(path.join(options.logDir, file), 'utf8').split('\n')) {
      const micros = Number(line.split(' ')[2]);
      if (line && Number.isFinite(micros)) latencies.push(micros / 1000);
    }
  }
  return { tps, p50: percentile(latencies, 0.5), p99: percentile(latencies, 0.99) };
}

/**
 * The app's processes: `pid` and, with WEB_CONCURRENCY > 1, its workers (its children running the app;
 * an embedded PostgreSQL it started is not one).
 */
export function appProcesses(pid: number): number[] {
  const workers: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const parent = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]?.split(' ')[1]);
      if (parent === pid && readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes('main.js')) {
        workers.push(Number(entry));
      }
    } catch {
      // The process ended while we looked.
    }
  }
  return [pid, ...workers];
}

/** Resident and peak resident memory of a process, in bytes (Linux /proc). */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (field: string) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(status)?.[1] ?? 0) * 1024;
  return { rss: kib('VmRSS'), peak: kib('VmHWM') };
}

/** Resets the peak resident memory (VmHWM) of a process, where the kernel lets us. */
export function resetPeakMemory(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

/** The session secret of every bench and profile run (the seeded tokens are made with it). */
export const BENCH_SESSION_SECRET = 'bench-session-secret-that-is-long-enough-0123456789';

/** App processes of the bench's app: BENCH_WEB_CONCURRENCY, else one per core (as docker-compose runs it). */
export const BENCH_WEB_CONCURRENCY = Number(process.env.BENCH_WEB_CONCURRENCY || os.availableParallelism());

/**
 * The compiled app (dist/server/main.js) as production runs it — NODE_ENV=production, WEB_CONCURRENCY
 * processes — against `databaseUrl`, logging at info to `<dataDir>/app.log`; with `profileDir`, under
 * `--cpu-prof` writing its profiles there (one per process).
 */
export async function startProductionApp(
  dataDir: string,
  databaseUrl: string,
  profileDir?: string,
): Promise<Server> {
  const logFile = path.join(dataDir, 'app.log');
  const app = await startServer(
    'app',
    path.join(appRoot, 'dist/server/main.js'),
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: databaseUrl,
      SESSION_SECRET: BENCH_SESSION_SECRET,
      DATA_DIR: path.join(dataDir, 'app'),
      WEB_CONCURRENCY: String(BENCH_WEB_CONCURRENCY),
    },
    logFile,
    '/login',
    profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
  );
  // The first worker may answer before the others listen.
  const deadline = Date.now() + 60_000;
  while (BENCH_WEB_CONCURRENCY > 1 && !readFileSync(logFile, 'utf8').includes('"app workers listening"')) {
    if (Date.now() > deadline)
      throw new Error(`the app's workers did not all listen within 60 s; see ${logFile}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return app;
}

/** utime, stime, cutime, cstime of a process, ms (USER_HZ 100). */
function processTimes(pid: number): { user: number; system: number; children: number } {
  const fields = (readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? []).map(Number);
  return {
    user: (fields[11] ?? 0) * 10,
    system: (fields[12] ?? 0) * 10,
    children: ((fields[13] ?? 0) + (fields[14] ?? 0)) * 10,
  };
}

/** The machine's times from /proc/stat, ms: user, system, idle, iowait, softirq, steal, and all of them. */
function machineTimes() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/).map(Number) ?? [];
  const at = (index: number) => (fields[index] ?? 0) * 10;
  return {
    user: at(1) + at(2),
    system: at(3),
    idle: at(4),
    iowait: at(5),
    softirq: at(7),
    steal: at(8),
    all: [1, 2, 3, 4, 5, 6, 7, 8].reduce((sum, index) => sum + at(index), 0),
  };
}

/** PostgreSQL's CPU, ms: every `postgres` process, with what its exited children (backends) used. */
function postgresCpu(): number {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .reduce((sum, pid) => {
      try {
        if (readFileSync(`/proc/${pid}/comm`, 'utf8').trim() !== 'postgres') return sum;
        const times = processTimes(Number(pid));
        return sum + times.user + times.system + times.children;
      } catch {
        return sum;
      }
    }, 0);
}

/** Where a load's CPU went, ms per request. */
export interface CpuPerRequest {
  app: number;
  appKernel: number;
  loadGenerator: number;
  postgres: number;
  machine: number;
  steal: number;
}

/**
 * Measures where the CPU goes while `run` sends requests to the app (every process of it: the primary and
 * its workers), per request answered (`answered` counts them from run's result): the app, its kernel time,
 * this process (the load generator), PostgreSQL, the whole machine busy, and the time the hypervisor took
 * away (steal).
 */
export async function cpuPerRequest<T>(
  appPid: number,
  run: () => Promise<T>,
  answered: (result: T) => number,
): Promise<{ result: T; cpu: CpuPerRequest }> {
  const appPids = appProcesses(appPid);
  const app = () =>
    appPids.reduce(
      (sum, pid) => {
        const times = processTimes(pid);
        return { all: sum.all + times.user + times.system, kernel: sum.kernel + times.system };
      },
      { all: 0, kernel: 0 },
    );
  const before = { app: app(), pg: postgresCpu(), self: process.cpuUsage(), machine: machineTimes() };
  const result = await run();
  const after = {
    app: app(),
    pg: postgresCpu(),
    self: process.cpuUsage(before.self),
    machine: machineTimes(),
  };
  const n = Math.max(1, answered(result));
  const busy = (times: ReturnType<typeof machineTimes>) => times.all - times.idle - times.iowait;
  return {
    result,
    cpu: {
      app: (after.app.all - before.app.all) / n,
      appKernel: (after.app.kernel - before.app.kernel) / n,
      loadGenerator: (after.self.user + after.self.system) / 1000 / n,
      postgres: (after.pg - before.pg) / n,
      machine: (busy(after.machine) - busy(before.machine)) / n,
      steal: (after.machine.steal - before.machine.steal) / n,
    },
  };
}

export const formatCpu = (cpu: CpuPerRequest) =>
  `app ${cpu.app.toFixed(2)} ms (kernel ${cpu.appKernel.toFixed(2)}), load generator ${cpu.loadGenerator.toFixed(2)} ms, PostgreSQL ${cpu.postgres.toFixed(2)} ms, whole machine ${cpu.machine.toFixed(2)} ms, steal ${cpu.steal.toFixed(2)} ms`;
