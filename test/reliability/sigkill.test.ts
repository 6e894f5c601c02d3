import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Database } from '../../server/db/database.js';
import { createTestDatabase } from '../helpers/app.js';
import { appSessions, connect, dropTestDatabase, lockingClient, terminateAppSessions } from './postgres.js';
import { type AppProcess, httpRequest, startApp, waitFor } from './process.js';
import {
  acknowledged,
  openWave,
  startLoad,
  storageProblems,
  storedResponses,
  submit,
  summarize,
} from './wave.js';

describe('SIGKILL under load, then a restart on the same database', () => {
  let root: string | undefined;
  const apps: AppProcess[] = [];
  let db: Kysely<Database> | undefined;
  let databaseUrl: string | undefined;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });

  afterAll(async () => {
    agent.destroy();
    for (const app of apps) await app.kill();
    await db?.destroy().catch(() => {});
    if (databaseUrl) await dropTestDatabase(databaseUrl).catch(() => {});
    if (root) rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('leaves no half-written response, keeps every acknowledged one, and serves again', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'vd-reliability-sigkill-'));
    chmodSync(root, 0o755);
    databaseUrl = await createTestDatabase();
    const options = {
      databaseUrl,
      dataDir: path.join(root, 'app-data'),
      logFile: path.join(root, 'app.log'),
    };
    const first = await startApp(options);
    apps.push(first);
    onTestFailed(() => console.error(`--- app output ---\n${first.output()}`));
    db = connect(databaseUrl);
    const wave = await openWave(first.baseUrl, db, 300);

    const load = startLoad({ baseUrl: first.baseUrl, invitations: wave.invitations, clients: 6, agent });
    const lock = await lockingClient(databaseUrl);
    let inFlightAtKill: Set<string>;
    try {
      await load.waitForAcks(30);
      // Catch submissions mid-transaction: with `answers` locked, each waits after inserting its response
      // row and before its answers — the moment a crash would leave a half-written response if anything could.
      await lock.query('begin');
      await lock.query('lock table answers in access exclusive mode');
      await waitFor(async () => (await appSessions(lock, { waiting: true })) >= 3, {
        timeoutMs: 30_000,
        what: 'submissions to wait inside their transactions',
      });
      inFlightAtKill = load.inFlight();
      first.signal('SIGKILL');
      await first.exited;
      // A statement the dead app already sent would still run once the lock is free; end its sessions
      // while they are held, so that whatever it had not committed must vanish.
      await terminateAppSessions(lock);
      await lock.query('rollback');
      await waitFor(async () => (await appSessions(lock)) === 0, {
        timeoutMs: 30_000,
        what: "the killed app's database sessions to end",
      });
    } finally {
      await lock.end().catch(() => {});
      await load.stop();
    }

    const stored = await storedResponses(db, wave);
    const acked = wave.invitations.filter((invitation) => load.acked.has(invitation.id));
    expect(inFlightAtKill.size, 'submissions in flight at the kill').toBeGreaterThanOrEqual(3);
    // No half-written response: every stored response is submitted with one answer per criterion × dimension.
    const halfWritten = stored.filter(
      (response) =>
        response.status !== 'submitted' ||
        response.answers.size !== wave.criterionIds.length * 2 ||
        [...response.answers.values()].some((scores) => scores.length !== 1),
    );
    expect(
      halfWritten.map((response) => response.invitationId),
      'responses without all their answers',
    ).toEqual([]);
    // Every acknowledged submission is there, exactly as sent; what was cut off is not there at all.
    expect(acked.flatMap((invitation) => storageProblems(stored, invitation))).toEqual([]);
    const unexpected = stored.filter(
      (response) => !load.acked.has(response.invitationId) && !inFlightAtKill.has(response.invitationId),
    );
    expect(unexpected.map((response) => response.invitationId)).toEqual([]);

    // Restarted on the same database, it serves again: the cut-off submissions now go through.
    const second = await startApp(options);
    apps.push(second);
    onTestFailed(() => console.error(`--- restarted app output ---\n${second.output()}`));
    const ready = await httpRequest(`${second.baseUrl}/readyz`, { agent: false });
    expect(ready.status).toBe(200);
    const retried = wave.invitations.filter((invitation) => inFlightAtKill.has(invitation.id));
    const results = await Promise.all(retried.map((invitation) => submit(second.baseUrl, invitation, false)));
    expect(
      results.filter((result) => !acknowledged(result)),
      summarize(results),
    ).toEqual([]);
    const after = await storedResponses(db, wave);
    expect(retried.flatMap((invitation) => storageProblems(after, invitation))).toEqual([]);
  }, 240_000);
});
