import closeWithGrace from 'close-with-grace';
import type { FastifyInstance } from 'fastify';
import { buildApp } from './app.js';
import { type Config, ConfigError, loadConfig } from './config.js';
import type { EmbeddedDatabase } from './db/embedded.js';
import { migrateToLatest } from './db/migrator.js';

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

async function main() {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  const embedded = await startDatabase(config);
  if (embedded) config = { ...config, databaseUrl: embedded.url };

  const app = await buildApp(config, { pretty: Boolean(process.stdout.isTTY) });

  // A promise rejected and never handled is a bug to log, not a reason to drop every other request.
  process.on('unhandledRejection', (reason) => app.log.error({ err: reason }, 'unhandled promise rejection'));
  closeWithGrace(
    { delay: SHUTDOWN_LIMIT_MS, skip: ['unhandledRejection'], logger: { error: (m) => app.log.error(m) } },
    async ({ signal, err }) => {
      if (err) app.log.error({ err }, 'shutting down after an error');
      else app.log.info({ signal }, 'shutting down');
      // Order matters: the database goes last, after every request that was using it has finished.
      await closeApp(app);
      await embedded?.stop();
      app.log.info('stopped');
    },
  );

  await app.ready();
  const applied = await migrateToLatest(app.db);
  if (applied.length > 0) app.log.info({ migrations: applied }, 'migrations applied');
  await app.listen({ port: config.port, host: config.host });

  const where = embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  const createOrg =
    '    npm run --silent admin -- create-org --name "My company" --email me@example.com --password "a long password"';
  process.stdout.write(
    [
      '',
      `  Viktig/Dyktig is running at ${config.publicUrl}  (database: ${where})`,
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
