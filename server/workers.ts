import cluster, { type Worker } from 'node:cluster';
import type { Logger } from 'pino';

/** The message a worker gets when it is to finish its requests and stop (main.ts). */
export const STOP_WORKER = 'viktig-dyktig:stop';

/** More worker deaths than this within RESTART_WINDOW_MS, and the primary gives up and stops. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;
const RESTART_DELAY_MS = 1000;

export class WorkersFailedError extends Error {}

export interface Workers {
  /**
   * True once every worker listens; false when `stop` came first. Rejects when a worker exits before
   * (nothing to retry).
   */
  listening: Promise<boolean>;
  /**
   * Asks every worker to finish its requests and stop, and resolves when all have exited. Callable from
   * the moment the workers are forked: a stop signal while they start stops them like any other time.
   */
  stop(): Promise<void>;
  /** Rejects when the workers cannot be kept running (they keep dying); the primary should then stop. */
  failed: Promise<never>;
}

/**
 * The primary of WEB_CONCURRENCY > 1: forks `count` workers running this same entry point (node:cluster
 * shares the port between them), and replaces a worker that dies. `listening` resolves once `count` of them
 * listen. A worker that exits by itself before then, or too many deaths in a minute, means something is
 * wrong that a restart will not mend (a taken port, a bad configuration): `listening` rejects, or `failed`
 * does later, and the caller stops the rest. A worker killed by a signal while starting was stopped from
 * outside — often by the same Ctrl-C that is about to reach the primary — and is replaced like any other.
 * Once `stop` is called, no exit is a failure.
 *
 * Workers share nothing in memory that must agree: sessions, rate limits and the mail queue live in
 * PostgreSQL, and what a worker caches (compiled pages, a wave's criteria) never changes once made.
 */
export function startWorkers(count: number, env: Record<string, string>, log: Logger): Workers {
  let stopping = false;
  let started = false;
  const deaths: number[] = [];
  let fail: (error: Error) => void = () => {};
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  // Only observed by whoever awaits it; never an unhandled rejection.
  failed.catch(() => {});
  const exits = new Map<Worker, Promise<void>>();
  /** The live workers that listen. */
  const serving = new Set<Worker>();
  /** True once `count` workers listen, false if `stop` comes first: whichever happens first. */
  let settle: (all: boolean) => void = () => {};
  const allListening = new Promise<boolean>((resolve) => {
    settle = resolve;
  });

  const fork = () => {
    const worker = cluster.fork(env);
    worker.once('listening', () => {
      serving.add(worker);
      if (serving.size === count) settle(true);
    });
    exits.set(
      worker,
      new Promise((resolve) => {
        worker.once('exit', (code, signal) => {
          exits.delete(worker);
          serving.delete(worker);
          resolve();
          if (stopping) return;
          log.error({ worker: worker.process.pid, code, signal }, 'app worker died');
          if (!started && signal === null) {
            return fail(new WorkersFailedError('an app worker exited while starting'));
          }
          const now = Date.now();
          deaths.push(now);
          if (deaths.filter((at) => at > now - RESTART_WINDOW_MS).length > MAX_RESTARTS) {
            return fail(new WorkersFailedError(`more than ${MAX_RESTARTS} app workers died within a minute`));
          }
          setTimeout(() => {
            if (!stopping) fork();
          }, RESTART_DELAY_MS).unref();
        });
      }),
    );
  };

  for (let i = 0; i < count; i++) fork();
  const stop = async () => {
    stopping = true;
    settle(false);
    // A worker that listens is asked to finish its requests. One still starting may not hear the message
    // yet (it listens for it once its modules are loaded) and has served nothing: a SIGTERM ends it.
    for (const worker of exits.keys()) {
      if (worker.isConnected() && serving.has(worker)) worker.send(STOP_WORKER);
      else worker.process.kill('SIGTERM');
    }
    await Promise.all(exits.values());
  };
  const listening = Promise.race([allListening, failed]).then((all) => {
    if (all) {
      started = true;
      log.info({ workers: count }, 'app workers listening');
    }
    return all;
  });
  return { listening, stop, failed };
}
