// Profiles the report JSON (GET /api/v1/surveys/:id/report, Bearer API key) as `npm run bench` measures it:
// seeds the same wave (10 000 submitted respondents over 300 accounts, no predecessor; PREDECESSOR=1 adds a
// predecessor wave of the same size so the comparison and trend paths run too; PROFILE_GROWTH=1 also the
// bench's growth waves of 1 000 and 100 000 respondents, about 2 minutes more), starts the compiled app
// (NODE_ENV=production, LOG_LEVEL=info) with --cpu-prof (PROFILE=0: without), and prints
//   - p50 of sequential report requests over HTTP beside its aggregate SQL, the wave's figures statement,
//     and beside its running totals alone (best of several direct runs each),
//     beside an unauthenticated request to the same route (the framework's floor, no query) and beside
//     GET /api/v1/me (the API key looked up, a short JSON answer);
//   - the app's and PostgreSQL's CPU per report request (from /proc);
//   - in process, as the JSON route reads (prepared statements): one round trip, the API key lookup, the
//     whole report (buildSurveyReport), its JSON serialisation, and each statement the report runs alone
//     (client-side median and best, and EXPLAIN ANALYZE's execution time);
//   - the heaviest functions of the app's CPU profile over the timed requests (self and inclusive time per
//     report request).
// Run after `npm run build`:
//   npx tsx scripts/bench/profile-report.ts [requests] [respondents]
// EXPLAIN=1 also prints each query's plan (EXPLAIN (ANALYZE, BUFFERS)).
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CompiledQuery, Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../../server/db/database.js';
import { startEmbeddedPostgres } from '../../server/db/embedded.js';
import { migrateToLatest } from '../../server/db/migrator.js';
import { preparedKysely } from '../../server/db/prepared-kysely.js';
import { apiKeyPrincipals } from '../../server/features/auth/auth.queries.js';
import { waveFiguresQuery, waveTotalsQuery } from '../../server/features/reports/report.queries.js';
import { buildSurveyReport, reportJson } from '../../server/features/reports/report.service.js';
import { appRoot } from '../../server/paths.js';
import {
  BENCH_SESSION_SECRET,
  cpuPerRequest,
  median,
  percentile,
  progress,
  startProductionApp,
  timeRequests,
  warmUp,
} from './load.js';
import { createWave, seedOrganization, seedRespondents } from './seed.js';

const requests = Number(process.argv[2] ?? 200);
const respondents = Number(process.argv[3] ?? 10_000);
const RUNS = 50;

const ms = (value: number) => value.toFixed(2).padStart(7);

/** Median and best of `runs` sequential calls of `run`, in ms, after two untimed ones. */
async function timed(runs: number, run: () => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < runs + 2; i++) {
    const start = performance.now();
    await run();
    if (i >= 2) times.push(performance.now() - start);
  }
  return { median: median(times), best: Math.min(...times) };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

/**
 * Self and inclusive time per function of a .cpuprofile, in ms, over the samples taken between `from` and
 * `to` (µs of the monotonic clock, which V8's profile and process.hrtime share).
 */
function profileTimes(file: string, from: number, to: number) {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    startTime: number;
    samples: number[];
    timeDeltas: number[];
  };
  const nameOf = new Map<number, string>();
  const parentOf = new Map<number, number>();
  for (const node of profile.nodes) {
    const { functionName, url, lineNumber } = node.callFrame;
    const where = url ? `${url.replace(/^file:\/\//, '').replace(`${appRoot}/`, '')}:${lineNumber + 1}` : '';
    nameOf.set(node.id, `${functionName || '(anonymous)'} ${where}`.trim());
    for (const child of node.children ?? []) parentOf.set(child, node.id);
  }
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, index) => {
    const delta = profile.timeDeltas[index] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    const name = nameOf.get(id) ?? '?';
    self.set(name, (self.get(name) ?? 0) + delta / 1000);
    const onStack = new Set<string>();
    for (let node: number | undefined = id; node !== undefined; node = parentOf.get(node)) {
      onStack.add(nameOf.get(node) ?? '?');
    }
    for (const frame of onStack) inclusive.set(frame, (inclusive.get(frame) ?? 0) + delta / 1000);
  });
  const sorted = (times: Map<string, number>) =>
    [...times].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms);
  return { self: sorted(self), inclusive: sorted(inclusive) };
}

const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'viktig-dyktig-profile-'));
const embedded = await startEmbeddedPostgres(dataDir);
// Every query the in-process report runs, as sent, to time and explain each alone.
const logged: Array<{ query: CompiledQuery; ms: number }> = [];
let logging = false;
const pool = new pg.Pool({ connectionString: embedded.url, max: 10 });
const db = new Kysely<Database>({
  dialect: new PostgresDialect({ pool }),
  log: (event) => {
    if (logging && event.level === 'query') {
      logged.push({ query: event.query, ms: event.queryDurationMillis });
    }
  },
});
try {
  await migrateToLatest(db);
  const org = await seedOrganization(db);
  const waves: string[] = [];
  for (const name of process.env.PREDECESSOR === '1' ? ['Previous wave', 'Profile wave'] : ['Profile wave']) {
    const id = await createWave(db, org, name);
    if (waves.length > 0) {
      await db
        .updateTable('surveys')
        .set({ previous_survey_id: waves[waves.length - 1] as string })
        .where('id', '=', id)
        .execute();
    }
    progress(`seeding ${name}: ${respondents} respondents`);
    await seedRespondents(db, org, id, {
      count: respondents,
      tag: `wave${waves.length}`,
      sessionSecret: BENCH_SESSION_SECRET,
      respond: true,
      withTokens: false,
    });
    waves.push(id);
  }
  const surveyId = waves[waves.length - 1] as string;
  // The bench's growth waves share the totals tables with the measured one (and so shape its plans).
  if (process.env.PROFILE_GROWTH === '1') {
    for (const count of [1_000, 100_000]) {
      progress(`seeding a growth wave: ${count} respondents`);
      const id = await createWave(db, org, `Growth ${count}`);
      await seedRespondents(db, org, id, {
        count,
        tag: `growth${count}`,
        sessionSecret: BENCH_SESSION_SECRET,
        respond: true,
        withTokens: false,
      });
    }
  }
  await sql`vacuum analyze`.execute(db);
  // Vacuum sets hint bits on every page it reads: without a checkpoint now, writing those pages out would
  // happen during the measurements (max_wal_size and checkpoint_timeout decide when).
  await sql`checkpoint`.execute(db);

  const profileDir = path.join(dataDir, 'prof');
  const profiling = process.env.PROFILE !== '0';
  const app = await startProductionApp(dataDir, embedded.url, profiling ? profileDir : undefined);
  const url = `${app.url}/api/v1/surveys/${surveyId}/report`;
  const auth = { authorization: `Bearer ${org.apiKey}` };

  // Over HTTP: the report, the same route refused before any query (401), and the aggregate SQL alone.
  const body = await (await fetch(url, { headers: auth })).text();
  progress(`the report: ${body.length} bytes of JSON`);
  // Warm, as the bench measures it.
  await warmUp(app.url, [new URL(url).pathname], auth, 400);
  const floor = await timeRequests(url, {}, 50, 5, 401);
  // The floor of an API request that is let in: the API key looked up, a short JSON answer.
  const signedIn = await timeRequests(`${app.url}/api/v1/me`, auth, 50, 5);
  const window = { from: monotonicMicros(), to: 0 };
  const { result: times, cpu } = await cpuPerRequest(
    app.child.pid as number,
    () => timeRequests(url, auth, requests, 5),
    () => requests + 5,
  );
  window.to = monotonicMicros();
  const rawQuery = waveFiguresQuery(db, org.organizationId, surveyId, {}).compile();
  const sqlBest = (await timed(20, () => db.executeQuery(rawQuery))).best;
  const totalsQuery = waveTotalsQuery(db, org.organizationId, surveyId, {}).compile();
  const totalsBest = (await timed(20, () => db.executeQuery(totalsQuery))).best;

  // In-process, on a pool of this process, as the JSON route reads (prepared statements): each phase, then
  // each query alone.
  const reportDb = preparedKysely(pool);
  const roundTrip = await timed(RUNS, () => sql`select 1`.execute(db));
  const findPrincipalByApiKey = apiKeyPrincipals(db, pool);
  const principal = await findPrincipalByApiKey(org.apiKey);
  if (!principal) throw new Error('the API key does not resolve');
  const apiKey = await timed(RUNS, () => findPrincipalByApiKey(org.apiKey));
  const whole = await timed(RUNS, () =>
    buildSurveyReport(reportDb, principal, surveyId, {}, 'survey', { withComments: false }),
  );
  const report = await buildSurveyReport(reportDb, principal, surveyId, {}, 'survey', {
    withComments: false,
  });
  const json = await timed(RUNS, async () => JSON.stringify(reportJson(report)));
  logging = true;
  await buildSurveyReport(db, principal, surveyId, {}, 'survey', { withComments: false });
  logging = false;
  const queries = [];
  for (const { query } of logged) {
    const alone = await timed(RUNS, () => reportDb.executeQuery(query));
    const plan = (
      await db.executeQuery<{ 'QUERY PLAN': string }>({
        ...query,
        sql: `explain (analyze, buffers) ${query.sql}`,
      })
    ).rows.map((row) => row['QUERY PLAN']);
    const execution = Number(/Execution Time: ([\d.]+)/.exec(plan.join('\n'))?.[1]);
    queries.push({ sql: query.sql.replace(/\s+/g, ' '), alone, execution, plan });
  }
  await app.stop();

  const p50 = percentile(times, 0.5);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nreport JSON over HTTP, ${respondents} respondents${waves.length > 1 ? ' + a predecessor' : ''}:`);
  out(`  p50 ${ms(p50)} ms   p90 ${ms(percentile(times, 0.9))} ms   (${requests} sequential requests)`);
  out(
    `  its SQL (the figures statement) best ${ms(sqlBest)} ms   ratio ${(p50 / sqlBest).toFixed(2)}× (target ≤ 2×)`,
  );
  out(`  its running totals alone best ${ms(totalsBest)} ms   ratio ${(p50 / totalsBest).toFixed(2)}×`);
  out(`  the same route refused (401, no query): p50 ${ms(percentile(floor, 0.5))} ms`);
  out(`  GET /api/v1/me (the API key looked up, no report): p50 ${ms(percentile(signedIn, 0.5))} ms`);
  out(`  CPU per request: app ${ms(cpu.app)} ms, PostgreSQL ${ms(cpu.postgres)} ms`);
  out(`\nin process (median / best of ${RUNS}, ms):`);
  out(`  one round trip (select 1)        ${ms(roundTrip.median)} ${ms(roundTrip.best)}`);
  out(`  API key lookup                   ${ms(apiKey.median)} ${ms(apiKey.best)}`);
  out(`  buildSurveyReport                ${ms(whole.median)} ${ms(whole.best)}`);
  out(`  reportJson + JSON.stringify      ${ms(json.median)} ${ms(json.best)}`);
  out(
    `\nthe report's ${queries.length} queries, in order sent (alone: median / best; EXPLAIN ANALYZE execution):`,
  );
  for (const [index, query] of queries.entries()) {
    out(
      `  ${String(index + 1).padStart(2)} ${ms(query.alone.median)} ${ms(query.alone.best)} ${ms(query.execution)}  ${query.sql.slice(0, 120)}`,
    );
    if (process.env.EXPLAIN === '1') out(query.plan.map((line) => `       ${line}`).join('\n'));
  }
  if (profiling) {
    const file = readdirSync(profileDir).find((name) => name.endsWith('.cpuprofile'));
    if (file) {
      const { self, inclusive } = profileTimes(path.join(profileDir, file), window.from, window.to);
      const perRequest = (value: number) => value / (requests + 5);
      const busy = self.filter((row) => row.name !== '(idle)').reduce((sum, row) => sum + row.ms, 0);
      out(`\nthe app's CPU profile over the timed requests: ${ms(perRequest(busy))} ms busy per request`);
      out('heaviest self times per request:');
      for (const row of self.filter((row) => row.name !== '(idle)').slice(0, 20)) {
        out(`  ${ms(perRequest(row.ms))}  ${row.name}`);
      }
      out("heaviest inclusive times per request (the app's code and its libraries):");
      const ours = inclusive.filter((row) => /dist\/|node_modules\//.test(row.name));
      for (const row of ours.slice(0, 30)) out(`  ${ms(perRequest(row.ms))}  ${row.name}`);
      out(`\nprofile: ${path.join(profileDir, file)}`);
    }
  }
} finally {
  await db.destroy();
  await embedded.stop();
  // The database (a few hundred MB, GBs with the growth waves) goes; the app's log and the profile stay.
  rmSync(path.join(dataDir, 'postgres'), { recursive: true, force: true });
}
