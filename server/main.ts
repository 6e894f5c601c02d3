import cluster from 'node:cluster';
import closeWithGrace from 'close-with-grace';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import { connectStandalone } from './db/connect.js';
import type { EmbeddedDatabase } from './db/embedded.js';
import { migrateToLatest } from './db/migrator.js';
import { loggerOptions } from './logger.js';
import { STOP_WORKER, startWorkers, type Workers } from './workers.js';

/** In-flight requests get this long to finish after a stop signal; then their connections are cut. */
const REQUEST_GRACE_MS = 10_000;
/** The whole shutdown (requests, pool, workers, embedded database) gives up after this long. */
const SHUTDOWN_LIMIT_MS = 25_000;

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function startDatabase(config: Config): Promise<EmbeddedDatabase | undefined> {
  if (config.databaseUrl) return undefined;
  // Imported only here: with DATABASE_URL the embedded database's package is never loaded.
  const { EmbeddedDatabaseBusyError, startEmbeddedPostgres } = await import('./db/embedded.js');
  try {
    return await startEmbeddedPostgres(config.dataDir, (message) => process.stdout.write(`${message}\n`));
  } catch (error) {
    if (error instanceof EmbeddedDatabaseBusyError) fail(error.message);
    fail(`${(error as Error).message}`);
  }
}

/** Stop accepting, let in-flight requests finish (at most REQUEST_GRACE_MS), then close the pool and workers. */
async function closeApp(app: FastifyInstance) {
  const cut = setTimeout(() => {
    app.log.warn('requests still running after the grace period: closing their connections');
    app.server.closeAllConnections();
  }, REQUEST_GRACE_MS);
  try {
    await app.close();
  } finally {
    clearTimeout(cut);
  }
}

/**
 * Runs `steps` once, on the first stop signal or uncaught error, or when the returned `stop` is called (the
 * primary's word to a worker), logging why and when it is done. Unhandled rejections are logged, not fatal:
 * one is a bug to fix, not a reason to drop every other request.
 */
function stopOnce(log: FastifyBaseLogger, steps: () => Promise<void>): () => Promise<void> {
  process.on('unhandledRejection', (reason) => log.error({ err: reason }, 'unhandled promise rejection'));
  let stopping: Promise<void> | undefined;
  const stop = () =>
    (stopping ??= (async () => {
      await steps();
      log.info('stopped');
    })());
  closeWithGrace(
    { delay: SHUTDOWN_LIMIT_MS, skip: ['unhandledRejection'], logger: { error: (m) => log.error(m) } },
    async ({ signal, err }) => {
      if (err) log.error({ err }, 'shutting down after an error');
      else log.info({ signal }, 'shutting down');
      await stop();
    },
  );
  return stop;
}

/**
 * Builds the app and closes it gracefully on a stop signal — in a worker also when the primary asks, or
 * when the primary is gone. The embedded database, when this process owns it, stops last.
 */
async function serve(config: Config, embedded: EmbeddedDatabase | undefined): Promise<FastifyInstance> {
  // A worker listens for the primary's word from its first moment: asked to stop (or orphaned) while it
  // starts, it has served nothing and ends at once; once the app is built, it closes it first.
  let stopWorker: (reason: string) => void = () => process.exit(0);
  if (cluster.isWorker) {
    process.on('message', (message) => {
      if (message === STOP_WORKER) stopWorker('asked by the primary');
    });
    process.on('disconnect', () => stopWorker('the primary is gone'));
  }
  const app = await buildApp(config, { pretty: Boolean(process.stdout.isTTY) });
  // Order matters: the database goes last, after every request that was using it has finished.
  const stop = stopOnce(app.log, async () => {
    await closeApp(app);
    await embedded?.stop();
  });
  stopWorker = (reason) => {
    app.log.info({ reason }, 'shutting down');
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  await app.ready();
  return app;
}

/**
 * WEB_CONCURRENCY > 1: this process (the primary) owns the embedded database and the migrations, forks the
 * workers that serve the port, and on a stop signal stops them before the database.
 */
async function superviseWorkers(config: Config, embedded: EmbeddedDatabase | undefined): Promise<boolean> {
  const { databaseUrl } = config;
  if (!databaseUrl)
    throw new Error('superviseWorkers needs config.databaseUrl (main starts the embedded database)');
  const log = pino(loggerOptions(config.logLevel, Boolean(process.stdout.isTTY)));
  // Set up first: a stop signal while the database is migrated or the workers start stops whatever runs
  // by then (the workers, then the database), and nothing is started after it.
  let stopping = false;
  let workers: Workers | undefined;
  const stop = stopOnce(log, async () => {
    stopping = true;
    await workers?.stop();
    await embedded?.stop();
  });
  // The primary has no app: it migrates on a connection of its own.
  try {
    const standalone = await connectStandalone(config);
    try {
      const applied = await migrateToLatest(standalone.db);
      if (applied.length > 0) log.info({ migrations: applied }, 'migrations applied');
    } finally {
      await standalone.close();
    }
  } catch (error) {
    // Stopped under the migration: its transaction is rolled back with the database.
    if (stopping) return false;
    throw error;
  }
  if (stopping) return false;
  workers = startWorkers(config.webConcurrency, { DATABASE_URL: databaseUrl }, log);
  let serving = false;
  try {
    serving = await workers.listening;
  } catch (error) {
    await stop();
    fail((error as Error).message);
  }
  workers.failed.catch(async (error: Error) => {
    log.fatal({ err: error }, 'stopping: the app workers cannot be kept running');
    await stop();
    process.exit(1);
  });
  return serving;
}

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  // A worker is given DATABASE_URL by the primary, which has migrated the database and prints the banner.
  if (cluster.isWorker) {
    const app = await serve(config, undefined);
    await app.listen({ port: config.port, host: config.host });
    return;
  }

  const embedded = await startDatabase(config);
  if (embedded) config = { ...config, databaseUrl: embedded.url };

  if (config.webConcurrency > 1) {
    // Stopped while starting: no banner for an app that is going away.
    if (!(await superviseWorkers(config, embedded))) return;
  } else {
    const app = await serve(config, embedded);
    const applied = await migrateToLatest(app.db);
    if (applied.length > 0) app.log.info({ migrations: applied }, 'migrations applied');
    await app.listen({ port: config.port, host: config.host });
  }

  const processes = config.webConcurrency > 1 ? `; ${config.webConcurrency} app processes` : '';
  const where = embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  const createOrg =
    '    npm run --silent admin -- create-org --name "My company" --email me@example.com --password "a long password"';
  process.stdout.write(
    [
      '',
      `  Viktig/Dyktig is running at ${config.publicUrl}  (database: ${where}${processes})`,
      '',
      ...(config.smtpUrl
        ? [
            '  Create the first organisation in the browser (the address is confirmed by email):',
            `    ${config.publicUrl}/signup`,
            '  or from another terminal:',
            createOrg,
          ]
        : [
            '  Create the first organisation from another terminal:',
            createOrg,
            '  then log in at',
            `    ${config.publicUrl}/login`,
            '  (No SMTP_URL: email goes to the outbox at /outbox instead of being sent, so sign-up in the',
            '  browser, which confirms the address by email, needs SMTP_URL — e.g. Mailpit from docker compose.)',
          ]),
      '',
    ].join('\n'),
  );
}

await main();
