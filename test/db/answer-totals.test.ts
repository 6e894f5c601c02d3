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

/** The totals the triggers kept, and the same numbers computed from scratch over submitted answers. */
async function totalsAndTruth(surveyId: string) {
  const kept = await sql<{ key: string; n: string; sum: string; sum_squares: string }>`
    select survey_criterion_id || role || dimension || coalesce(account_id::text, '-') as key, n, sum, sum_squares
    from answer_totals where survey_id = ${surveyId} and n <> 0 or (survey_id = ${surveyId} and answered <> 0)
    order by key`.execute(app.db);
  const truth = await sql<{ key: string; n: string; sum: string; sum_squares: string }>`
    select a.survey_criterion_id || a.role || a.dimension || coalesce(r.account_id::text, '-') as key,
           count(a.score)::bigint as n, coalesce(sum(a.score), 0)::bigint as sum,
           coalesce(sum(a.score::int * a.score::int), 0)::bigint as sum_squares
    from answers a join responses r on r.organization_id = a.organization_id and r.id = a.response_id
    where a.survey_id = ${surveyId} and r.status = 'submitted'
    group by 1 order by 1`.execute(app.db);
  return { kept: kept.rows, truth: truth.rows };
}

describe('answer_totals (kept by triggers)', () => {
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
