import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { connect, PostgresCluster } from './postgres.js';
import { type AppProcess, alive, type HttpResult, httpRequest, sleep, startApp, waitFor } from './process.js';
import {
  acknowledged,
  openWave,
  startLoad,
  startOpening,
  storageProblems,
  storedResponses,
  summarize,
  unavailableProblems,
} from './wave.js';

// The app runs against a PostgreSQL of this file's own, never the suite's shared server: this test stops it.
describe.each([
  { processes: 'one app process', webConcurrency: undefined },
  { processes: 'WEB_CONCURRENCY=2', webConcurrency: 2 },
])('the database stops abruptly while respondents submit ($processes)', ({ webConcurrency }) => {
  let root: string;
  let cluster: PostgresCluster | undefined;
  let app: AppProcess | undefined;
  let db: Kysely<Database> | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
  const openingAgent = new http.Agent({ keepAlive: true, maxSockets: 12 });

  beforeAll(async () => {
    root = mkdtempSync(path.join(tmpdir(), 'vd-reliability-outage-'));
    chmodSync(root, 0o755);
    cluster = await PostgresCluster.create(root);
    await cluster.start();
    await cluster.createDatabase('viktig_dyktig');
    app = await startApp({
      databaseUrl: cluster.url('viktig_dyktig'),
      dataDir: path.join(root, 'app-data'),
      logFile: path.join(root, 'app.log'),
      webConcurrency,
    });
    db = connect(cluster.url('viktig_dyktig'));
  }, 180_000);

  afterAll(async () => {
    agent.destroy();
    openingAgent.destroy();
    await app?.kill();
    await db?.destroy().catch(() => {});
    await cluster?.stop().catch(() => {});
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('answers 503 without internals while it is down (submitting and opening links), recovers, and keeps every acknowledged submission exactly once', async () => {
    if (!app || !cluster || !db) throw new Error('set-up failed');
    const running = app;
    const database = cluster;
    onTestFailed(() => {
      console.error(`--- app output ---\n${running.output()}\n--- postgres log ---\n${database.log()}`);
    });
    const wave = await openWave(app.baseUrl, db, 400);
    const load = startLoad({ baseUrl: app.baseUrl, invitations: wave.invitations, clients: 6, agent });
    const opening = startOpening({
      baseUrl: app.baseUrl,
      invitations: wave.invitations,
      clients: 12,
      agent: openingAgent,
    });
    const probes: Array<HttpResult & { path: string }> = [];
    try {
      await load.waitForAcks(30);

      // Down abruptly: every backend is killed at once, in the middle of whatever it was doing.
      await cluster.stopImmediately();
      const downAt = Date.now();
      while (Date.now() - downAt < 4000) {
        for (const probe of ['/healthz', '/readyz']) {
          probes.push({ ...(await httpRequest(`${app.baseUrl}${probe}`, { agent: false })), path: probe });
        }
        await sleep(400);
      }
      const restartAt = Date.now();
      await cluster.start();

      let readyAfterMs = Number.NaN;
      await waitFor(
        async () => {
          const ready = await httpRequest(`${running.baseUrl}/readyz`, { agent: false, timeoutMs: 5000 });
          if (ready.status === 200) readyAfterMs = Date.now() - restartAt;
          return ready.status === 200 || running.exit() !== null || Date.now() - restartAt > 25_000;
        },
        { timeoutMs: 30_000, what: '/readyz after the restart' },
      );
      const readyAt = restartAt + readyAfterMs;
      if (Number.isFinite(readyAfterMs) && running.exit() === null) {
        await load.waitForAcks(30, (attempt) => attempt.startedAt >= readyAt, 60_000).catch(() => {});
      }
      await load.stop();
      await opening.stop();

      const attempts = load.attempts;
      const duringOutage = attempts.filter((a) => a.startedAt >= downAt && a.endedAt <= restartAt);
      const afterReady = attempts.filter((a) => Number.isFinite(readyAt) && a.startedAt >= readyAt);
      const ports = [database.port, running.port];

      // The process never went down, nor did any of its workers.
      expect(running.exit(), 'the app process exited').toBeNull();
      expect(alive(running.workers), 'app workers still running').toEqual(running.workers);
      // Every request got an answer, and quickly.
      expect(
        attempts.filter((a) => a.status === 0),
        `requests without a response: ${summarize(attempts)}`,
      ).toEqual([]);
      const slowest = Math.max(...[...attempts, ...probes].map((a) => a.endedAt - a.startedAt));
      expect(slowest, 'the slowest answer to a submission or probe (ms)').toBeLessThan(10_000);
      // While it was down: 503 UNAVAILABLE, nothing of the internals; never anything else but 200 or that.
      expect(duringOutage.length, 'submissions sent while the database was down').toBeGreaterThanOrEqual(6);
      expect(
        duringOutage.flatMap((a) => unavailableProblems(a, ports)),
        `during the outage: ${summarize(duringOutage)}`,
      ).toEqual([]);
      expect(
        attempts.filter((a) => !acknowledged(a)).flatMap((a) => unavailableProblems(a, ports)),
        `every refused submission is a clean 503: ${summarize(attempts)}`,
      ).toEqual([]);
      // Openings alike: answered, a clean 503 while it was down, 200 again once it is ready.
      const openings = opening.results;
      expect(
        openings.filter((o) => o.status !== 200).flatMap((o) => unavailableProblems(o, ports)),
        `every refused opening is a clean 503: ${summarize(openings)}`,
      ).toEqual([]);
      expect(
        openings.filter((o) => o.startedAt >= downAt && o.endedAt <= restartAt).length,
        'openings while the database was down',
      ).toBeGreaterThanOrEqual(12);
      expect(
        openings.filter((o) => o.status === 200 && o.startedAt >= readyAt).length,
        `openings after recovery: ${summarize(openings)}`,
      ).toBeGreaterThanOrEqual(12);
      // Liveness stays up, readiness goes down.
      const health = probes.filter((p) => p.path === '/healthz');
      const ready = probes.filter((p) => p.path === '/readyz');
      expect(health.length).toBeGreaterThanOrEqual(3);
      expect(health.map((p) => p.status)).toEqual(health.map(() => 200));
      expect(ready.map((p) => p.status)).toEqual(ready.map(() => 503));
      // Back within 20 s, and submitting again.
      expect(readyAfterMs, '/readyz 200 after the restart (ms)').toBeLessThan(20_000);
      expect(
        afterReady.filter(acknowledged).length,
        `acknowledged after recovery: ${summarize(afterReady)}`,
      ).toBeGreaterThanOrEqual(30);

      // The error path logs no respondent token (the link is the respondent's credential).
      const log = running.output(Number.POSITIVE_INFINITY);
      const logged = wave.invitations.filter((invitation) =>
        log.includes(invitation.path.slice('/r/'.length)),
      );
      expect(logged.length, 'respondent tokens in the app output').toBe(0);

      // Every acknowledged submission is stored exactly once with all its answers.
      const stored = await storedResponses(db, wave);
      const acked = wave.invitations.filter((invitation) => load.acked.has(invitation.id));
      expect(acked.flatMap((invitation) => storageProblems(stored, invitation))).toEqual([]);
      // And nothing is half there: every stored response is complete (a retried one was acknowledged later).
      const incomplete = stored.filter((response) => response.answers.size !== wave.criterionIds.length * 2);
      expect(incomplete.map((response) => response.invitationId)).toEqual([]);
    } finally {
      await load.stop();
      await opening.stop();
    }
  }, 240_000);
});
