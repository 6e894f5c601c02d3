import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregateAnswers } from '../../../server/features/reports/report.queries.js';
import * as example from '../../fixtures/worked-example.js';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedEmptyWave, seedWorkedExample } from './report-seed.js';

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let seeded: Awaited<ReturnType<typeof seedWorkedExample>>;

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app);
  seeded = await seedWorkedExample(app, { organizationId: org.organizationId, kamUserId: org.kamUserId });
});
afterAll(async () => {
  await app.close();
});

const get = (path: string, key = org.adminKey) =>
  supertest(app.server).get(path).set('Authorization', `Bearer ${key}`);
const reportPath = (query = '') => `/api/v1/surveys/${seeded.surveyId}/report${query}`;

interface StatJson {
  n: number;
  mean: number | null;
  sd: number | null;
  ci95: [number, number] | null;
}
interface CriterionJson {
  id: string;
  key: string;
  label: string;
  audience: string;
  sellerImportance: StatJson;
  customerImportance: StatJson;
  customerPerformance: StatJson;
  deliveryGap: number | null;
  alignmentGap: number | null;
  quadrant: string | null;
}
const byKey = (criteria: CriterionJson[], key: string) => {
  const found = criteria.find((criterion) => criterion.key === key);
  if (!found) throw new Error(`no criterion ${key}`);
  return found;
};

describe('GET /api/v1/surveys/:id/report — the worked example', () => {
  it('shows every published mean, both gaps and n = 4, ignoring the in-progress response', async () => {
    const { body } = await get(reportPath()).expect(200);
    expect(body.survey).toEqual({ id: seeded.surveyId, name: 'Kundeundersøkelse 2026', status: 'open' });
    expect(body.criteria.map((c: CriterionJson) => c.key)).toEqual(example.CRITERION_KEYS);
    for (const criterion of example.criteria) {
      const row = byKey(body.criteria, criterion.key);
      const { sellerImportance, customerImportance, customerPerformance } = criterion.published;
      expect(row.label).toBe(criterion.label.nb);
      expect(row.sellerImportance.n).toBe(4);
      expect(row.sellerImportance.mean).toBeCloseTo(sellerImportance, 12);
      if (customerImportance === null || customerPerformance === null) continue;
      expect(row.customerImportance.n).toBe(4);
      expect(row.customerPerformance.n).toBe(4);
      expect(row.customerImportance.mean).toBeCloseTo(customerImportance, 12);
      expect(row.customerPerformance.mean).toBeCloseTo(customerPerformance, 12);
      expect(row.deliveryGap).toBeCloseTo(customerPerformance - customerImportance, 12);
      expect(row.alignmentGap).toBeCloseTo(sellerImportance - customerImportance, 12);
    }
  });

  it('answers the overall index 113/12, the response rates and the crosshair at the grand means', async () => {
    const { body } = await get(reportPath()).expect(200);
    expect(body.overall.deliveryIndex).toBeCloseTo(113 / 12, 12);
    expect(body.overall.deliveryIndex.toFixed(4)).toBe('9.4167');
    expect(body.responseRate).toEqual({
      customer: { invited: 13, responded: 4 },
      seller: { invited: 4, responded: 4 },
    });
    expect(body.crosshair.importance).toBeCloseTo(112.75 / 12, 12);
    expect(body.crosshair.performance).toBeCloseTo(113 / 12, 12);
  });

  it('finds Effektivitet as the largest alignment gap (−1.75) and exactly six −0.25 delivery gaps', async () => {
    const { body } = await get(reportPath()).expect(200);
    const criteria: CriterionJson[] = body.criteria;
    const efficiency = byKey(criteria, 'efficiency');
    expect(efficiency.alignmentGap).toBeCloseTo(-1.75, 12);
    const largest = criteria
      .filter((c) => c.alignmentGap !== null)
      .sort((a, b) => Math.abs(b.alignmentGap ?? 0) - Math.abs(a.alignmentGap ?? 0));
    expect(largest[0]?.key).toBe('efficiency');
    expect(byKey(criteria, 'solution_oriented').alignmentGap).toBeCloseTo(-1, 12);

    const negative = criteria.filter((c) => c.deliveryGap !== null && c.deliveryGap < 0);
    expect(negative.map((c) => c.key)).toEqual([
      'solution_oriented',
      'trust',
      'knowledge',
      'accuracy',
      'business_understanding',
      'follow_up',
    ]);
    for (const criterion of negative) expect(criterion.deliveryGap).toBeCloseTo(-0.25, 12);
  });

  it('places each criterion in its quadrant', async () => {
    const { body } = await get(reportPath()).expect(200);
    const quadrants = Object.fromEntries(body.criteria.map((c: CriterionJson) => [c.key, c.quadrant]));
    expect(quadrants).toEqual({
      availability: 'overkill',
      advice: 'low',
      solution_oriented: 'keep',
      customer_oriented: 'keep',
      trust: 'keep',
      knowledge: 'concentrate',
      efficiency: 'overkill',
      communication: 'low',
      accuracy: 'keep',
      business_understanding: 'low',
      cooperation: 'overkill',
      follow_up: 'keep',
      crm_system: null,
    });
  });

  it('gives crm_system only a seller stat, with sample sd and a t-based interval', async () => {
    const { body } = await get(reportPath()).expect(200);
    const crm = byKey(body.criteria, 'crm_system');
    expect(crm.audience).toBe('seller');
    // Sellers answered 7, 9, 8, 9.
    const sd = Math.sqrt(2.75 / 3);
    expect(crm.sellerImportance.n).toBe(4);
    expect(crm.sellerImportance.mean).toBe(8.25);
    expect(crm.sellerImportance.sd).toBeCloseTo(sd, 12);
    const half = (3.182446305284263 * sd) / 2;
    expect(crm.sellerImportance.ci95?.[0]).toBeCloseTo(8.25 - half, 9);
    expect(crm.sellerImportance.ci95?.[1]).toBeCloseTo(8.25 + half, 9);
    expect(crm.customerImportance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
    expect(crm.customerPerformance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
    expect(crm).toMatchObject({ deliveryGap: null, alignmentGap: null, quadrant: null });
  });

  it('labels criteria in the survey’s language', async () => {
    await app.db.updateTable('surveys').set({ language: 'en' }).where('id', '=', seeded.surveyId).execute();
    try {
      const { body } = await get(reportPath()).expect(200);
      expect(byKey(body.criteria, 'efficiency').label).toBe('Efficiency');
    } finally {
      await app.db.updateTable('surveys').set({ language: 'nb' }).where('id', '=', seeded.surveyId).execute();
    }
  });
});

describe('aggregateAnswers', () => {
  it('returns numbers, not strings, grouped per criterion × role × dimension', async () => {
    const rows = await aggregateAnswers(app.db, org.organizationId, seeded.surveyId, {});
    // 12 criteria × (customer importance, customer performance) + 13 seller importance.
    expect(rows).toHaveLength(12 * 2 + 13);
    for (const row of rows) {
      expect(typeof row.n).toBe('number');
      expect(typeof row.sum).toBe('number');
      expect(typeof row.sumSquares).toBe('number');
    }
    const crm = rows.find((row) => row.criterionId === seeded.criterionId.crm_system);
    expect(crm).toEqual({
      criterionId: seeded.criterionId.crm_system,
      role: 'seller',
      dimension: 'importance',
      n: 4,
      sum: 33,
      sumSquares: 49 + 81 + 64 + 81,
    });
  });

  it('leaves "don’t know" out of n and the mean instead of counting it as 0', async () => {
    const second = await seedWorkedExample(app, {
      organizationId: org.organizationId,
      kamUserId: org.kamUserId,
      name: 'Vet ikke-bølge',
    });
    // The first customer now says "don't know" to the importance of Tilgjengelighet (was 10).
    const response = await app.db
      .selectFrom('responses')
      .select('id')
      .where('invitation_id', '=', second.customerInvitations[0] as string)
      .executeTakeFirstOrThrow();
    await app.db
      .updateTable('answers')
      .set({ score: null })
      .where('response_id', '=', response.id)
      .where('survey_criterion_id', '=', second.criterionId.availability)
      .where('dimension', '=', 'importance')
      .execute();
    const { body } = await get(`/api/v1/surveys/${second.surveyId}/report`).expect(200);
    const availability = byKey(body.criteria, 'availability');
    expect(availability.customerImportance.n).toBe(3);
    expect(availability.customerImportance.mean).toBe(9); // (9 + 9 + 9) / 3, not (0 + 27) / 4
    expect(availability.customerPerformance.n).toBe(4);
  });
});

describe('GET /api/v1/surveys/:id/report — filters', () => {
  it('filters the customer series by account; seller importance stays organisation-wide', async () => {
    const { body } = await get(reportPath(`?accountId=${seeded.accountIds[0]}`)).expect(200);
    const efficiency = byKey(body.criteria, 'efficiency');
    expect(efficiency.customerImportance).toEqual({ n: 1, mean: 9, sd: null, ci95: null });
    expect(efficiency.customerPerformance.mean).toBe(10);
    expect(efficiency.sellerImportance.n).toBe(4);
    expect(efficiency.sellerImportance.mean).toBe(7.25);
    expect(body.responseRate).toEqual({
      customer: { invited: 1, responded: 1 },
      seller: { invited: 4, responded: 4 },
    });
  });

  it('filters by segment (accounts 0, 1 and the unsubmitted 4)', async () => {
    const { body } = await get(reportPath('?segment=A')).expect(200);
    const advice = byKey(body.criteria, 'advice');
    expect(advice.customerImportance.n).toBe(2);
    expect(advice.customerImportance.mean).toBe(9); // 10 and 8
    expect(body.responseRate.customer).toEqual({ invited: 3, responded: 2 });
  });

  it('filters by KAM (accounts 0 and 2)', async () => {
    const { body } = await get(reportPath(`?kamUserId=${org.kamUserId}`)).expect(200);
    const advice = byKey(body.criteria, 'advice');
    expect(advice.customerImportance.n).toBe(2);
    expect(advice.customerImportance.mean).toBe(9.5); // 10 and 9
    expect(body.responseRate.customer).toEqual({ invited: 2, responded: 2 });
  });

  it('holds a KAM to their own accounts, with or without filters', async () => {
    const { body } = await get(reportPath(), org.kamKey).expect(200);
    expect(byKey(body.criteria, 'advice').customerImportance).toMatchObject({ n: 2, mean: 9.5 });
    expect(body.responseRate.customer).toEqual({ invited: 2, responded: 2 });
    const own = await get(reportPath(`?accountId=${seeded.accountIds[2]}`), org.kamKey).expect(200);
    expect(byKey(own.body.criteria, 'advice').customerImportance).toMatchObject({ n: 1, mean: 9 });
  });

  it('refuses a KAM another account or another KAM’s portfolio with 403 and no data', async () => {
    const foreign = await get(reportPath(`?accountId=${seeded.accountIds[1]}`), org.kamKey).expect(403);
    expect(foreign.body).toEqual({ error: { code: 'FORBIDDEN', message: expect.any(String) } });
    const other = await get(reportPath(`?kamUserId=${org.adminUserId}`), org.kamKey).expect(403);
    expect(other.body.criteria).toBeUndefined();
  });

  it('rejects filters that are not uuids or not a short single line with 400', async () => {
    for (const query of [
      '?accountId=abc',
      '?kamUserId=123',
      `?segment=${'x'.repeat(41)}`,
      '?segment=A%0AB',
      '?segment=A%00',
    ]) {
      const response = await get(reportPath(query)).expect(400);
      expect(response.body.error.code).toBe('BAD_REQUEST');
    }
  });
});

describe('GET /api/v1/surveys/:id/report — access', () => {
  it('answers 404 for another organisation’s survey and for an unknown one', async () => {
    const other = await organizationWithKam(app, 'Annen AS');
    const response = await get(reportPath(), other.adminKey).expect(404);
    expect(response.body.error.code).toBe('NOT_FOUND');
    await get('/api/v1/surveys/00000000-0000-4000-8000-000000000000/report').expect(404);
    await get('/api/v1/surveys/not-a-uuid/report').expect(404);
  });

  it('answers 404 for an unknown survey before refusing its filter or its compareTo', async () => {
    const unknown = '/api/v1/surveys/00000000-0000-4000-8000-000000000000/report';
    await get(`${unknown}?kamUserId=${org.adminUserId}`, org.kamKey).expect(404);
    await get(`${unknown}?accountId=${seeded.accountIds[1]}`, org.kamKey).expect(404);
    await get(`${unknown}?compareTo=00000000-0000-4000-8000-000000000000`).expect(404);
    // A known survey: the filter is refused before compareTo is looked at.
    const refused = await get(
      reportPath(`?accountId=${seeded.accountIds[1]}&compareTo=${seeded.surveyId}`),
      org.kamKey,
    ).expect(403);
    expect(refused.body.error.code).toBe('FORBIDDEN');
  });

  it('answers 401 without a key', async () => {
    await supertest(app.server).get(reportPath()).expect(401);
  });

  it('answers an empty wave with valid JSON: zero counts and nulls, never NaN', async () => {
    const surveyId = await seedEmptyWave(app, org.organizationId);
    const response = await get(`/api/v1/surveys/${surveyId}/report`).expect(200);
    expect(response.text).not.toMatch(/NaN|Infinity/);
    const { body } = response;
    expect(body.responseRate).toEqual({
      customer: { invited: 0, responded: 0 },
      seller: { invited: 0, responded: 0 },
    });
    // A wave made now asks overall satisfaction (on by default); nobody has answered it.
    expect(body.overall).toEqual({
      deliveryIndex: null,
      change: null,
      satisfaction: { n: 0, mean: null, sd: null, ci95: null },
    });
    expect(body.reliability).toEqual({
      customerPerformance: null,
      customerImportance: null,
      sellerImportance: null,
    });
    expect(body.crosshair).toEqual({ importance: null, performance: null });
    expect(body.criteria).toHaveLength(13);
    for (const criterion of body.criteria) {
      expect(criterion.customerImportance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
      expect(criterion).toMatchObject({ deliveryGap: null, alignmentGap: null, quadrant: null });
      expect(criterion.derivedImportance).toBeNull();
    }
  });
});
