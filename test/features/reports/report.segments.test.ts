import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { segmentsChartConfig } from '../../../static/js/report-segments.js';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { apiClient, type SurveyCriterion } from '../../helpers/surveys.js';
import { organizationWithKam } from './report-seed.js';

// A wave whose customers sit on accounts in segments A and B and on an account without a segment, answered
// through the respondent API with known scores ("don't know"s and unequal n included). Every figure of every
// group is computed here from the raw answers with textbook formulas, sharing no code with the server.

type Score = number | null;
type AccountName = 'a1' | 'a2' | 'b1' | 'b2' | 'n1';

const SEGMENT_OF: Record<AccountName, string | null> = { a1: 'A', a2: 'A', b1: 'B', b2: 'B', n1: null };
/** a1 and n1 are the KAM's; the others nobody's. */
const KAMS_ACCOUNTS: AccountName[] = ['a1', 'n1'];

/** Customer i's account; the last one (on b2) is invited but never answers. */
const CUSTOMERS: AccountName[] = ['a1', 'a1', 'a1', 'a2', 'a2', 'b1', 'b1', 'n1', 'b2'];
const ANSWERING = CUSTOMERS.length - 1;
const SELLERS = 3;

// Scores of customer i on the j-th customer criterion; null is "don't know".
const performanceOf = (i: number, j: number): Score =>
  (i + 2 * j) % 6 === 0 ? null : ((i * 7 + j * 3) % 10) + 1;
const importanceOf = (i: number, j: number): Score =>
  (i * j) % 5 === 4 ? null : ((i * 3 + j * 5 + 4) % 10) + 1;
const sellerImportanceOf = (s: number, j: number): number => ((s + j) % 4) + 6;

const present = (scores: Score[]) => scores.filter((score): score is number => score !== null);
const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
/** Sample standard deviation, two-pass: √(Σ(x − x̄)² / (n − 1)). */
function sd(xs: number[]): number | null {
  const m = mean(xs);
  if (m === null || xs.length < 2) return null;
  return Math.sqrt(xs.reduce((total, x) => total + (x - m) ** 2, 0) / (xs.length - 1));
}

function expectClose(actual: number | null | undefined, expected: number | null) {
  if (expected === null) {
    expect(actual).toBeNull();
    return;
  }
  expect(typeof actual).toBe('number');
  expect(Math.abs((actual as number) - expected)).toBeLessThan(1e-9);
}

interface StatJson {
  n: number;
  mean: number | null;
  sd: number | null;
  ci95: [number, number] | null;
}
interface CriterionJson {
  id: string;
  key: string | null;
  audience: 'both' | 'seller';
  sellerImportance: StatJson;
  customerImportance: StatJson;
  customerPerformance: StatJson;
  deliveryGap: number | null;
  alignmentGap: number | null;
  quadrant: string | null;
}
interface GroupJson {
  segment: string | null;
  responseRate: Record<'customer' | 'seller', { invited: number; responded: number }>;
  overall: { deliveryIndex: number | null };
  criteria: CriterionJson[];
}

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let surveyId: string;
let criteria: SurveyCriterion[];
let customerCriteria: SurveyCriterion[];
const accountIds = {} as Record<AccountName, string>;

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app, 'Segment AS');
  const api = apiClient(app, org.adminKey);
  for (const name of Object.keys(SEGMENT_OF) as AccountName[]) {
    const segment = SEGMENT_OF[name];
    const created = await api
      .post('/api/v1/accounts', {
        name: `Kunde ${name}`,
        ...(segment === null ? {} : { segment }),
        ...(KAMS_ACCOUNTS.includes(name) ? { kamUserId: org.kamUserId } : {}),
      })
      .expect(201);
    accountIds[name] = created.body.id;
  }
  const created = await api
    .post('/api/v1/surveys', { name: 'Segmenter 2026', overallQuestion: false, confidential: false })
    .expect(201);
  surveyId = created.body.id;
  criteria = created.body.criteria;
  customerCriteria = criteria.filter((criterion) => criterion.audience === 'both');
  const invited = await api
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: [
        ...CUSTOMERS.map((account) => ({
          role: 'customer',
          email: uniqueEmail('kunde'),
          accountId: accountIds[account],
        })),
        ...Array.from({ length: SELLERS }, () => ({ role: 'seller', email: uniqueEmail('selger') })),
      ],
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  const paths: string[] = invited.body.invitations.map(
    (invitation: { url: string }) => new URL(invitation.url).pathname,
  );
  for (let i = 0; i < ANSWERING; i++) {
    const answers = customerCriteria.map((criterion, j) => ({
      criterionId: criterion.id,
      importance: importanceOf(i, j),
      performance: performanceOf(i, j),
    }));
    await supertest(app.server)
      .post(paths[i] as string)
      .send({ answers, submit: true })
      .expect(200);
  }
  for (let s = 0; s < SELLERS; s++) {
    const answers = criteria.map((criterion, j) => ({
      criterionId: criterion.id,
      importance: sellerImportanceOf(s, j),
    }));
    await supertest(app.server)
      .post(paths[CUSTOMERS.length + s] as string)
      .send({ answers, submit: true })
      .expect(200);
  }
}, 120_000);

afterAll(async () => {
  await app.close();
});

/** What a group must say, from the raw answers of the customers `in` it (by index). */
function expectedGroup(inGroup: (customer: number) => boolean) {
  const customers = Array.from({ length: ANSWERING }, (_, i) => i).filter(inGroup);
  const perCriterion = customerCriteria.map((criterion, j) => {
    const performance = present(customers.map((i) => performanceOf(i, j)));
    const importance = present(customers.map((i) => importanceOf(i, j)));
    const sellers = Array.from({ length: SELLERS }, (_, s) =>
      sellerImportanceOf(s, criteria.indexOf(criterion)),
    );
    return { criterion, performance, importance, sellers };
  });
  const performanceMeans = perCriterion.flatMap(({ performance }) => {
    const m = mean(performance);
    return m === null ? [] : [m];
  });
  const both = perCriterion.filter(({ performance, importance }) => performance.length && importance.length);
  return {
    perCriterion,
    deliveryIndex: mean(performanceMeans),
    crosshair: {
      importance: mean(both.map(({ importance }) => mean(importance) as number)),
      performance: mean(both.map(({ performance }) => mean(performance) as number)),
    },
  };
}

function expectGroupFigures(group: GroupJson | undefined, inGroup: (customer: number) => boolean) {
  if (!group) throw new Error('no such group');
  const expected = expectedGroup(inGroup);
  expectClose(group.overall.deliveryIndex, expected.deliveryIndex);
  for (const { criterion, performance, importance, sellers } of expected.perCriterion) {
    const actual = group.criteria.find((candidate) => candidate.id === criterion.id);
    expect(actual?.customerPerformance.n).toBe(performance.length);
    expectClose(actual?.customerPerformance.mean, mean(performance));
    expectClose(actual?.customerPerformance.sd, sd(performance));
    expect(actual?.customerImportance.n).toBe(importance.length);
    expectClose(actual?.customerImportance.mean, mean(importance));
    expectClose(actual?.customerImportance.sd, sd(importance));
    // Seller importance is organisation-wide: every group repeats it.
    expect(actual?.sellerImportance.n).toBe(SELLERS);
    expectClose(actual?.sellerImportance.mean, mean(sellers));
    const mp = mean(performance);
    const mi = mean(importance);
    expectClose(actual?.deliveryGap, mp === null || mi === null ? null : mp - mi);
    expectClose(actual?.alignmentGap, mi === null ? null : (mean(sellers) as number) - mi);
    const { importance: ci, performance: cp } = expected.crosshair;
    const quadrant =
      mp === null || mi === null || ci === null || cp === null
        ? null
        : mi >= ci
          ? mp >= cp
            ? 'keep'
            : 'concentrate'
          : mp >= cp
            ? 'overkill'
            : 'low';
    expect(actual?.quadrant).toBe(quadrant);
  }
  // The sellers-only criterion: seller importance alone.
  const crm = group.criteria.find((candidate) => candidate.key === 'crm_system');
  expect(crm?.customerPerformance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  expect(crm?.sellerImportance.n).toBe(SELLERS);
}

const inSegment = (segment: string | null) => (i: number) =>
  SEGMENT_OF[CUSTOMERS[i] as AccountName] === segment;
const onAccounts = (names: AccountName[]) => (i: number) => names.includes(CUSTOMERS[i] as AccountName);
const reportPath = (query = '') => `/api/v1/surveys/${surveyId}/report?by=segment${query}`;

describe('GET /api/v1/surveys/:id/report?by=segment', () => {
  it('gives one group per segment, in order, accounts without a segment last', async () => {
    const { body } = await apiClient(app, org.adminKey).get(reportPath()).expect(200);
    expect(body.survey).toMatchObject({ id: surveyId, name: 'Segmenter 2026' });
    expect(body.groups.map((group: GroupJson) => group.segment)).toEqual(['A', 'B', null]);
  });

  it('gives every group the means, n, SD, gaps, quadrants and delivery index of its own customers', async () => {
    const { body } = await apiClient(app, org.adminKey).get(reportPath()).expect(200);
    const groups: GroupJson[] = body.groups;
    for (const segment of ['A', 'B', null]) {
      expectGroupFigures(
        groups.find((group) => group.segment === segment),
        inSegment(segment),
      );
    }
    // The fixture has "don't know"s: n differs between criteria and series.
    const a = groups[0] as GroupJson;
    const ns = new Set(a.criteria.flatMap((c) => [c.customerPerformance.n, c.customerImportance.n]));
    expect(ns.size).toBeGreaterThan(1);
  });

  it('gives each group its customers’ response rate and the organisation’s sellers', async () => {
    const { body } = await apiClient(app, org.adminKey).get(reportPath()).expect(200);
    const rates = Object.fromEntries(
      body.groups.map((group: GroupJson) => [String(group.segment), group.responseRate]),
    );
    const seller = { invited: SELLERS, responded: SELLERS };
    expect(rates).toEqual({
      A: { customer: { invited: 5, responded: 5 }, seller },
      B: { customer: { invited: 3, responded: 2 }, seller },
      null: { customer: { invited: 1, responded: 1 }, seller },
    });
  });

  it('gives a segment group exactly what the report filtered to that segment gives', async () => {
    const api = apiClient(app, org.adminKey);
    const { body } = await api.get(reportPath()).expect(200);
    for (const group of (body.groups as GroupJson[]).filter((candidate) => candidate.segment !== null)) {
      const filtered = await api
        .get(`/api/v1/surveys/${surveyId}/report?segment=${group.segment}&compareTo=none`)
        .expect(200);
      expect(group.responseRate).toEqual(filtered.body.responseRate);
      expect(group.overall.deliveryIndex).toBe(filtered.body.overall.deliveryIndex);
      const fields = ['id', 'key', 'label', 'audience', 'deliveryGap', 'alignmentGap', 'quadrant'];
      const series = ['sellerImportance', 'customerImportance', 'customerPerformance'];
      const pick = (criterion: Record<string, unknown>) =>
        Object.fromEntries([...fields, ...series].map((field) => [field, criterion[field]]));
      expect(group.criteria.length).toBe(filtered.body.criteria.length);
      expect((group.criteria as unknown as Record<string, unknown>[]).map(pick)).toEqual(
        filtered.body.criteria.map(pick),
      );
    }
  });

  it('applies the filters before splitting: a segment or an account gives its one group', async () => {
    const api = apiClient(app, org.adminKey);
    const bySegment = await api.get(reportPath('&segment=B')).expect(200);
    expect(bySegment.body.groups.map((group: GroupJson) => group.segment)).toEqual(['B']);
    expectGroupFigures(bySegment.body.groups[0], inSegment('B'));

    const byAccount = await api.get(reportPath(`&accountId=${accountIds.a2}`)).expect(200);
    expect(byAccount.body.groups.map((group: GroupJson) => group.segment)).toEqual(['A']);
    expectGroupFigures(byAccount.body.groups[0], onAccounts(['a2']));
    expect(byAccount.body.groups[0].responseRate.customer).toEqual({ invited: 2, responded: 2 });

    const none = await api.get(reportPath('&segment=C')).expect(200);
    expect(none.body.groups).toEqual([]);
  });

  it('holds a KAM to their own accounts: only the segments those fall in, with their answers only', async () => {
    const kam = apiClient(app, org.kamKey);
    const { body } = await kam.get(reportPath()).expect(200);
    const groups: GroupJson[] = body.groups;
    expect(groups.map((group) => group.segment)).toEqual(['A', null]);
    expectGroupFigures(groups[0], onAccounts(['a1']));
    expectGroupFigures(groups[1], onAccounts(['n1']));
    expect(groups[0]?.responseRate.customer).toEqual({ invited: 3, responded: 3 });

    await kam.get(reportPath(`&accountId=${accountIds.a2}`)).expect(403);
    await kam.get(reportPath(`&kamUserId=${org.adminUserId}`)).expect(403);
  });

  it('refuses any other `by` with 400, and another organisation’s wave with 404', async () => {
    const api = apiClient(app, org.adminKey);
    const bad = await api.get(`/api/v1/surveys/${surveyId}/report?by=account`).expect(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
    expect(JSON.stringify(bad.body.error)).toContain('by');
    // An empty `by` is no `by`, as for the other filters: the plain report.
    const plain = await api.get(`/api/v1/surveys/${surveyId}/report?by=`).expect(200);
    expect(plain.body.criteria).toBeDefined();

    const other = await organizationWithKam(app, 'Annen AS');
    await apiClient(app, other.adminKey).get(reportPath()).expect(404);
  });
});

describe('GET /surveys/:id/report?by=segment (the page)', () => {
  const pagePath = (query = '') => `/surveys/${surveyId}/report?by=segment${query}`;

  it('is linked from the report, with the report’s filters', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${surveyId}/report?segment=A`).expect(200);
    const href = /<a href="([^"]*)" data-testid="segments-link">/.exec(text)?.[1] ?? '';
    const decoded = href.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
    expect(decoded).toBe(`/surveys/${surveyId}/report?segment=A&by=segment`);
    expect(text).toContain('Sammenlign segmentene');
  });

  it('compares the segments in one table: performance and importance with n, the gap, small samples marked', async () => {
    const { text } = await org.adminAgent.get(pagePath()).expect(200);
    expect(text).toContain('<caption>');
    expect(text).toMatch(
      /<th scope="colgroup" colspan="3">A<\/th><th scope="colgroup" colspan="3">B<\/th><th scope="colgroup" colspan="3">Uten segment<\/th>/,
    );
    // Every cell carries its mean and n; compare them with the raw answers.
    for (const segment of ['A', 'B', null]) {
      const expected = expectedGroup(inSegment(segment));
      const name = segment ?? 'Uten segment';
      for (const { criterion, performance, importance } of expected.perCriterion) {
        const row =
          new RegExp(`<tr data-criterion="${criterion.id}">([\\s\\S]*?)</tr>`).exec(text)?.[1] ?? '';
        const cell = (series: string) =>
          new RegExp(
            `<td class="num( uncertain)?" data-segment="${name}" data-series="${series}" data-mean="([^"]*)" data-n="(\\d+)">([\\s\\S]*?)</td>`,
          ).exec(row);
        for (const [series, scores] of [
          ['customerPerformance', performance],
          ['customerImportance', importance],
        ] as const) {
          const match = cell(series);
          expect(match, `${name} ${criterion.key} ${series}`).toBeTruthy();
          expect(Number(match?.[3])).toBe(scores.length);
          const m = mean(scores);
          if (m === null) expect(match?.[2]).toBe('');
          else expectClose(Number(match?.[2]), m);
          // Below the organisation's threshold (5): marked in text, not only by colour.
          const low = scores.length > 0 && scores.length < 5;
          expect(Boolean(match?.[1])).toBe(low);
          expect(match?.[4]?.includes('(under terskel)')).toBe(low);
        }
      }
    }
    expect(text).toContain('B: høyst 2 kundesvar per kriterium, under terskelen på 5');
    expect(text).toContain('2 av 3, 67 %');
  });

  it('hands the chart the table’s performance means, one line per segment, shapes as well as colours', async () => {
    const { text } = await org.adminAgent.get(pagePath()).expect(200);
    const json = /<script type="application\/json" id="report-segments-data">([\s\S]*?)<\/script>/.exec(
      text,
    )?.[1];
    const data = JSON.parse(json ?? 'null');
    expect(data.labels).toEqual(customerCriteria.map((criterion) => criterion.label));
    expect(data.datasets.map((dataset: { label: string }) => dataset.label)).toEqual([
      'A',
      'B',
      'Uten segment',
    ]);
    for (const [index, segment] of (['A', 'B', null] as const).entries()) {
      const expected = expectedGroup(inSegment(segment)).perCriterion;
      const dataset = data.datasets[index];
      expected.forEach(({ performance }, j) => {
        expectClose(dataset.values[j], mean(performance));
        expect(dataset.n[j]).toBe(performance.length);
      });
    }
    const config = segmentsChartConfig(data);
    const styles = new Set(config.data.datasets.map((dataset) => dataset.pointStyle));
    expect(styles.size).toBe(3);
    expect(text).toContain('<script type="module" src="/static/js/report-segments.js"></script>');
    const script = await supertest(app.server).get('/static/js/report-segments.js').expect(200);
    expect(script.text).toContain('segmentsChartConfig');
  });

  it('speaks English when asked, and shows a KAM only their segments', async () => {
    const english = await org.adminAgent.get(pagePath('&lang=en')).expect(200);
    expect(english.text).toContain('Segments side by side');
    expect(english.text).toContain('No segment');
    expect(english.text).toContain('(below threshold)');

    const { text } = await org.kamAgent.get(pagePath()).expect(200);
    expect(text).toMatch(
      /<th scope="colgroup" colspan="3">A<\/th><th scope="colgroup" colspan="3">Uten segment<\/th>/,
    );
    expect(text).not.toContain('<th scope="colgroup" colspan="3">B</th>');
    expect(text).not.toContain('id="filter-kam"');
  });

  it('answers a bad `by` with 400, and says so when no customer is in the selection', async () => {
    await org.adminAgent.get(`/surveys/${surveyId}/report?by=kam`).expect(400);
    const { text } = await org.adminAgent.get(pagePath('&segment=C')).expect(200);
    expect(text).toContain('data-testid="no-segments"');
  });
});
