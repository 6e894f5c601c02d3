import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMigrator } from '../../server/db/migrator.js';
import { buildTestApp } from '../helpers/app.js';
import { uniqueEmail } from '../helpers/http.js';
import { openWaveWithRespondents, type SurveyCriterion } from '../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

const http = () => supertest(app.server);

type Row = Record<string, string>;

/**
 * The three running totals as the triggers kept them (rows left at all zeros are no rows), and the same
 * figures computed from scratch from the raw answers and responses of the wave — the oracle.
 */
async function totalsAndTruth(surveyId: string) {
  const keptSatisfaction = await sql<Row>`
    select coalesce(account_id::text, '-') as key, satisfaction_n as n, satisfaction_sum as sum,
           satisfaction_squares as sum_squares
    from account_totals
    where survey_id = ${surveyId} and (satisfaction_n <> 0 or satisfaction_sum <> 0 or satisfaction_squares <> 0)
    order by key`.execute(app.db);
  const trueSatisfaction = await sql<Row>`
    select coalesce(account_id::text, '-') as key, count(*)::bigint as n, sum(overall_score)::bigint as sum,
           sum(overall_score * overall_score)::bigint as sum_squares
    from responses
    where survey_id = ${surveyId} and status = 'submitted' and role = 'customer' and overall_score is not null
    group by 1 order by 1`.execute(app.db);

  const keptDrivers = await sql<Row>`
    select survey_criterion_id || ':' || account_id as key, driver_n as n, driver_x as sum_x,
           driver_y as sum_y, driver_xx as sum_xx, driver_yy as sum_yy, driver_xy as sum_xy
    from criterion_totals
    where survey_id = ${surveyId} and (driver_n <> 0 or driver_x <> 0 or driver_y <> 0 or driver_xx <> 0
      or driver_yy <> 0 or driver_xy <> 0)
    order by key`.execute(app.db);
  const trueDrivers = await sql<Row>`
    select a.survey_criterion_id || ':' || r.account_id as key, count(*)::bigint as n,
           sum(a.score)::bigint as sum_x, sum(r.overall_score)::bigint as sum_y,
           sum(a.score * a.score)::bigint as sum_xx, sum(r.overall_score * r.overall_score)::bigint as sum_yy,
           sum(a.score * r.overall_score)::bigint as sum_xy
    from answers a
    join responses r on r.organization_id = a.organization_id and r.id = a.response_id
    where r.survey_id = ${surveyId} and r.status = 'submitted' and r.role = 'customer'
      and a.dimension = 'performance' and a.score is not null and r.overall_score is not null
    group by 1 order by 1`.execute(app.db);

  // The series as criterion_totals (items) and account_totals (the series' totals, ΣT·T = ΣT²) keep them:
  // on a row without account the importance series is the sellers'.
  const keptReliability = await sql<Row>`
    with kept (series, account_id, criterion, n, sum, sum_squares, sum_with_total) as (
      select case when account_id is null then 'sellerImportance' else 'customerImportance' end, account_id,
             survey_criterion_id::text, importance_series_n, importance_series_sum, importance_series_squares,
             importance_series_with_total
      from criterion_totals where survey_id = ${surveyId}
      union all
      select 'customerPerformance', account_id, survey_criterion_id::text, performance_series_n,
             performance_series_sum, performance_series_squares, performance_series_with_total
      from criterion_totals where survey_id = ${surveyId}
      union all
      select case when account_id is null then 'sellerImportance' else 'customerImportance' end, account_id,
             null, importance_series_n, importance_series_sum, importance_series_squares, importance_series_squares
      from account_totals where survey_id = ${surveyId}
      union all
      select 'customerPerformance', account_id, null, performance_series_n, performance_series_sum,
             performance_series_squares, performance_series_squares
      from account_totals where survey_id = ${surveyId}
    )
    select series || ':' || coalesce(account_id::text, '-') || ':' || coalesce(criterion, '-') as key,
           n, sum, sum_squares, sum_with_total
    from kept
    where n <> 0 or sum <> 0 or sum_squares <> 0 or sum_with_total <> 0
    order by key`.execute(app.db);
  // Listwise: a respondent is in a series when they scored (not "don't know") every criterion asked of
  // them in it — customers the criteria for both, sellers every criterion of the wave.
  const trueReliability = await sql<Row>`
    with scored as (
      select r.id, r.account_id, a.survey_criterion_id, a.score,
             case when r.role = 'seller' then 'sellerImportance'
                  when a.dimension = 'performance' then 'customerPerformance'
                  else 'customerImportance' end as series
      from answers a
      join responses r on r.organization_id = a.organization_id and r.id = a.response_id
      where r.survey_id = ${surveyId} and r.status = 'submitted' and a.score is not null
    ),
    asked as (
      select count(*) filter (where audience = 'both') as customer, count(*) as seller
      from survey_criteria where survey_id = ${surveyId}
    ),
    complete as (
      select s.id, s.series, s.account_id, sum(s.score) as total
      from scored s cross join asked
      group by s.id, s.series, s.account_id, asked.customer, asked.seller
      having count(*) = case when s.series = 'sellerImportance' then asked.seller else asked.customer end
    ),
    rows as (
      select c.series, c.account_id, s.survey_criterion_id::text as criterion, count(*) as n,
             sum(s.score) as sum, sum(s.score * s.score) as sum_squares, sum(s.score * c.total) as sum_with_total
      from complete c join scored s on s.id = c.id and s.series = c.series
      group by 1, 2, 3
      union all
      select series, account_id, null, count(*), sum(total), sum(total * total), sum(total * total)
      from complete group by 1, 2
    )
    select series || ':' || coalesce(account_id::text, '-') || ':' || coalesce(criterion, '-') as key,
           n::bigint, sum::bigint, sum_squares::bigint, sum_with_total::bigint
    from rows order by 1`.execute(app.db);

  return {
    kept: {
      satisfaction: keptSatisfaction.rows,
      drivers: keptDrivers.rows,
      reliability: keptReliability.rows,
    },
    truth: {
      satisfaction: trueSatisfaction.rows,
      drivers: trueDrivers.rows,
      reliability: trueReliability.rows,
    },
  };
}

async function expectExact(surveyId: string) {
  const state = await totalsAndTruth(surveyId);
  expect(state.kept).toEqual(state.truth);
  // Nothing is left queued once a transaction has committed.
  const queued = await sql<{ n: string }>`select count(*) as n from response_summary_queue`.execute(app.db);
  expect(queued.rows[0]?.n).toBe('0');
  return state.truth;
}

/** A deterministic spread of answers: `seed` picks the scores, and "don't know" where `dk(i)` says. */
function answersFor(
  criteria: readonly SurveyCriterion[],
  seed: number,
  dk: { importance?: (i: number) => boolean; performance?: (i: number) => boolean } = {},
) {
  return criteria
    .filter((c) => c.audience === 'both')
    .map((c, i) => ({
      criterionId: c.id,
      importance: dk.importance?.(i) ? null : 1 + ((seed * 7 + i * 3) % 10),
      performance: dk.performance?.(i) ? null : 1 + ((seed * 5 + i * i) % 10),
    }));
}

function sellerAnswersFor(
  criteria: readonly SurveyCriterion[],
  seed: number,
  dk: (i: number) => boolean = () => false,
) {
  return criteria.map((c, i) => ({
    criterionId: c.id,
    importance: dk(i) ? null : 1 + ((seed + i * 4) % 10),
  }));
}

/** A wave asking overall satisfaction: customers on two accounts, two sellers, their paths. */
async function waveWithPanel(customers = 3, sellers = 1) {
  const wave = await openWaveWithRespondents(app, { overallQuestion: true });
  const other = await wave.api.post('/api/v1/accounts', { name: `Annen ${uniqueEmail('a')}` }).expect(201);
  const more = await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        ...Array.from({ length: customers }, (_, i) => ({
          role: 'customer',
          email: uniqueEmail(`k${i}`),
          accountId: i % 2 === 0 ? other.body.id : wave.accountId,
        })),
        ...Array.from({ length: sellers }, (_, i) => ({ role: 'seller', email: uniqueEmail(`s${i}`) })),
      ],
    })
    .expect(201);
  const paths = more.body.invitations.map((invitation: { url: string }) => new URL(invitation.url).pathname);
  return {
    ...wave,
    customers: [wave.customerPath, ...paths.slice(0, customers)] as string[],
    sellers: [wave.sellerPath, ...paths.slice(customers)] as string[],
  };
}

const post = (path: string, body: object, status = 200) => http().post(path).send(body).expect(status);

describe('satisfaction, driver and reliability totals (criterion_totals and account_totals, kept at commit)', () => {
  it('equal the from-scratch figures after saves, submits, edits after submit, don’t knows, an incomplete respondent, a seller and a deleted response', async () => {
    const wave = await waveWithPanel(3, 1);
    const [c0, c1, c2, c3] = wave.customers as [string, string, string, string];
    const [s0, s1] = wave.sellers as [string, string];

    // A save is not counted.
    await post(c0, { answers: answersFor(wave.criteria, 1).slice(0, 4), overall: 8, submit: false });
    let truth = await expectExact(wave.surveyId);
    expect(truth).toEqual({ satisfaction: [], drivers: [], reliability: [] });

    // Complete; performance "don't know"s (incomplete for performance, complete for importance, unequal
    // n per criterion); overall "don't know" (in the reliability series, not in drivers); a constant item.
    await post(c0, { answers: answersFor(wave.criteria, 1), overall: 8, submit: true });
    await post(c1, {
      answers: answersFor(wave.criteria, 2, { performance: (i) => i % 4 === 1 }),
      overall: 3,
      submit: true,
    });
    await post(c2, { answers: answersFor(wave.criteria, 3), overall: null, submit: true });
    await post(c3, {
      answers: answersFor(wave.criteria, 4, { importance: (i) => i === 0 }),
      overall: 10,
      submit: true,
    });
    await post(s0, { answers: sellerAnswersFor(wave.criteria, 5), submit: true });
    await post(s1, { answers: sellerAnswersFor(wave.criteria, 6, (i) => i === 12), submit: true });
    truth = await expectExact(wave.surveyId);
    // The fixture exercises what it claims: three customers with an overall score; drivers with unequal n;
    // every series present, the incomplete respondents left out.
    const customerPerformance = wave.customerCriteria[1] as SurveyCriterion;
    expect(truth.satisfaction.reduce((n, row) => n + Number(row.n), 0)).toBe(3);
    expect(new Set(truth.drivers.map((row) => row.n)).size).toBeGreaterThan(1);
    const seriesRow = (series: string) =>
      truth.reliability.filter((row) => row.key?.startsWith(series) && row.key.endsWith(':-'));
    expect(seriesRow('customerPerformance').reduce((n, row) => n + Number(row.n), 0)).toBe(3);
    expect(seriesRow('customerImportance').reduce((n, row) => n + Number(row.n), 0)).toBe(3);
    expect(seriesRow('sellerImportance').reduce((n, row) => n + Number(row.n), 0)).toBe(1);
    expect(truth.drivers.some((row) => row.key?.startsWith(customerPerformance.id))).toBe(true);

    // Edits after submitting: new scores, overall to "don't know" and back.
    await post(c0, { answers: answersFor(wave.criteria, 9), overall: null, submit: true });
    await expectExact(wave.surveyId);
    await post(c2, {
      answers: answersFor(wave.criteria, 3, { performance: (i) => i === 11 }),
      overall: 1,
      submit: true,
    });
    await expectExact(wave.surveyId);
    await post(c0, { answers: answersFor(wave.criteria, 9), overall: 6, submit: true });
    await post(s1, { answers: sellerAnswersFor(wave.criteria, 7), submit: true });
    await expectExact(wave.surveyId);

    // A deleted response (its invitation deleted; answers and summary cascade).
    await app.db
      .deleteFrom('invitations')
      .where('email', 'like', 'k0.%')
      .where('survey_id', '=', wave.surveyId)
      .execute();
    await expectExact(wave.surveyId);
    await app.db
      .deleteFrom('responses')
      .where('survey_id', '=', wave.surveyId)
      .where('role', '=', 'seller')
      .execute();
    truth = await expectExact(wave.surveyId);
    expect(truth.reliability.some((row) => row.key?.startsWith('sellerImportance'))).toBe(false);
  });

  it('stay exact under writes outside the app: scores changed in place, status back to in progress and resubmitted, overall changed', async () => {
    const wave = await waveWithPanel(2, 1);
    for (const [i, path] of wave.customers.entries()) {
      await post(path, { answers: answersFor(wave.criteria, i + 1), overall: 2 + i * 3, submit: true });
    }
    for (const [i, path] of wave.sellers.entries()) {
      await post(path, { answers: sellerAnswersFor(wave.criteria, i), submit: true });
    }
    await expectExact(wave.surveyId);

    // One statement rewrites every score of the wave.
    await app.db
      .updateTable('answers')
      .set((eb) => ({ score: eb(eb.val(11), '-', eb.ref('score')) }))
      .where('survey_id', '=', wave.surveyId)
      .execute();
    await expectExact(wave.surveyId);
    // A score becomes "don't know": that respondent leaves the series.
    await app.db
      .updateTable('answers')
      .set({ score: null })
      .where('survey_id', '=', wave.surveyId)
      .where('role', '=', 'seller')
      .where('survey_criterion_id', '=', (wave.criteria[0] as SurveyCriterion).id)
      .execute();
    await expectExact(wave.surveyId);

    const responses = await app.db
      .selectFrom('responses')
      .select(['id', 'role'])
      .where('survey_id', '=', wave.surveyId)
      .orderBy('id')
      .execute();
    const customer = responses.find((r) => r.role === 'customer')?.id as string;
    const setStatus = (status: 'in_progress' | 'submitted') =>
      app.db
        .updateTable('responses')
        .set({ status, submitted_at: status === 'submitted' ? new Date() : null })
        .where('id', '=', customer)
        .execute();
    await setStatus('in_progress');
    await expectExact(wave.surveyId);
    await setStatus('submitted');
    await expectExact(wave.surveyId);
    await app.db
      .updateTable('responses')
      .set({ overall_score: 9 })
      .where('survey_id', '=', wave.surveyId)
      .where('role', '=', 'customer')
      .execute();
    await expectExact(wave.surveyId);
    // A comment-only change touches no totals.
    const before = await totalsAndTruth(wave.surveyId);
    await app.db.updateTable('responses').set({ comment: 'Bra' }).where('id', '=', customer).execute();
    expect((await totalsAndTruth(wave.surveyId)).kept).toEqual(before.kept);

    // Several statements in one transaction end up counted once.
    await app.db.transaction().execute(async (trx) => {
      await trx.updateTable('responses').set({ overall_score: 4 }).where('id', '=', customer).execute();
      await trx
        .deleteFrom('answers')
        .where('response_id', '=', customer)
        .where('dimension', '=', 'importance')
        .execute();
      await trx.updateTable('responses').set({ overall_score: 5 }).where('id', '=', customer).execute();
    });
    await expectExact(wave.surveyId);
  });

  it('are rebuilt from the answers when migration criterion-totals runs down and up again', async () => {
    const wave = await waveWithPanel(3, 1);
    const [c0, c1, c2, c3] = wave.customers as [string, string, string, string];
    const [s0, s1] = wave.sellers as [string, string];
    await post(c0, { answers: answersFor(wave.criteria, 1), overall: 8, submit: true });
    await post(c1, {
      answers: answersFor(wave.criteria, 2, { performance: (i) => i % 4 === 1 }),
      overall: 3,
      submit: true,
    });
    await post(c2, { answers: answersFor(wave.criteria, 3), overall: null, submit: true });
    await post(c3, { answers: answersFor(wave.criteria, 4).slice(0, 5), overall: 6, submit: false });
    await post(s0, { answers: sellerAnswersFor(wave.criteria, 5), submit: true });
    await post(s1, { answers: sellerAnswersFor(wave.criteria, 6, (i) => i === 12), submit: true });
    const before = await expectExact(wave.surveyId);
    const report = (await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200)).body;

    const migrator = createMigrator(app.db);
    const down = await migrator.migrateTo('2026-11-30T2100-reliability-totals-order');
    expect(down.error).toBeUndefined();
    // Down through every later migration, criterion-totals last.
    expect(down.results?.at(-1)?.migrationName).toBe('2026-11-30T2200-criterion-totals');
    // The four tables it replaced are back and filled, e.g. the overall scores of the two customers who
    // submitted one (8 and 3).
    const satisfaction = await sql<{ n: string; sum: string }>`
      select sum(n) as n, sum(sum) as sum from satisfaction_totals where survey_id = ${wave.surveyId}`.execute(
      app.db,
    );
    expect(satisfaction.rows).toEqual([{ n: '2', sum: '11' }]);

    const up = await migrator.migrateToLatest();
    expect(up.error).toBeUndefined();
    expect(await expectExact(wave.surveyId)).toEqual(before);
    const again = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200);
    expect(again.body).toEqual(report);
  });

  it('are dropped with a deleted wave', async () => {
    // A wave whose only criterion is for sellers: a customer answers overall satisfaction alone.
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    const created = await wave.api
      .post('/api/v1/surveys', { name: 'Bare selgere', criteria: [{ label: 'CRM', audience: 'seller' }] })
      .expect(201);
    const invited = await wave.api
      .post(`/api/v1/surveys/${created.body.id}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail('kunde'), accountId: wave.accountId }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${created.body.id}/open`).expect(200);
    await post(new URL(invited.body.invitations[0].url).pathname, { answers: [], overall: 7, submit: true });
    const truth = await expectExact(created.body.id);
    expect(truth.satisfaction).toEqual([{ key: wave.accountId, n: '1', sum: '7', sum_squares: '49' }]);
    await post(wave.customerPath, { answers: answersFor(wave.criteria, 2), overall: 5, submit: true });
    await expectExact(wave.surveyId);

    // A wave goes with its invitations first: answers keep its criteria, and response_counts (migration
    // response-counts) refuses a wave deleted together with its invitations.
    const waves = [created.body.id as string, wave.surveyId];
    await app.db.deleteFrom('invitations').where('survey_id', 'in', waves).execute();
    await app.db.deleteFrom('surveys').where('id', 'in', waves).execute();
    for (const table of ['criterion_totals', 'account_totals'] as const) {
      const left = await app.db
        .selectFrom(table)
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('survey_id', 'in', waves)
        .executeTakeFirstOrThrow();
      expect(left.n).toBe('0');
    }
    const summaries = await sql<{ n: string }>`
      select count(*) as n from response_summaries where survey_id = any(${waves}::uuid[])`.execute(app.db);
    expect(summaries.rows[0]?.n).toBe('0');
  });

  it('do not deadlock with parallel submitters and editors on shared accounts, and end exact', async () => {
    const wave = await waveWithPanel(11, 3);
    const round = (seed: number) =>
      Promise.all([
        ...wave.customers.map((path, i) =>
          http()
            .post(path)
            .send({
              answers: answersFor(wave.criteria, seed + i, { performance: (j) => (seed + i + j) % 9 === 0 }),
              overall: (seed + i) % 11 === 0 ? null : 1 + ((seed + i) % 10),
              submit: true,
            }),
        ),
        ...wave.sellers.map((path, i) =>
          http()
            .post(path)
            .send({ answers: sellerAnswersFor(wave.criteria, seed + i), submit: true }),
        ),
      ]);
    // First submissions, then two rounds of edits after submitting (new overall and scores) at once.
    for (const seed of [1, 4, 8]) {
      const results = await round(seed);
      expect(results.map((r) => r.status)).toEqual(results.map(() => 200));
    }
    await expectExact(wave.surveyId);
  });
});
