// Profiles opening a respondent link: seeds a small wave, starts the compiled app with --cpu-prof, loads
// GET /r/<token> at 50 connections, and prints where the profile files are. Run after `npm run build`:
//   npx tsx scripts/bench/profile-open.ts [seconds]
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../../server/db/database.js';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { migrateToLatest } from '../../server/db/migrator.js';
import { appRoot } from '../../server/paths.js';
import { load, progress, startServer } from './load.js';
import { createWave, seedOrganization, seedRespondents } from './seed.js';

const SESSION_SECRET = 'bench-session-secret-that-is-long-enough-0123456789';
const seconds = Number(process.argv[2] ?? 10);
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
    count: 300,
    tag: 'wave',
    sessionSecret: SESSION_SECRET,
    respond: true,
  });
  tokens.push(
    ...(await seedRespondents(db, org, surveyId, {
      count: 300,
      tag: 'spare',
      sessionSecret: SESSION_SECRET,
      respond: false,
      customersOnly: true,
    })),
  );
  const profileDir = path.join(dataDir, 'prof');
  const app = await startServer(
    'app',
    path.join(appRoot, 'dist/server/main.js'),
    {
      NODE_ENV: 'production',
      LOG_LEVEL: 'info',
      DATABASE_URL: embedded.url,
      SESSION_SECRET,
      DATA_DIR: path.join(dataDir, 'app'),
    },
    path.join(dataDir, 'app.log'),
    '/login',
    process.env.PROFILE === '0' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`],
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
  const cpu = (pid: number) => {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) * 10; // utime + stime, ms (USER_HZ 100)
  };
  const total = () =>
    readFileSync('/proc/stat', 'utf8')
      .split('\n')[0]
      ?.split(/\s+/)
      .slice(1, 8)
      .reduce((a, b) => a + Number(b), 0) ?? 0;
  const idle = () => Number(readFileSync('/proc/stat', 'utf8').split('\n')[0]?.split(/\s+/)[4]);
  const postgresCpu = () =>
    readdirSync('/proc')
      .filter((entry) => /^\d+$/.test(entry))
      .reduce((sum, pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres'
            ? sum + cpu(Number(pid))
            : sum;
        } catch {
          return sum;
        }
      }, 0);
  const before = {
    pg: postgresCpu(),
    app: cpu(app.child.pid as number),
    self: process.cpuUsage(),
    total: total(),
    idle: idle(),
  };
  const result = await load({
    url: app.url,
    connections: 50,
    duration: seconds,
    next: () => ({ method: 'GET', path: `/r/${pick()}` }),
  });
  const appMs = cpu(app.child.pid as number) - before.app;
  const selfUsage = process.cpuUsage(before.self);
  const busyMs = (total() - before.total - (idle() - before.idle)) * 10;
  const pgMs = postgresCpu() - before.pg;
  const n = result.rps * seconds;
  progress(
    `CPU per request: app ${(appMs / n).toFixed(2)} ms, load generator ${((selfUsage.user + selfUsage.system) / 1000 / n).toFixed(2)} ms, PostgreSQL ${(pgMs / n).toFixed(2)} ms, whole machine ${(busyMs / n).toFixed(2)} ms`,
  );
  progress(`open: ${result.rps.toFixed(0)} req/s, p50 ${result.p50} ms, ${JSON.stringify(result.statuses)}`);
  await app.stop();
  progress(`profile in ${profileDir}`);
} finally {
  await db.destroy();
  await embedded.stop();
}
