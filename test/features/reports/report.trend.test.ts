import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { apiClient } from '../../helpers/surveys.js';
import { organizationWithKam } from './report-seed.js';

// The trend across a series (issue 11): three waves of one series, answered through respondent links, and
// every mean, n and delivery index checked against numbers computed here from the raw answers.

type Key = 'speed' | 'price' | 'quality' | 'crm';
interface Criterion {
  key: Key;
  label: string;
  audience: 'both' | 'seller';
}
/** A customer's ratings: [importance, performance]; a null performance is "don't know". */
interface Customer {
  account: 'kam' | 'other';
  ratings: Partial<Record<Key, [number, number | null]>>;
  /** Saved but never submitted: must count nowhere. */
  unsubmitted?: boolean;
}
interface WaveSpec {
  name: string;
  criteria: Criterion[];
  customers: Customer[];
}

const speed: Criterion = { key: 'speed', label: 'Fart', audience: 'both' };
const quality: Criterion = { key: 'quality', label: 'Kvalitet', audience: 'both' };
const crm: Criterion = { key: 'crm', label: 'CRM', audience: 'seller' };

const WAVES: WaveSpec[] = [
  {
    name: 'Vår 2025',
    criteria: [speed, { key: 'price', label: 'Pris', audience: 'both' }, quality, crm],
    customers: [
      { account: 'kam', ratings: { speed: [7, 6], price: [8, 5], quality: [9, 8] } },
      { account: 'kam', ratings: { speed: [8, null], price: [9, 7], quality: [7, 6] } },
      { account: 'other', ratings: { speed: [6, 4], price: [7, 3], quality: [8, 9] } },
    ],
  },
  {
    // Price was not asked in the middle wave.
    name: 'Høst 2025',
    criteria: [quality, speed, crm],
    customers: [
      { account: 'kam', ratings: { speed: [8, 7], quality: [9, 9] } },
      { account: 'kam', ratings: { speed: [7, 8], quality: [8, null] } },
      { account: 'other', ratings: { speed: [9, 5], quality: [6, 4] } },
      { account: 'other', ratings: { speed: [5, 5], quality: [7, 7] } },
    ],
  },
  {
    name: 'Vår 2026',
    criteria: [speed, { key: 'price', label: 'Pris og vilkår', audience: 'both' }, quality],
    customers: [
      { account: 'kam', ratings: { speed: [9, 9], price: [8, 8], quality: [9, 10] } },
      { account: 'other', ratings: { speed: [6, 6], price: [9, 4], quality: [8, null] } },
      { account: 'kam', ratings: { speed: [1, 1], price: [1, 1], quality: [1, 1] }, unsubmitted: true },
    ],
  },
];

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let api: ReturnType<typeof apiClient>;
let kamApi: ReturnType<typeof apiClient>;
const accounts = { kam: '', other: '' };
let waveIds: string[] = [];
let singleWaveId: string;

async function runWave(spec: WaveSpec): Promise<string> {
  const created = await api
    .post('/api/v1/surveys', {
      name: spec.name,
      criteria: spec.criteria,
      overallQuestion: false,
      confidential: false,
    })
    .expect(201);
  const surveyId: string = created.body.id;
  const idOf = new Map<string, string>(
    created.body.criteria.map((criterion: { key: string; id: string }) => [criterion.key, criterion.id]),
  );
  const invited = await api
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: [
        ...spec.customers.map((customer) => ({
          role: 'customer',
          email: uniqueEmail('kunde'),
          accountId: accounts[customer.account],
        })),
        { role: 'seller', email: uniqueEmail('selger') },
      ],
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  const paths: string[] = invited.body.invitations.map(
    (invitation: { url: string }) => new URL(invitation.url).pathname,
  );
  for (const [index, customer] of spec.customers.entries()) {
    const answers = Object.entries(customer.ratings).map(([key, [importance, performance]]) => ({
      criterionId: idOf.get(key),
      importance,
      performance,
    }));
    await supertest(app.server)
      .post(paths[index] as string)
      .send({ answers, submit: !customer.unsubmitted })
      .expect(200);
  }
  // A seller rates every criterion 10: sellers never enter customer performance.
  await supertest(app.server)
    .post(paths[spec.customers.length] as string)
    .send({
      answers: spec.criteria.map((criterion) => ({ criterionId: idOf.get(criterion.key), importance: 10 })),
      submit: true,
    })
    .expect(200);
  return surveyId;
}

async function link(surveyId: string, previousSurveyId: string) {
  await app.db
    .updateTable('surveys')
    .set({ previous_survey_id: previousSurveyId })
    .where('organization_id', '=', org.organizationId)
    .where('id', '=', surveyId)
    .execute();
}

/** Mean and n of customer performance from the raw answers, under an account filter; null if not asked. */
function expectedPoint(spec: WaveSpec, key: Key, included: ReadonlySet<Customer['account']>) {
  const asked = spec.criteria.some((criterion) => criterion.key === key && criterion.audience === 'both');
  if (!asked) return null;
  const scores = spec.customers
    .filter((customer) => !customer.unsubmitted && included.has(customer.account))
    .map((customer) => customer.ratings[key]?.[1])
    .filter((score): score is number => typeof score === 'number');
  const total = scores.reduce((sum, score) => sum + score, 0);
  return { mean: scores.length === 0 ? null : total / scores.length, n: scores.length };
}

/** The plain mean of the wave's per-criterion customer-performance means. */
function expectedDeliveryIndex(spec: WaveSpec, included: ReadonlySet<Customer['account']>) {
  const means = spec.criteria
    .filter((criterion) => criterion.audience === 'both')
    .map((criterion) => expectedPoint(spec, criterion.key, included)?.mean)
    .filter((mean): mean is number => typeof mean === 'number');
  return means.length === 0 ? null : means.reduce((sum, mean) => sum + mean, 0) / means.length;
}

interface TrendJson {
  waves: Array<{ id: string; name: string; current: boolean; openedAt: string | null; closedAt: unknown }>;
  deliveryIndex: Array<number | null>;
  criteria: Array<{
    key: string;
    label: string;
    customerPerformance: Array<{ mean: number | null; n: number } | null>;
  }>;
}

function expectTrend(trend: TrendJson, included: ReadonlySet<Customer['account']>) {
  expect(trend.deliveryIndex).toHaveLength(WAVES.length);
  expect(trend.criteria.map((criterion) => criterion.key).sort()).toEqual(['price', 'quality', 'speed']);
  trend.deliveryIndex.forEach((value, index) => {
    const expected = expectedDeliveryIndex(WAVES[index] as WaveSpec, included);
    if (expected === null) expect(value).toBeNull();
    else expect(value).toBeCloseTo(expected, 12);
  });
  for (const criterion of trend.criteria) {
    expect(criterion.customerPerformance).toHaveLength(WAVES.length);
    for (const [index, point] of criterion.customerPerformance.entries()) {
      const expected = expectedPoint(WAVES[index] as WaveSpec, criterion.key as Key, included);
      if (expected === null) {
        expect(point).toBeNull();
        continue;
      }
      expect(point?.n).toBe(expected.n);
      if (expected.mean === null) expect(point?.mean).toBeNull();
      else expect(point?.mean).toBeCloseTo(expected.mean, 12);
    }
  }
}

const everyone = new Set<Customer['account']>(['kam', 'other']);
const kamOnly = new Set<Customer['account']>(['kam']);

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app, 'Trend AS');
  api = apiClient(app, org.adminKey);
  kamApi = apiClient(app, org.kamKey);
  const kamAccount = await api
    .post('/api/v1/accounts', { name: 'Kundens AS', segment: 'A', kamUserId: org.kamUserId })
    .expect(201);
  const otherAccount = await api.post('/api/v1/accounts', { name: 'Andres AS', segment: 'B' }).expect(201);
  accounts.kam = kamAccount.body.id;
  accounts.other = otherAccount.body.id;

  waveIds = [];
  for (const spec of WAVES) waveIds.push(await runWave(spec));
  await link(waveIds[1] as string, waveIds[0] as string);
  await link(waveIds[2] as string, waveIds[1] as string);
  // A draft following the last wave belongs to the series but has nothing to show.
  const draft = await api
    .post('/api/v1/surveys', { name: 'Høst 2026', criteria: [speed], confidential: false })
    .expect(201);
  await link(draft.body.id, waveIds[2] as string);

  singleWaveId = await runWave({ ...(WAVES[0] as WaveSpec), name: 'Alene' });
});
afterAll(async () => {
  await app.close();
});

describe('GET /api/v1/surveys/:id/report — trend', () => {
  it('lists the whole series but its draft, oldest first, from the middle wave, marking it current', async () => {
    const { body } = await api.get(`/api/v1/surveys/${waveIds[1]}/report`).expect(200);
    const trend: TrendJson = body.trend;
    expect(trend.waves.map((wave) => wave.id)).toEqual(waveIds);
    expect(trend.waves.map((wave) => wave.name)).toEqual(WAVES.map((wave) => wave.name));
    expect(trend.waves.map((wave) => wave.current)).toEqual([false, true, false]);
    expect(trend.waves.every((wave) => typeof wave.openedAt === 'string')).toBe(true);
    expect(trend.deliveryIndex).toHaveLength(3);
  });

  it('gives every mean, n and delivery index of the raw answers; a criterion not asked is null', async () => {
    const { body } = await api.get(`/api/v1/surveys/${waveIds[1]}/report`).expect(200);
    const trend: TrendJson = body.trend;
    // The current wave's order first, then what other waves asked (newest first, with its label);
    // the sellers-only criterion has no customer performance.
    expect(trend.criteria.map((criterion) => [criterion.key, criterion.label])).toEqual([
      ['quality', 'Kvalitet'],
      ['speed', 'Fart'],
      ['price', 'Pris og vilkår'],
    ]);
    expectTrend(trend, everyone);
    const price = trend.criteria.find((criterion) => criterion.key === 'price');
    expect(price?.customerPerformance[1]).toBeNull();
    // Spot checks by hand: "don't know" leaves n = 2 for speed in the first wave; the unsubmitted
    // response's 1s count nowhere in the third.
    const speedTrend = trend.criteria.find((criterion) => criterion.key === 'speed');
    expect(speedTrend?.customerPerformance[0]).toEqual({ mean: 5, n: 2 });
    expect(speedTrend?.customerPerformance[2]).toEqual({ mean: 7.5, n: 2 });
    expect(trend.deliveryIndex[0]).toBeCloseTo((5 + 5 + 23 / 3) / 3, 12);
    expect(trend.deliveryIndex[1]).toBeCloseTo((25 / 4 + 20 / 3) / 2, 12);
  });

  it('is the same trend whichever wave of the series the report is of', async () => {
    const first = await api.get(`/api/v1/surveys/${waveIds[0]}/report`).expect(200);
    const last = await api.get(`/api/v1/surveys/${waveIds[2]}/report`).expect(200);
    expect(first.body.trend.waves.map((wave: { current: boolean }) => wave.current)).toEqual([
      true,
      false,
      false,
    ]);
    expect(first.body.trend.deliveryIndex).toEqual(last.body.trend.deliveryIndex);
    expectTrend(first.body.trend, everyone);
    expectTrend(last.body.trend, everyone);
  });

  it('applies the report’s filters to every wave', async () => {
    const byAccount = await api
      .get(`/api/v1/surveys/${waveIds[1]}/report?accountId=${accounts.kam}`)
      .expect(200);
    expectTrend(byAccount.body.trend, kamOnly);
    const bySegment = await api.get(`/api/v1/surveys/${waveIds[1]}/report?segment=B`).expect(200);
    expectTrend(bySegment.body.trend, new Set(['other']));
    const quality = (bySegment.body.trend as TrendJson).criteria.find((row) => row.key === 'quality');
    // The only segment-B customer of the last wave said "don't know": asked, but no mean.
    expect(quality?.customerPerformance[2]).toEqual({ mean: null, n: 0 });
    expect(byAccount.body.trend.deliveryIndex).not.toEqual(bySegment.body.trend.deliveryIndex);
  });

  it('holds a KAM to their own accounts in every wave', async () => {
    const { body } = await kamApi.get(`/api/v1/surveys/${waveIds[2]}/report`).expect(200);
    expectTrend(body.trend, kamOnly);
    await kamApi.get(`/api/v1/surveys/${waveIds[2]}/report?accountId=${accounts.other}`).expect(403);
  });

  it('is null for a wave alone in its series', async () => {
    const { body } = await api.get(`/api/v1/surveys/${singleWaveId}/report`).expect(200);
    expect(body.trend).toBeNull();
  });
});

const nb = new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const nbNumber = (value: number) => nb.format(value).replace('-', '−');

function trendTable(html: string): string {
  const start = html.indexOf('data-testid="trend-table"');
  if (start < 0) throw new Error('no trend table');
  return html.slice(start, html.indexOf('</table>', start));
}
function rowCells(table: string, label: string): string[] {
  const start = table.indexOf(`<th scope="row">${label}</th>`);
  if (start < 0) throw new Error(`no row for ${label}`);
  const row = table.slice(start, table.indexOf('</tr>', start));
  return [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) => match[1] ?? '');
}
function chartDataOf(html: string) {
  const match = /<script type="application\/json" id="report-trend-data">([\s\S]*?)<\/script>/.exec(html);
  if (!match?.[1]) throw new Error('no trend chart data');
  return JSON.parse(match[1]);
}

describe('GET /surveys/:id/report — trend section', () => {
  it('shows the table with every number and the chart’s data, canvas and script', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${waveIds[2]}/report`).expect(200);
    expect(text).toContain('Utvikling over målingene');
    const table = trendTable(text);
    expect(table).toContain('<caption>');
    for (const spec of WAVES)
      expect(table).toMatch(new RegExp(`<th scope="col" class="num[^"]*">${spec.name} `));
    expect(table).toMatch(/Vår 2026 <span class="marker">\(denne målingen\)<\/span>/);

    const index = rowCells(table, 'Samlet leveranseindeks');
    expect(index).toEqual(WAVES.map((spec) => nbNumber(expectedDeliveryIndex(spec, everyone) as number)));
    const price = rowCells(table, 'Pris og vilkår');
    expect(price[1]).toContain('ikke spurt');
    expect(price[0]).toContain(nbNumber(5));
    expect(price[0]).toContain('n &#x3D; 3');
    // Fewer answers than the threshold (5) are marked in text.
    expect(price[0]).toContain('(under terskel)');

    expect(text).toContain('<canvas id="trend-chart"');
    expect(text).toContain('<script type="module" src="/static/js/report-trend.js"></script>');
    const data = chartDataOf(text);
    expect(data.labels).toEqual(['Vår 2025', 'Høst 2025', 'Vår 2026 (denne målingen)']);
    expect(data.deliveryIndex.values).toEqual(
      WAVES.map((spec) => expect.closeTo(expectedDeliveryIndex(spec, everyone) as number, 12)),
    );
    const quality = data.criteria.find((row: { label: string }) => row.label === 'Kvalitet');
    expect(quality.values).toEqual(
      WAVES.map((spec) => expect.closeTo(expectedPoint(spec, 'quality', everyone)?.mean as number, 12)),
    );
  });

  it('shows a KAM the trend of their own accounts', async () => {
    const { text } = await org.kamAgent.get(`/surveys/${waveIds[2]}/report`).expect(200);
    const data = chartDataOf(text);
    expect(data.deliveryIndex.values).toEqual(
      WAVES.map((spec) => expect.closeTo(expectedDeliveryIndex(spec, kamOnly) as number, 12)),
    );
  });

  it('says there is nothing to compare yet for a wave alone in its series', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${singleWaveId}/report?lang=en`).expect(200);
    expect(text).toContain('Trend across waves');
    expect(text).toContain('nothing to compare with yet');
    expect(text).not.toContain('id="trend-chart"');
    expect(text).not.toContain('report-trend-data');
  });

  it('serves the chart module', async () => {
    const response = await supertest(app.server).get('/static/js/report-trend.js').expect(200);
    expect(response.text).toContain('export function trendChartConfig');
  });
});
