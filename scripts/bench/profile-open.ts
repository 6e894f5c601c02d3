// Profiles opening a respondent link: seeds a small wave, starts the compiled app with --cpu-prof, loads
// GET /r/<token> at 50 connections, and prints where the profile files are. Run after `npm run build`:
//   npx tsx scripts/bench/profile-open.ts [seconds]
// PROFILE=0 runs without the profiler (CPU per request only); PROFILE_WAVE=<submitted respondents>,
// PROFILE_SPARE=<unanswered invitations> and PROFILE_EXTRA=<respondents of another wave> give the data the
// full bench has (10000, 3000, 100000); the defaults (300, 300, 0) seed in seconds.
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../server/db/database.js';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { migrateToLatest } from '../../server/db/migrator.js';
import {
  BENCH_SESSION_SECRET,
  cpuPerRequest,
  formatCpu,
  load,
  progress,
  startProductionApp,
} from './load.js';
import { createWave, seedOrganization, seedRespondents } from './seed.js';

const seconds = Number(process.argv[2] ?? 10);
const sized = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const dataDir = mkdtempSync(path.join(os.tmpdir(), 'viktig-dyktig-profile-'));
const embedded = await startEmbeddedPostgres(dataDir);
const db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: embedded.url, max: 2 }) }),
});
try {
  await migrateToLatest(db);
  const org = await seedOrganization(db);
  const surveyId = await createWave(db, org, 'Profile wave');
  const tokens = await seedRespondents(db, org, surveyId, {
    count: sized('PROFILE_WAVE', 300),
    tag: 'wave',
    sessionSecret: BENCH_SESSION_SECRET,
    respond: true,
  });
  tokens.push(
    ...(await seedRespondents(db, org, surveyId, {
      count: sized('PROFILE_SPARE', 300),
      tag: 'spare',
      sessionSecret: BENCH_SESSION_SECRET,
      respond: false,
      customersOnly: true,
    })),
  );
  if (sized('PROFILE_EXTRA', 0) > 0) {
    await seedRespondents(db, org, await createWave(db, org, 'Another wave'), {
      count: sized('PROFILE_EXTRA', 0),
      tag: 'extra',
      sessionSecret: BENCH_SESSION_SECRET,
      respond: true,
      withTokens: false,
    });
  }
  await sql`vacuum analyze`.execute(db);
  // Vacuum sets hint bits on every page it reads: without a checkpoint now, writing those pages out would
  // happen during the measurements (max_wal_size and checkpoint_timeout decide when).
  await sql`checkpoint`.execute(db);
  const profileDir = path.join(dataDir, 'prof');
  const app = await startProductionApp(
    dataDir,
    embedded.url,
    process.env.PROFILE === '0' ? undefined : profileDir,
  );
  const pick = () => tokens[Math.floor(Math.random() * tokens.length)] as string;
  const page = await fetch(`${app.url}/r/${pick()}`);
  progress(`the form page: ${(await page.arrayBuffer()).byteLength} bytes`);
  await load({
    url: app.url,
    connections: 50,
    duration: 1,
    next: () => ({ method: 'GET', path: `/r/${pick()}` }),
  });
  // PROFILE_ROUNDS measured runs one after another: the first opens most links for the first time (a write),
  // later ones mostly read links already opened.
  for (let round = 1; round <= sized('PROFILE_ROUNDS', 1); round++) {
    const { result, cpu } = await cpuPerRequest(
      app.child.pid as number,
      () =>
        load({
          url: app.url,
          connections: 50,
          duration: seconds,
          next: () => ({ method: 'GET', path: `/r/${pick()}` }),
        }),
      (result) => result.rps * seconds,
    );
    progress(`CPU per request: ${formatCpu(cpu)}`);
    progress(
      `open: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, ${JSON.stringify(result.statuses)}`,
    );
  }
  await app.stop();
  progress(`profile in ${profileDir}`);
} finally {
  await db.destroy();
  await embedded.stop();
}
