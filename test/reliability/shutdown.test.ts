import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { afterAll, describe, expect, it, onTestFailed } from 'vitest';
import type { Database } from '../../server/db/database.js';
import {
  appSessions,
  connect,
  dropTestDatabase,
  embeddedUrl,
  lockingClient,
  PostgresCluster,
  stopLeftoverPostmaster,
} from './postgres.js';
import {
  type AppProcess,
  alive,
  type Exit,
  exitWithin,
  type HttpResult,
  httpRequest,
  processesMentioning,
  removeTempRoots,
  type StartOptions,
  sleep,
  startApp,
  startOnTestDatabase,
  tempRoot,
  waitFor,
} from './process.js';
import { type OpenWave, only, openWave, storageProblems, storedResponses, submit } from './wave.js';

const apps: AppProcess[] = [];
const databases: Kysely<Database>[] = [];
const clusters: PostgresCluster[] = [];
const sharedDatabases: string[] = [];
const keep = { apps, databases: sharedDatabases };
const embeddedClusters: string[] = [];

afterAll(async () => {
  for (const app of apps) await app.kill();
  for (const db of databases) await db.destroy().catch(() => {});
  for (const cluster of clusters) await cluster.stop().catch(() => {});
  // A killed app leaves its embedded PostgreSQL running.
  for (const clusterDir of embeddedClusters) await stopLeftoverPostmaster(clusterDir).catch(() => {});
  for (const url of sharedDatabases) await dropTestDatabase(url).catch(() => {});
  removeTempRoots();
}, 120_000);

interface Observed {
  /** The response to the submission that was held in the database while the signal arrived. */
  submission: HttpResult;
  /** A request on a new connection, sent one second after the signal. */
  newConnection: HttpResult;
  /** How the process had ended when the lock was released (null: still running, as it must). */
  exitBeforeRelease: Exit | null;
  /** How the process ended, within 15 s of the release. */
  exit: Exit | null;
  exitAfterReleaseMs: number;
}

/**
 * Holds one submission in the middle of its transaction (the `answers` table locked by another client,
 * so saveResponse waits after inserting the response row), sends the signal, waits a second, tries a new
 * connection, then releases the lock and watches the submission and the process finish.
 */
async function signalWithSubmissionHeld(
  app: AppProcess,
  databaseUrl: string,
  wave: OpenWave,
  send: (app: AppProcess) => void,
): Promise<Observed> {
  const invitation = only(wave.invitations);
  const lock = await lockingClient(databaseUrl);
  try {
    await lock.query('begin');
    await lock.query('lock table answers in access exclusive mode');
    const pending = submit(app.baseUrl, invitation, false, 60_000);
    await waitFor(async () => (await appSessions(lock, { waiting: true })) >= 1, {
      timeoutMs: 30_000,
      what: 'the submission to wait for the lock on answers',
    });

    send(app);
    await sleep(1000);
    const newConnection = await httpRequest(`${app.baseUrl}/healthz`, { agent: false, timeoutMs: 5000 });
    const exitBeforeRelease = app.exit();

    // The database may already be gone (a shutdown that did not wait): the assertions below say so.
    await lock.query('rollback').catch(() => {});
    const releasedAt = Date.now();
    const submission = await pending;
    const exit = await exitWithin(app, 15_000);
    return {
      submission,
      newConnection,
      exitBeforeRelease,
      exit,
      exitAfterReleaseMs: exit ? exit.at - releasedAt : Number.POSITIVE_INFINITY,
    };
  } finally {
    await lock.end().catch(() => {});
  }
}

/** What a graceful stop looks like from outside; compared as one object so a failure shows every deviation. */
const GRACEFUL = {
  processWaitedForTheSubmission: true,
  newConnectionAfterTheSignal: 'refused or 503',
  submission: { status: 200, body: JSON.stringify({ status: 'submitted' }) },
  exit: { code: 0, signal: null },
  exitedWithin10sOfTheRelease: true,
};

function outcome(observed: Observed) {
  const { newConnection, submission, exit } = observed;
  return {
    processWaitedForTheSubmission: observed.exitBeforeRelease === null,
    newConnectionAfterTheSignal:
      newConnection.error === 'ECONNREFUSED' || newConnection.status === 503
        ? 'refused or 503'
        : `${newConnection.status || newConnection.error} ${newConnection.body.slice(0, 200)}`,
    submission: { status: submission.status || submission.error, body: submission.body.slice(0, 300) },
    exit: exit ? { code: exit.code, signal: exit.signal } : 'still running 15 s after the release',
    exitedWithin10sOfTheRelease: observed.exitAfterReleaseMs < 10_000,
  };
}

describe.each([
  { processes: 'one app process', webConcurrency: undefined },
  { processes: 'WEB_CONCURRENCY=2 (a primary and two workers)', webConcurrency: 2 },
])('graceful shutdown with a submission in flight: $processes', ({ webConcurrency }) => {
  it('SIGTERM: the held submission completes and is stored, new connections are turned away, exit code 0', async () => {
    const { app, databaseUrl } = await startOnTestDatabase('sigterm', { webConcurrency }, keep);
    const db = connect(databaseUrl);
    databases.push(db);
    const wave = await openWave(app.baseUrl, db, 1);

    const observed = await signalWithSubmissionHeld(app, databaseUrl, wave, (running) =>
      running.signal('SIGTERM'),
    );

    expect({ ...outcome(observed), appProcessesLeft: alive(app.workers) }).toEqual({
      ...GRACEFUL,
      appProcessesLeft: [],
    });
    const stored = await storedResponses(db, wave);
    expect(storageProblems(stored, only(wave.invitations))).toEqual([]);
  }, 180_000);

  it('SIGINT with the embedded database: the held submission is stored before PostgreSQL stops, which stops with the app', async () => {
    await shutDownEmbedded((app) => app.signal('SIGINT'), { webConcurrency });
  }, 240_000);

  // A terminal's Ctrl-C signals the whole foreground process group: the app (with WEB_CONCURRENCY, the
  // primary and every worker) and, unless it is kept out of the group, the embedded PostgreSQL it started —
  // which then stops at once, under the held submission.
  it('Ctrl-C in a terminal (SIGINT to the process group) with the embedded database: the same', async () => {
    await shutDownEmbedded((app) => app.signalGroup('SIGINT'), { ownProcessGroup: true, webConcurrency });
  }, 240_000);
});

/** The app started on an embedded database of its own, in a fresh folder (cleaned up after the file). */
async function startEmbedded(name: string, options: Omit<StartOptions, 'dataDir' | 'logFile'>) {
  const root = tempRoot(name);
  const dataDir = path.join(root, 'data');
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  const clusterDir = path.join(dataDir, 'postgres');
  embeddedClusters.push(clusterDir);
  const app = await startApp({ dataDir, logFile: path.join(root, 'app.log'), ...options });
  apps.push(app);
  onTestFailed(() => console.error(`--- app output ---\n${app.output()}`));
  return { app, root, dataDir, clusterDir };
}

async function shutDownEmbedded(
  send: (app: AppProcess) => void,
  options: { ownProcessGroup?: boolean; webConcurrency?: number } = {},
) {
  const { app, root, dataDir, clusterDir } = await startEmbedded('sigint', options);
  const databaseUrl = embeddedUrl(dataDir);
  const setup = connect(databaseUrl);
  const wave = await openWave(app.baseUrl, setup, 1);
  await setup.destroy();

  const observed = await signalWithSubmissionHeld(app, databaseUrl, wave, send);

  expect({
    ...outcome(observed),
    appProcessesLeft: alive(app.workers),
    postgresProcessesLeft: processesMentioning(clusterDir),
    postmasterPidFileLeft: existsSync(path.join(clusterDir, 'postmaster.pid')),
  }).toEqual({ ...GRACEFUL, appProcessesLeft: [], postgresProcessesLeft: [], postmasterPidFileLeft: false });

  // Stored, durably: start the cluster again on our own and look.
  const password = readFileSync(path.join(dataDir, 'postgres-password'), 'utf8').trim();
  const cluster = await PostgresCluster.adopt(clusterDir, root, password);
  clusters.push(cluster);
  await cluster.start();
  const db = connect(cluster.url('viktig_dyktig'));
  databases.push(db);
  const stored = await storedResponses(db, wave);
  expect(storageProblems(stored, only(wave.invitations))).toEqual([]);
}

// A stop signal can come while the workers are still starting (a deploy that changes its mind, Ctrl-C
// right after `npm start`): the workers and then the embedded database stop as at any other time.
describe('a stop signal while the workers start (WEB_CONCURRENCY=2, embedded database)', () => {
  it.each([
    { signal: 'SIGTERM to the primary', send: (app: AppProcess) => app.signal('SIGTERM') },
    { signal: 'Ctrl-C (SIGINT to the process group)', send: (app: AppProcess) => app.signalGroup('SIGINT') },
  ])(
    '$signal: exit code 0, no worker and no PostgreSQL left, no failure to start, no banner',
    async ({ send }) => {
      const { app, clusterDir } = await startEmbedded('starting', {
        ownProcessGroup: true,
        webConcurrency: 2,
        whileWorkersStart: true,
      });
      send(app);
      const exit = await exitWithin(app, 30_000);
      const log = app.output(Number.POSITIVE_INFINITY);
      expect({
        exit: exit ? { code: exit.code, signal: exit.signal } : 'still running 30 s after the signal',
        workersLeft: alive(app.workers),
        postgresProcessesLeft: processesMentioning(clusterDir),
        postmasterPidFileLeft: existsSync(path.join(clusterDir, 'postmaster.pid')),
        // A worker may die of the Ctrl-C before the primary hears it: reported, but no failure to start.
        startFailed: /exited while starting|cannot be kept running/.test(log),
        saidItIsRunning: log.includes('is running at'),
      }).toEqual({
        exit: { code: 0, signal: null },
        workersLeft: [],
        postgresProcessesLeft: [],
        postmasterPidFileLeft: false,
        startFailed: false,
        saidItIsRunning: false,
      });
    },
    180_000,
  );
});
