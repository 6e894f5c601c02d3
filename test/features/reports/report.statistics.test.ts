import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { apiClient, type SurveyCriterion } from '../../helpers/surveys.js';
import { meanOf, varianceOf } from '../../helpers/welch.js';
import { organizationWithKam } from './report-seed.js';

// Overall satisfaction, derived importance and Cronbach's α in the report (issue 12): a wave answered
// through the respondent API with known scores — "don't know"s, unequal n, a criterion everybody scores
// the same — and every figure checked against the textbook formulas computed here from the raw answers.

type Score = number | null;

interface Customer {
  on: 'kam' | 'other';
  overall: Score;
  /** Performance by criterion key (others: `base`), null: "don't know". */
  performance: Record<string, Score>;
  importance: Record<string, Score>;
  base: number;
}

const CUSTOMERS: Customer[] = [
  { on: 'kam', overall: 9, base: 8, performance: { availability: 9, advice: 8, trust: 7 }, importance: {} },
  {
    on: 'kam',
    overall: 4,
    base: 5,
    performance: { availability: 3, advice: null, trust: 7 },
    importance: { knowledge: null },
  },
  { on: 'kam', overall: 7, base: 6, performance: { availability: 6, advice: 7, trust: 7 }, importance: {} },
  {
    on: 'other',
    overall: null,
    base: 7,
    performance: { availability: 8, advice: 6, trust: 7 },
    importance: {},
  },
  {
    on: 'other',
    overall: 6,
    base: 6,
    performance: { availability: 5, advice: 9, trust: 7 },
    importance: { advice: 4 },
  },
  { on: 'other', overall: 8, base: 9, performance: { availability: 8, advice: 7, trust: 7 }, importance: {} },
  {
    on: 'other',
    overall: 3,
    base: 4,
    performance: { availability: 2, advice: 5, efficiency: null, trust: 7 },
    importance: {},
  },
];
const SELLERS = [
  { base: 8, importance: { crm_system: 6 } as Record<string, Score> },
  { base: 7, importance: { advice: 9 } as Record<string, Score> },
  { base: 9, importance: { crm_system: null } as Record<string, Score> },
  { base: 6, importance: {} as Record<string, Score> },
];

const performanceOf = (customer: Customer, key: string): Score =>
  key in customer.performance ? (customer.performance[key] as Score) : customer.base;
/** Importance varies by criterion and customer so that α has spread to work on. */
const importanceOf = (customer: Customer, key: string, index: number): Score =>
  key in customer.importance
    ? (customer.importance[key] as Score)
    : Math.min(10, customer.base + (index % 3));
const sellerImportanceOf = (seller: (typeof SELLERS)[number], key: string, index: number): Score =>
  key in seller.importance ? (seller.importance[key] as Score) : Math.min(10, seller.base + (index % 2));

// The textbook formulas, from the raw scores.
const mean = meanOf;
const sampleVariance = varianceOf;
function pearson(pairs: Array<[number, number]>): number | null {
  if (pairs.length < 3) return null;
  const mx = mean(pairs.map(([x]) => x));
  const my = mean(pairs.map(([, y]) => y));
  const sxy = pairs.reduce((sum, [x, y]) => sum + (x - mx) * (y - my), 0);
  const sxx = pairs.reduce((sum, [x]) => sum + (x - mx) ** 2, 0);
  const syy = pairs.reduce((sum, [, y]) => sum + (y - my) ** 2, 0);
  if (sxx === 0 || syy === 0) return null;
  return sxy / Math.sqrt(sxx * syy);
}
/** Cronbach's α over the respondents with every item scored (listwise); rows: respondents × items. */
function cronbach(rows: Score[][]): { alpha: number | null; n: number; k: number } {
  const complete = rows.filter((row) => row.every((score) => score !== null)) as number[][];
  const k = rows[0]?.length ?? 0;
  if (complete.length < 3 || k < 2) return { alpha: null, n: complete.length, k };
  const itemVariances = Array.from({ length: k }, (_, j) =>
    sampleVariance(complete.map((row) => row[j] as number)),
  );
  const totalVariance = sampleVariance(complete.map((row) => row.reduce((a, b) => a + b, 0)));
  return {
    alpha: (k / (k - 1)) * (1 - itemVariances.reduce((a, b) => a + b, 0) / totalVariance),
    n: complete.length,
    k,
  };
}

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let surveyId: string;
let criteria: SurveyCriterion[];
let accounts: Record<'kam' | 'other', string>;

async function wave(overallQuestion: boolean, customers: Customer[], sellers = SELLERS) {
  const api = apiClient(app, org.adminKey);
  const created = await api.post('/api/v1/surveys', {
    name: `Tilfredshet ${uniqueEmail('w')}`,
    overallQuestion,
    confidential: false,
  });
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  const waveCriteria = created.body.criteria as SurveyCriterion[];
  const invited = await api
    .post(`/api/v1/surveys/${id}/invitations`, {
      invitations: [
        ...customers.map((customer) => ({
          role: 'customer',
          email: uniqueEmail('kunde'),
          accountId: accounts[customer.on],
        })),
        ...sellers.map(() => ({ role: 'seller', email: uniqueEmail('selger') })),
      ],
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${id}/open`).expect(200);
  const paths = (invited.body.invitations as { url: string }[]).map(
    (invitation) => new URL(invitation.url).pathname,
  );
  for (const [i, customer] of customers.entries()) {
    const answers = waveCriteria
      .filter((criterion) => criterion.audience === 'both')
      .map((criterion, index) => ({
        criterionId: criterion.id,
        importance: importanceOf(customer, criterion.key ?? '', index),
        performance: performanceOf(customer, criterion.key ?? ''),
      }));
    const body = overallQuestion
      ? { answers, overall: customer.overall, submit: true }
      : { answers, submit: true };
    await supertest(app.server)
      .post(paths[i] as string)
      .send(body)
      .expect(200);
  }
  for (const [i, seller] of sellers.entries()) {
    const answers = waveCriteria.map((criterion, index) => ({
      criterionId: criterion.id,
      importance: sellerImportanceOf(seller, criterion.key ?? '', index),
    }));
    await supertest(app.server)
      .post(paths[customers.length + i] as string)
      .send({ answers, submit: true })
      .expect(200);
  }
  return { id, criteria: waveCriteria };
}

const report = (id: string, query = '', key = org.adminKey) =>
  apiClient(app, key).get(`/api/v1/surveys/${id}/report${query}`).expect(200);

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app, 'Tilfredshet AS');
  const api = apiClient(app, org.adminKey);
  accounts = {
    kam: (await api.post('/api/v1/accounts', { name: 'Karis kunde', kamUserId: org.kamUserId }).expect(201))
      .body.id,
    other: (await api.post('/api/v1/accounts', { name: 'Annen kunde' }).expect(201)).body.id,
  };
  ({ id: surveyId, criteria } = await wave(true, CUSTOMERS));
});
afterAll(async () => {
  await app.close();
});

function expected(customers: Customer[]) {
  const both = criteria.filter((criterion) => criterion.audience === 'both');
  const overall = customers
    .map((customer) => customer.overall)
    .filter((score): score is number => score !== null);
  const derived = new Map(
    both.map((criterion) => {
      const pairs = customers.flatMap((customer): Array<[number, number]> => {
        const x = performanceOf(customer, criterion.key ?? '');
        return x === null || customer.overall === null ? [] : [[x, customer.overall]];
      });
      return [criterion.key, { r: pearson(pairs), n: pairs.length }];
    }),
  );
  return {
    overall,
    derived,
    customerPerformance: cronbach(
      customers.map((c) => both.map((criterion) => performanceOf(c, criterion.key ?? ''))),
    ),
    customerImportance: cronbach(
      customers.map((c) => both.map((criterion, index) => importanceOf(c, criterion.key ?? '', index))),
    ),
    sellerImportance: cronbach(
      SELLERS.map((s) =>
        criteria.map((criterion, index) => sellerImportanceOf(s, criterion.key ?? '', index)),
      ),
    ),
  };
}

describe('overall satisfaction, derived importance and reliability in the report JSON', () => {
  it('matches the textbook formulas from the raw answers, to 1e-9', async () => {
    const { body, text } = await report(surveyId);
    expect(text).not.toMatch(/NaN|Infinity/);
    const want = expected(CUSTOMERS);

    const satisfaction = body.overall.satisfaction;
    expect(satisfaction.n).toBe(want.overall.length);
    expect(satisfaction.mean).toBeCloseTo(mean(want.overall), 9);
    expect(satisfaction.sd).toBeCloseTo(Math.sqrt(sampleVariance(want.overall)), 9);
    expect(satisfaction.ci95).toHaveLength(2);

    for (const criterion of body.criteria) {
      if (criterion.audience !== 'both') {
        expect(criterion.derivedImportance).toBeNull();
        continue;
      }
      const { r, n } = want.derived.get(criterion.key) as { r: number | null; n: number };
      if (r === null) expect(criterion.derivedImportance).toBeNull();
      else {
        expect(criterion.derivedImportance.n).toBe(n);
        expect(Math.abs(criterion.derivedImportance.r - r)).toBeLessThan(1e-9);
      }
    }
    // trust is 7 for everybody: no spread, no r. advice has a "don't know": 5 pairs, not 6.
    expect(body.criteria.find((c: { key: string }) => c.key === 'trust').derivedImportance).toBeNull();
    expect(body.criteria.find((c: { key: string }) => c.key === 'advice').derivedImportance.n).toBe(5);

    for (const series of ['customerPerformance', 'customerImportance', 'sellerImportance'] as const) {
      const { alpha, n, k } = want[series];
      expect(alpha).not.toBeNull();
      expect(body.reliability[series].n).toBe(n);
      expect(body.reliability[series].k).toBe(k);
      expect(Math.abs(body.reliability[series].alpha - (alpha as number))).toBeLessThan(1e-9);
    }
    // Listwise: delivery loses the customers with an advice and an efficiency "don't know", importance the
    // one with a knowledge "don't know", sellers the one with a CRM-system "don't know".
    expect(body.reliability.customerPerformance.n).toBe(5);
    expect(body.reliability.customerImportance.n).toBe(6);
    expect(body.reliability.sellerImportance.n).toBe(3);
  });

  it('follows the filter: a KAM’s figures come from their own account’s customers only', async () => {
    const own = CUSTOMERS.filter((customer) => customer.on === 'kam');
    const want = expected(own);
    const { body } = await report(surveyId, '', org.kamKey);
    expect(body.overall.satisfaction.n).toBe(want.overall.length);
    expect(body.overall.satisfaction.mean).toBeCloseTo(mean(want.overall), 9);
    const availability = body.criteria.find((c: { key: string }) => c.key === 'availability');
    expect(
      Math.abs(availability.derivedImportance.r - (want.derived.get('availability')?.r as number)),
    ).toBeLessThan(1e-9);
    // Of the KAM's three customers one has a "don't know" in each customer series: two left, no α.
    expect(want.customerPerformance).toMatchObject({ alpha: null, n: 2 });
    expect(body.reliability.customerPerformance).toBeNull();
    expect(body.reliability.customerImportance).toBeNull();
    // Sellers belong to no account: their α is the organisation's.
    expect(body.reliability.sellerImportance.n).toBe(3);
  });

  it('follows an account filter: every figure from that account’s customers, sellers organisation-wide', async () => {
    const theirs = CUSTOMERS.filter((customer) => customer.on === 'other');
    const want = expected(theirs);
    const { body } = await report(surveyId, `?accountId=${accounts.other}`);
    expect(body.overall.satisfaction.n).toBe(want.overall.length);
    expect(body.overall.satisfaction.mean).toBeCloseTo(mean(want.overall), 9);
    for (const criterion of body.criteria) {
      if (criterion.audience !== 'both') continue;
      const { r, n } = want.derived.get(criterion.key) as { r: number | null; n: number };
      if (r === null) expect(criterion.derivedImportance).toBeNull();
      else {
        expect(criterion.derivedImportance.n).toBe(n);
        expect(Math.abs(criterion.derivedImportance.r - r)).toBeLessThan(1e-9);
      }
    }
    // The account's four customers: the one with an efficiency "don't know" leaves delivery's α with three.
    expect(want.customerPerformance.n).toBe(3);
    for (const series of ['customerPerformance', 'customerImportance'] as const) {
      const { alpha, n } = want[series];
      expect(body.reliability[series].n).toBe(n);
      expect(Math.abs(body.reliability[series].alpha - (alpha as number))).toBeLessThan(1e-9);
    }
    expect(body.reliability.sellerImportance.n).toBe(3);
  });

  it('shows the figures on the page: satisfaction, the derived table with readings, α with α-if-deleted, the axis switch', async () => {
    const page = await supertest(app.server)
      .get(`/surveys/${surveyId}/report`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    expect(page.text).toContain('data-testid="satisfaction"');
    expect(page.text).toContain('data-testid="derived-table"');
    expect(page.text).toContain('Ingen r: alle kundene ga samme leveransekarakter.');
    expect(page.text).toContain('data-testid="reliability-table"');
    expect(page.text).toContain('data-testid="if-deleted-customerPerformance"');
    expect(page.text).toContain('id="quadrant-axis"');
    expect(page.text).not.toMatch(/NaN|Infinity/);
  });
});

describe('the wide CSV export', () => {
  it('has each customer’s overall satisfaction (DK for "don’t know"), empty for sellers', async () => {
    const csv = await supertest(app.server)
      .get(`/surveys/${surveyId}/export.csv?layout=wide`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    const [header, ...lines] = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    const columns = (header ?? '').split(';').map((cell) => cell.replaceAll('"', ''));
    const at = columns.indexOf('overall');
    expect(columns.slice(-2)).toEqual(['overall', 'comment']);
    const cell = (line: string, index: number) => line.split(';')[index]?.replaceAll('"', '') ?? '';
    const customers = lines.filter((line) => cell(line, 1) === 'customer').map((line) => cell(line, at));
    const sellers = lines.filter((line) => cell(line, 1) === 'seller').map((line) => cell(line, at));
    expect(customers.sort()).toEqual(
      CUSTOMERS.map((c) => (c.overall === null ? 'DK' : String(c.overall))).sort(),
    );
    expect(sellers).toEqual(SELLERS.map(() => ''));
  });
});

describe('the edge cases', () => {
  it('gives no derived importance, with the reason, when every customer gives the same overall score', async () => {
    const same = CUSTOMERS.map((customer) => ({ ...customer, overall: 7 }));
    const { id } = await wave(true, same);
    const { body, text } = await report(id);
    expect(text).not.toMatch(/NaN|Infinity/);
    expect(body.criteria.every((c: { derivedImportance: unknown }) => c.derivedImportance === null)).toBe(
      true,
    );
    expect(body.overall.satisfaction).toMatchObject({ n: 7, mean: 7, sd: 0 });
    const page = await supertest(app.server)
      .get(`/surveys/${id}/report`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    expect(page.text).toContain('Ingen r: alle kundene ga samme samlede tilfredshet.');
    expect(page.text).not.toContain('id="quadrant-axis"');
  });

  it('gives no α for one respondent', async () => {
    const { id } = await wave(true, CUSTOMERS.slice(0, 1), SELLERS.slice(0, 1));
    const { body } = await report(id);
    expect(body.reliability).toEqual({
      customerPerformance: null,
      customerImportance: null,
      sellerImportance: null,
    });
  });

  it('has no satisfaction, no derived importance and no switch in a wave that does not ask it', async () => {
    const { id } = await wave(false, CUSTOMERS);
    const { body } = await report(id);
    expect(body.overall.satisfaction).toBeNull();
    expect(body.criteria.every((c: { derivedImportance: unknown }) => c.derivedImportance === null)).toBe(
      true,
    );
    expect(body.reliability.customerPerformance).not.toBeNull();
    const page = await supertest(app.server)
      .get(`/surveys/${id}/report`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    expect(page.text).not.toContain('id="quadrant-axis"');
    expect(page.text).not.toContain('data-testid="derived-table"');
    expect(page.text).not.toContain('data-testid="satisfaction"');
  });
});
