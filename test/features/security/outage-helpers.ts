import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * A TCP relay between the app and the test PostgreSQL. Taking it away is what a lost database looks like
 * from the app's side — open connections end, new ones are refused — without stopping the server other
 * test files share.
 */
export class DatabaseRelay {
  private server: net.Server | undefined;
  private readonly sockets = new Set<net.Socket>();
  private readonly upstreams = new Set<net.Socket>();

  private constructor(
    private readonly target: { host: string; port: number },
    readonly port: number,
  ) {}

  /** A relay to the database at `databaseUrl`, listening on a free local port. */
  static async start(databaseUrl: string): Promise<DatabaseRelay> {
    const url = new URL(databaseUrl);
    const relay = new DatabaseRelay({ host: url.hostname, port: Number(url.port || 5432) }, await freePort());
    await relay.accept();
    return relay;
  }

  /** `databaseUrl` with its host and port replaced by the relay's. */
  urlFor(databaseUrl: string): string {
    const url = new URL(databaseUrl);
    url.hostname = '127.0.0.1';
    url.port = String(this.port);
    return url.toString();
  }

  /** Listens (again) on the relay's port: the database is back. */
  async accept(): Promise<void> {
    if (this.server) return;
    const server = net.createServer((client) => {
      const upstream = net.connect(this.target.port, this.target.host);
      this.sockets.add(client).add(upstream);
      this.upstreams.add(upstream);
      const end = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        this.upstreams.delete(upstream);
      };
      for (const socket of [client, upstream]) {
        socket.on('error', end);
        socket.on('close', end);
      }
      client.pipe(upstream);
      upstream.pipe(client);
    });
    // The port of a relay just taken away may take a moment to be free again.
    for (let attempt = 0; ; attempt += 1) {
      try {
        await new Promise<void>((resolve, reject) => {
          server.once('error', reject);
          server.listen(this.port, '127.0.0.1', () => resolve());
        });
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EADDRINUSE' || attempt >= 50) throw error;
        await sleep(20);
      }
    }
    this.server = server;
  }

  /** The local ports of the relay's connections to the database (pg_stat_activity.client_port). */
  backendPorts(): number[] {
    return [...this.upstreams]
      .map((socket) => socket.localPort)
      .filter((port): port is number => port !== undefined);
  }

  /** New connections are refused (nothing listens on the port); open ones keep going. */
  refuse(): void {
    this.server?.close();
    this.server = undefined;
  }

  /** Refuses new connections and cuts the open ones. */
  cut(): void {
    this.refuse();
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    this.upstreams.clear();
  }
}

/** A TCP port nothing listens on (at the moment of asking). */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `databaseUrl` pointing at `port` on this host. */
export function atPort(databaseUrl: string, port: number): string {
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  return url.toString();
}

/** The port of the test PostgreSQL server. */
export function databaseServerPort(): number {
  return Number(new URL(inject('serverUrl')).port || 5432);
}

/** A superuser connection to the test server, directly (not through any relay), on `database`. */
export async function adminClient(databaseUrl: string): Promise<pg.Client> {
  const url = new URL(inject('serverUrl'));
  url.pathname = new URL(databaseUrl).pathname;
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
}

/** Ends the database connections of `ports` (the relay's), as an operator would with pg_terminate_backend. */
export async function terminateBackends(admin: pg.Client, ports: number[]): Promise<number> {
  const { rows } = await admin.query<{ terminated: boolean }>(
    `select pg_terminate_backend(pid) as terminated from pg_stat_activity
      where client_port = any($1) and pid <> pg_backend_pid()`,
    [ports],
  );
  return rows.filter((row) => row.terminated).length;
}

/** Waits until `count` database connections of `ports` wait for a lock. */
export async function waitForLockWaiters(
  admin: pg.Client,
  ports: number[],
  count: number,
  timeoutMs = 5000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { rows } = await admin.query<{
      state: string | null;
      wait_event_type: string | null;
      query: string;
    }>(
      `select state, wait_event_type, left(query, 100) as query from pg_stat_activity
        where client_port = any($1) and pid <> pg_backend_pid()`,
      [ports],
    );
    if (rows.filter((row) => row.wait_event_type === 'Lock').length >= count) return;
    if (Date.now() > deadline) {
      throw new Error(`expected ${count} connections waiting for a lock: ${JSON.stringify(rows)}`);
    }
    await sleep(20);
  }
}

/**
 * Errors nothing caught while `act` ran (and shortly after): in production any of them ends the process.
 * Vitest's own handler still sees them; this makes the test that caused them fail by name.
 */
export async function uncaughtDuring(act: () => Promise<void>, settleMs = 200): Promise<unknown[]> {
  const errors: unknown[] = [];
  const record = (error: unknown) => errors.push(error);
  process.on('uncaughtException', record);
  process.on('unhandledRejection', record);
  try {
    await act();
    await sleep(settleMs);
  } finally {
    process.off('uncaughtException', record);
    process.off('unhandledRejection', record);
  }
  return errors;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RawResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  text: string;
  ms: number;
}

/**
 * One HTTP request with the path sent exactly as written: no client normalises dot segments, double
 * slashes or percent-encoding on the way. The app must be listening (app.listen).
 */
export function rawRequest(
  app: FastifyInstance,
  method: string,
  path: string,
  options: { headers?: Record<string, string>; body?: string } = {},
): Promise<RawResponse> {
  const { port } = app.server.address() as AddressInfo;
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: '127.0.0.1', port, method, path, headers: options.headers, agent: false },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          text += chunk;
        });
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            text,
            ms: Date.now() - started,
          }),
        );
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Log lines written by the app, as text and parsed. */
export class CapturedLog {
  readonly lines: string[] = [];
  readonly stream = new Writable({
    write: (chunk, _encoding, done) => {
      this.lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });

  text(): string {
    return this.lines.join('\n');
  }

  /** The lines written while `act` ran, up to its request's "request completed" line. */
  async during(act: () => Promise<unknown>): Promise<Array<Record<string, unknown>>> {
    const start = this.lines.length;
    await act();
    const deadline = Date.now() + 2000;
    const parsed = () => this.lines.slice(start).map((line) => JSON.parse(line) as Record<string, unknown>);
    while (!parsed().some((line) => line.msg === 'request completed') && Date.now() < deadline)
      await sleep(10);
    return parsed();
  }
}

/** The paths logged for requests (the `req.url` of each request's one line, "request completed"). */
export function loggedUrls(lines: Array<Record<string, unknown>>): string[] {
  return lines
    .filter((line) => line.msg === 'request completed')
    .map((line) => (line.req as { url?: string } | undefined)?.url)
    .filter((url): url is string => typeof url === 'string');
}

/** Cookies as a browser keeps them, for requests that mix one browser's cookies with another's. */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Keeps the cookies a response sets; returns the response. */
  keep<T extends { headers: Record<string, unknown> }>(response: T): T {
    const setCookie = response.headers['set-cookie'];
    for (const cookie of Array.isArray(setCookie) ? setCookie : setCookie ? [String(setCookie)] : []) {
      const [pair = '', ...attributes] = String(cookie).split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const expired = attributes.some((attribute) => /^\s*max-age=0\s*$/i.test(attribute));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, pair.slice(index + 1).trim());
    }
    return response;
  }

  get(name: string): string {
    const value = this.cookies.get(name);
    if (value === undefined) throw new Error(`no cookie ${name}`);
    return value;
  }

  header(overrides: Record<string, string> = {}): string {
    return Object.entries({ ...Object.fromEntries(this.cookies), ...overrides })
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
  }
}

/** What a body must never show a client: the driver's codes and messages, the database's port, a stack. */
export function internalsIn(body: string, ports: number[]): string[] {
  const found: string[] = [];
  const patterns: Array<[string, RegExp]> = [
    ['ECONNREFUSED', /ECONNREFUSED/],
    ['ECONNRESET', /ECONNRESET/],
    ['Connection terminated', /Connection terminated/i],
    ['terminating connection', /terminating connection/i],
    ['57P01', /57P01/],
    ['"pg"', /\bpg\b|pg-pool|node-postgres|postgres/i],
    ['a stack frame', /\bat .+:\d+:\d+\)?/],
    ['127.0.0.1', /127\.0\.0\.1/],
  ];
  for (const [name, pattern] of patterns) if (pattern.test(body)) found.push(name);
  for (const port of ports) if (body.includes(String(port))) found.push(`port ${port}`);
  return found;
}
