import closeWithGrace from 'close-with-grace';
import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { EmbeddedDatabaseBusyError, startEmbeddedPostgres } from './db/embedded.js';
import { migrateToLatest } from './db/migrator.js';

function fail(message: string): never {
  process.stderr.write(`\n${message}\n\n`);
  process.exit(1);
}

async function main() {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }

  let embedded: Awaited<ReturnType<typeof startEmbeddedPostgres>> | undefined;
  if (!config.databaseUrl) {
    try {
      embedded = await startEmbeddedPostgres(config.dataDir, (message) =>
        process.stdout.write(`${message}\n`),
      );
    } catch (error) {
      if (error instanceof EmbeddedDatabaseBusyError) fail(error.message);
      fail(`${(error as Error).message}`);
    }
    config = { ...config, databaseUrl: embedded.url };
  }

  const app = await buildApp(config, { pretty: Boolean(process.stdout.isTTY) });

  closeWithGrace({ delay: 8000 }, async ({ signal, err }) => {
    if (err) app.log.error({ err }, 'shutting down after an error');
    else app.log.info({ signal }, 'shutting down');
    await app.close();
    await embedded?.stop();
  });

  await app.ready();
  const applied = await migrateToLatest(app.db);
  if (applied.length > 0) app.log.info({ migrations: applied }, 'migrations applied');
  await app.listen({ port: config.port, host: config.host });

  const where = embedded ? `embedded PostgreSQL in ${config.dataDir}` : 'DATABASE_URL';
  process.stdout.write(
    [
      '',
      `  Viktig/Dyktig is running at ${config.publicUrl}  (database: ${where})`,
      '',
      '  Create the first organisation in the browser:',
      `    ${config.publicUrl}/signup`,
      '  or from another terminal:',
      '    npm run --silent admin -- create-org --name "My company" --email me@example.com --password "a long password"',
      '',
    ].join('\n'),
  );
}

await main();
