import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../helpers/app.js';
import { uniqueEmail } from '../helpers/http.js';
import { customerAnswers, openWaveWithRespondents } from '../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type TotalsRow = { key: string; n: string; sum: string; sum_squares: string };

/**
 * The answer totals kept in `criterion_totals` (per criterion × account, the sellers' row without one), as
 * rows per criterion × role × dimension × account, and the same numbers computed from scratch over
 * submitted answers. A dimension without a single score (nothing, or only "don't know") is no row.
 */
async function totalsAndTruth(surveyId: string) {
  const kept = await sql<TotalsRow>`
    select t.survey_criterion_id || case when t.account_id is null then 'seller' else 'customer' end
             || d.dimension || coalesce(t.account_id::text, '-') as key,
           d.n, d.sum, d.sum_squares
    from criterion_totals t
    cross join lateral (values ('importance', t.importance_n, t.importance_sum, t.importance_squares),
                               ('performance', t.performance_n, t.performance_sum, t.performance_squares))
      as d (dimension, n, sum, sum_squares)
    where t.survey_id = ${surveyId} and (d.n <> 0 or d.sum <> 0 or d.sum_squares <> 0)
    order by key`.execute(app.db);
  const truth = await sql<TotalsRow>`
    select a.survey_criterion_id || a.role || a.dimension || coalesce(r.account_id::text, '-') as key,
           count(a.score)::bigint as n, coalesce(sum(a.score), 0)::bigint as sum,
           coalesce(sum(a.score::int * a.score::int), 0)::bigint as sum_squares
    from answers a join responses r on r.organization_id = a.organization_id and r.id = a.response_id
    where a.survey_id = ${surveyId} and r.status = 'submitted'
    group by 1 having count(a.score) > 0 order by 1`.execute(app.db);
  return { kept: kept.rows, truth: truth.rows };
}

describe('answer totals (criterion_totals, kept at commit)', () => {
  it('equal the from-scratch aggregate after saves, submits, edits after submit and a deleted response', async () => {
    const wave = await openWaveWithRespondents(app);
    const http = supertest(app.server);
    const more = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail('k2'), accountId: wave.accountId }],
      })
      .expect(201);
    const secondCustomer = new URL(more.body.invitations[0].url).pathname;

    await http
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria, 4).slice(0, 5), submit: false })
      .expect(200);
    let state = await totalsAndTruth(wave.surveyId);
    expect(state.truth).toEqual([]);
    expect(state.kept).toEqual([]);

    await http
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria, 9), submit: true })
      .expect(200);
    await http
      .post(secondCustomer)
      .send({ answers: customerAnswers(wave.criteria, 6), submit: true })
      .expect(200);
    const sellerAnswers = wave.criteria.map((c, i) => ({
      criterionId: c.id,
      importance: i % 3 === 0 ? null : 1 + (i % 10),
    }));
    await http.post(wave.sellerPath).send({ answers: sellerAnswers, submit: true }).expect(200);
    state = await totalsAndTruth(wave.surveyId);
    expect(state.truth.length).toBeGreaterThan(0);
    expect(state.kept).toEqual(state.truth);

    await http
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria, 3), submit: true })
      .expect(200);
    state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);

    await app.db
      .deleteFrom('invitations')
      .where('survey_id', '=', wave.surveyId)
      .where('email', 'like', 'k2%')
      .execute();
    state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);
  });
});

/**
 * A submitted wave: two customers on one account and one on another, two sellers — so one statement over
 * the wave updates several answers of the same criterion × role × dimension × account at once.
 */
async function submittedWave() {
  const wave = await openWaveWithRespondents(app);
  const http = supertest(app.server);
  const otherAccount = await wave.api.post('/api/v1/accounts', { name: 'Annen Kunde AS' }).expect(201);
  const more = await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        { role: 'customer', email: uniqueEmail('k2'), accountId: otherAccount.body.id },
        { role: 'customer', email: uniqueEmail('k3'), accountId: wave.accountId },
        { role: 'seller', email: uniqueEmail('s2') },
      ],
    })
    .expect(201);
  const [second, third, secondSeller] = more.body.invitations.map(
    (invitation: { url: string }) => new URL(invitation.url).pathname,
  );

  const submit = (path: string, answers: object[]) =>
    http.post(path).send({ answers, submit: true }).expect(200);
  await submit(wave.customerPath, customerAnswers(wave.criteria, 9));
  await submit(second, customerAnswers(wave.criteria, 6));
  await submit(third, customerAnswers(wave.criteria, 4));
  await submit(
    wave.sellerPath,
    wave.criteria.map((c, i) => ({ criterionId: c.id, importance: i % 4 === 0 ? null : 8 })),
  );
  await submit(
    secondSeller,
    wave.criteria.map((c) => ({ criterionId: c.id, importance: 5 })),
  );

  const responses = await app.db
    .selectFrom('responses')
    .innerJoin('invitations', 'invitations.id', 'responses.invitation_id')
    .select(['responses.id', 'invitations.email', 'responses.status'])
    .where('responses.survey_id', '=', wave.surveyId)
    .execute();
  expect(responses.map((row) => row.status)).toEqual(Array(5).fill('submitted'));
  const responseOf = (prefix: string) => {
    const found = responses.find((row) => row.email.startsWith(`${prefix}.`));
    if (!found) throw new Error(`no response of ${prefix}`);
    return found.id;
  };
  const state = await totalsAndTruth(wave.surveyId);
  expect(state.kept).toEqual(state.truth);
  return {
    ...wave,
    firstCustomer: responseOf('kunde'),
    secondCustomer: responseOf('k2'),
    seller: responseOf('selger'),
  };
}

const updateAnswers = () => app.db.updateTable('answers');

describe('answer totals after an UPDATE of submitted answers', () => {
  it('equal the from-scratch aggregate after a submitted score is changed in place', async () => {
    const wave = await submittedWave();
    const [first, second] = wave.customerCriteria;
    const changed = await updateAnswers()
      .set({ score: 2 })
      .where('response_id', '=', wave.firstCustomer)
      .where('dimension', '=', 'performance')
      .where('survey_criterion_id', 'in', [first?.id as string, second?.id as string])
      .executeTakeFirstOrThrow();
    expect(changed.numUpdatedRows).toBe(2n);

    const state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);
    // And the report reads the new score: performance 2 (was 8), 5 and 3 from the other customers.
    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200);
    const criterion = body.criteria.find((c: { id: string }) => c.id === first?.id);
    expect(criterion.customerPerformance).toMatchObject({ n: 3, mean: 10 / 3 });
  });

  it('equal the from-scratch aggregate after a score becomes "don’t know" and a "don’t know" becomes a score', async () => {
    const wave = await submittedWave();
    const [first] = wave.customerCriteria;
    await updateAnswers()
      .set({ score: null })
      .where('response_id', '=', wave.secondCustomer)
      .where('survey_criterion_id', '=', first?.id as string)
      .execute();
    let state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);

    await updateAnswers()
      .set({ score: 10 })
      .where('response_id', '=', wave.seller)
      .where('score', 'is', null)
      .execute();
    state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);

    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200);
    const criterion = body.criteria.find((c: { id: string }) => c.id === first?.id);
    expect(criterion.customerImportance).toMatchObject({ n: 2, mean: (9 + 4) / 2 });
    expect(criterion.sellerImportance).toMatchObject({ n: 2, mean: (10 + 5) / 2 });
  });

  it('equal the from-scratch aggregate after one statement rewrites every score of the wave', async () => {
    const wave = await submittedWave();
    await updateAnswers()
      .set((eb) => ({ score: eb(eb.val(11), '-', eb.ref('score')) }))
      .where('survey_id', '=', wave.surveyId)
      .execute();
    const state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);
  });

  it('drop a response’s answers when it goes back to in progress, and count them again when it is resubmitted', async () => {
    const wave = await submittedWave();
    const before = await totalsAndTruth(wave.surveyId);
    // The status reaches answers.response_status through the cascading foreign key: an UPDATE of answers.
    const setStatus = (status: 'in_progress' | 'submitted') =>
      app.db
        .updateTable('responses')
        .set({ status, submitted_at: status === 'submitted' ? new Date() : null })
        .where('id', '=', wave.secondCustomer)
        .execute();

    await setStatus('in_progress');
    let state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);
    // The second customer is the only one on their account: its 12 × 2 totals are gone.
    expect(state.kept).toHaveLength(before.kept.length - 24);

    await setStatus('submitted');
    state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);
    expect(state.kept).toEqual(before.kept);
  });

  it('stay as they were when the answers of an in-progress response are updated', async () => {
    const wave = await submittedWave();
    const invited = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail('k4'), accountId: wave.accountId }],
      })
      .expect(201);
    await supertest(app.server)
      .post(new URL(invited.body.invitations[0].url).pathname)
      .send({ answers: customerAnswers(wave.criteria, 5), submit: false })
      .expect(200);
    const before = await totalsAndTruth(wave.surveyId);

    await updateAnswers()
      .set({ score: 1 })
      .where('survey_id', '=', wave.surveyId)
      .where('response_status', '=', 'in_progress')
      .execute();
    const state = await totalsAndTruth(wave.surveyId);
    expect(state.kept).toEqual(state.truth);
    expect(state.kept).toEqual(before.kept);
  });
});
