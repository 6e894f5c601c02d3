import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Config } from '../config.js';
import type { Database } from './database.js';
import { embeddedUrl, runningPostmaster, startEmbeddedPostgres } from './embedded.js';

export interface StandaloneDatabase {
  db: Kysely<Database>;
  close(): Promise<void>;
}

/**
 * The database the app uses, for a command-line tool: DATABASE_URL when set; else the embedded one under
 * DATA_DIR — the running server if the app has it up, or started for the command's duration.
 */
export async function connectStandalone(config: Config): Promise<StandaloneDatabase> {
  let url = config.databaseUrl;
  let stopEmbedded: (() => Promise<void>) | undefined;
  if (!url) {
    const running = runningPostmaster(config.dataDir);
    if (running) {
      url = embeddedUrl(config.dataDir, running.port);
    } else {
      const embedded = await startEmbeddedPostgres(config.dataDir);
      url = embedded.url;
      stopEmbedded = embedded.stop;
    }
  }
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, max: 2 }) }),
  });
  return {
    db,
    async close() {
      await db.destroy();
      await stopEmbedded?.();
    },
  };
}
