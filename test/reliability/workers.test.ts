import http from 'node:http';
import net from 'node:net';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { createTestDatabase } from '../helpers/app.js';
import { connect, dropTestDatabase } from './postgres.js';
import {
  type AppProcess,
  alive,
  appWorkers,
  exitWithin,
  freePort,
  httpRequest,
  removeTempRoots,
  startApp,
  startOnTestDatabase,
  tempRoot,
  waitFor,
} from './process.js';
import { openWave, startLoad, storageProblems, storedResponses, summarize } from './wave.js';

const apps: AppProcess[] = [];
const databases: Kysely<Database>[] = [];
const sharedDatabases: string[] = [];
const keep = { apps, databases: sharedDatabases };

afterAll(async () => {
  for (const app of apps) await app.kill();
  for (const db of databases) await db.destroy().catch(() => {});
  for (const url of sharedDatabases) await dropTestDatabase(url).catch(() => {});
  removeTempRoots();
}, 120_000);

/** The processes that answered requests, from the pid on the app's access-log lines. */
function pidsThatServed(app: AppProcess): Set<number> {
  const pids = new Set<number>();
  for (const line of app.output(Number.POSITIVE_INFINITY).split('\n')) {
    if (!line.includes('"request completed"')) continue;
    const pid = JSON.parse(line).pid;
    if (typeof pid === 'number') pids.add(pid);
  }
  return pids;
}

describe('WEB_CONCURRENCY=2: a primary and two workers serving one port', () => {
  it('spreads connections over both workers, replaces one killed under load, and every respondent gets through once', async () => {
    const { app, databaseUrl } = await startOnTestDatabase('workers', { webConcurrency: 2 }, keep);
    const db = connect(databaseUrl);
    databases.push(db);
    const wave = await openWave(app.baseUrl, db, 120);
    const [victim, survivor] = app.workers as [number, number];

    const agent = new http.Agent({ keepAlive: true, maxSockets: 6 });
    const load = startLoad({ baseUrl: app.baseUrl, invitations: wave.invitations, clients: 6, agent });
    let replacement: number | undefined;
    try {
      await load.waitForAcks(20);
      process.kill(victim, 'SIGKILL');
      await waitFor(
        () => {
          replacement = appWorkers(app).find((pid) => pid !== survivor && pid !== victim);
          return replacement !== undefined;
        },
        { timeoutMs: 30_000, what: 'a worker to replace the killed one' },
      );
      // Every submission cut off with the killed worker is tried again, and goes through.
      await load.waitForAcks(wave.invitations.length, () => true, 120_000);
    } finally {
      await load.stop();
      agent.destroy();
    }

    expect(app.exit(), 'the primary keeps running').toBeNull();
    expect(alive([victim, survivor])).toEqual([survivor]);
    // New connections take turns between the workers: the replacement gets one within a few.
    await waitFor(
      async () => {
        await httpRequest(`${app.baseUrl}/healthz`, { agent: false });
        return pidsThatServed(app).has(replacement ?? 0);
      },
      { timeoutMs: 30_000, what: 'the replacement worker to answer a request' },
    );
    const served = pidsThatServed(app);
    expect({ victim: served.has(victim), survivor: served.has(survivor) }, summarize(load.attempts)).toEqual({
      victim: true,
      survivor: true,
    });
    const stored = await storedResponses(db, wave);
    expect(wave.invitations.flatMap((invitation) => storageProblems(stored, invitation))).toEqual([]);

    app.signal('SIGTERM');
    expect(await exitWithin(app, 20_000)).toMatchObject({ code: 0, signal: null });
    expect(alive([survivor, replacement ?? 0])).toEqual([]);
  }, 240_000);

  it('stops with exit code 1, saying why, when a worker cannot listen', async () => {
    const root = tempRoot('workers-port');
    const databaseUrl = await createTestDatabase();
    sharedDatabases.push(databaseUrl);
    const port = await freePort();
    const taken = net.createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      const started = startApp({
        databaseUrl,
        dataDir: path.join(root, 'app-data'),
        logFile: path.join(root, 'app.log'),
        port,
        webConcurrency: 2,
      });
      await expect(started).rejects.toThrow(/exited \(\{"code":1,.*an app worker exited while starting/s);
      // Nothing is left answering on the port but its owner.
      expect((await httpRequest(`http://127.0.0.1:${port}/healthz`, { agent: false })).status).toBe(0);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  }, 120_000);

  it('replaces a worker killed while the workers start, and serves on both', async () => {
    const { app } = await startOnTestDatabase(
      'workers-killed-starting',
      { webConcurrency: 2, whileWorkersStart: true },
      keep,
    );
    const [killed] = app.workers;
    process.kill(killed as number, 'SIGKILL');
    await waitFor(
      async () => {
        if (app.exit()) throw new Error(`the primary exited: ${JSON.stringify(app.exit())}`);
        return app.output(Number.POSITIVE_INFINITY).includes('app workers listening');
      },
      { timeoutMs: 60_000, what: 'both workers listening' },
    );
    expect((await httpRequest(`${app.baseUrl}/healthz`, { agent: false })).status).toBe(200);
    const workers = appWorkers(app);
    expect(workers).toHaveLength(2);
    expect(workers).not.toContain(killed);
  }, 120_000);
});
