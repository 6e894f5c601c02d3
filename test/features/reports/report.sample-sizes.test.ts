import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { setUpWave } from '../../helpers/surveys.js';

// Reports on waves whose criteria have different numbers of answers ("don't know" is left out per
// criterion), answered through the respondent API and read through the report API and page.

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type Wave = Awaited<ReturnType<typeof setUpWave>>;
type Answer = { criterionId: string; importance?: number | null; performance?: number | null };

/** Invites customers (on the given accounts) and sellers, opens the wave, returns their /r/<token> paths. */
async function inviteAndOpen(wave: Wave, customersOn: readonly string[], sellers: number) {
  const invited = await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        ...customersOn.map((accountId) => ({ role: 'customer', email: uniqueEmail('kunde'), accountId })),
        ...Array.from({ length: sellers }, () => ({ role: 'seller', email: uniqueEmail('selger') })),
      ],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
  const paths: string[] = invited.body.invitations.map(
    (invitation: { url: string }) => new URL(invitation.url).pathname,
  );
  return { customers: paths.slice(0, customersOn.length), sellers: paths.slice(customersOn.length) };
}

async function submit(path: string, answers: Answer[]) {
  const response = await supertest(app.server).post(path).send({ answers, submit: true }).expect(200);
  expect(response.body).toEqual({ status: 'submitted' });
}

/** A customer's answer: importance 8 everywhere, performance from `performanceOf` (null: "don't know"). */
function customerAnswers(wave: Wave, performanceOf: (key: string | null) => number | null): Answer[] {
  return wave.criteria
    .filter((criterion) => criterion.audience === 'both')
    .map((criterion) => ({
      criterionId: criterion.id,
      importance: 8,
      performance: performanceOf(criterion.key),
    }));
}

function sellerAnswers(wave: Wave, importanceOf: (key: string | null) => number | null): Answer[] {
  return wave.criteria.map((criterion) => ({
    criterionId: criterion.id,
    importance: importanceOf(criterion.key),
  }));
}

interface StatJson {
  n: number;
  mean: number | null;
}
interface CriterionJson {
  key: string | null;
  sellerImportance: StatJson;
  customerImportance: StatJson;
  customerPerformance: StatJson;
}

describe('GET /api/v1/surveys/:id/report — delivery index with a different n per criterion', () => {
  let wave: Wave;
  beforeAll(async () => {
    wave = await setUpWave(app);
    const paths = await inviteAndOpen(wave, Array(4).fill(wave.accountId), 0);
    // One customer rates every performance 10; three rate only availability (1) and "don't know" the rest.
    await submit(
      paths.customers[0] as string,
      customerAnswers(wave, () => 10),
    );
    for (const path of paths.customers.slice(1)) {
      await submit(
        path,
        customerAnswers(wave, (key) => (key === 'availability' ? 1 : null)),
      );
    }
  });

  it('states each criterion’s own n and mean, leaving "don’t know" out', async () => {
    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200);
    const criteria: CriterionJson[] = body.criteria;
    const availability = criteria.find((criterion) => criterion.key === 'availability');
    expect(availability?.customerPerformance).toMatchObject({ n: 4, mean: 13 / 4 });
    const others = criteria.filter((c) => c.key !== 'availability' && c.key !== 'crm_system');
    expect(others).toHaveLength(11);
    for (const criterion of others) {
      expect(criterion.customerPerformance).toMatchObject({ n: 1, mean: 10 });
      expect(criterion.customerImportance).toMatchObject({ n: 4, mean: 8 });
    }
  });

  it('answers the overall delivery index as the plain mean of the 12 criterion means', async () => {
    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200);
    // (3.25 + 11 × 10) / 12; the mean over all 15 answers would be (13 + 110) / 15 = 8.2.
    expect(body.overall.deliveryIndex).toBeCloseTo((13 / 4 + 11 * 10) / 12, 12);
    expect(body.crosshair.performance).toBeCloseTo((13 / 4 + 11 * 10) / 12, 12);
    expect(body.responseRate.customer).toEqual({ invited: 4, responded: 4 });
  });

  it('shows the same index on the report page', async () => {
    const { text } = await wave.admin.agent.get(`/surveys/${wave.surveyId}/report`).expect(200);
    expect(text).toMatch(/data-testid="delivery-index">9,44</); // 9.4375
  });
});

describe('GET /surveys/:id/report — the small-sample warning at the threshold (5) and one below it', () => {
  let wave: Wave;
  let smallAccountId: string;
  beforeAll(async () => {
    wave = await setUpWave(app);
    const small = await wave.api
      .post('/api/v1/accounts', { name: 'Liten Kunde AS', segment: 'B' })
      .expect(201);
    smallAccountId = small.body.id;
    // Five customers: four on the small account, one on the wave's account, who does not know about trust.
    const paths = await inviteAndOpen(wave, [...Array(4).fill(smallAccountId), wave.accountId], 5);
    for (const path of paths.customers.slice(0, 4))
      await submit(
        path,
        customerAnswers(wave, () => 7),
      );
    await submit(
      paths.customers[4] as string,
      customerAnswers(wave, (key) => (key === 'trust' ? null : 7)),
    );
    // Five sellers, one of whom does not know about the CRM system.
    for (const [index, path] of paths.sellers.entries()) {
      await submit(
        path,
        sellerAnswers(wave, (key) => (index === 0 && key === 'crm_system' ? null : 9)),
      );
    }
  });

  const pagePath = (query = '') => `/surveys/${wave.surveyId}/report${query}`;
  const nCells = (html: string, label: string) => {
    const start = html.indexOf(`<th scope="row" data-value="${label}">`);
    if (start < 0) throw new Error(`no row for ${label}`);
    const row = html.slice(start, html.indexOf('</tr>', start));
    const cells = [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) => match[1] ?? '');
    return { customers: cells[5], sellers: cells[6] };
  };

  it('states n = 5 per series in the JSON, and 4 where one respondent did not know', async () => {
    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200);
    const criteria: CriterionJson[] = body.criteria;
    const byKey = (key: string) => criteria.find((criterion) => criterion.key === key);
    expect(byKey('advice')?.customerPerformance.n).toBe(5);
    expect(byKey('advice')?.sellerImportance.n).toBe(5);
    expect(byKey('trust')?.customerImportance.n).toBe(5);
    expect(byKey('trust')?.customerPerformance.n).toBe(4);
    expect(byKey('crm_system')?.sellerImportance.n).toBe(4);
    const filtered = await wave.api
      .get(`/api/v1/surveys/${wave.surveyId}/report?accountId=${smallAccountId}`)
      .expect(200);
    expect(filtered.body.responseRate.customer).toEqual({ invited: 4, responded: 4 });
    for (const criterion of filtered.body.criteria as CriterionJson[]) {
      if (criterion.key === 'crm_system') continue;
      expect(criterion.customerImportance.n).toBe(4);
      expect(criterion.customerPerformance.n).toBe(4);
    }
  });

  it('shows no warning when every series reaches n = 5, the threshold', async () => {
    const { text } = await wave.admin.agent.get(pagePath()).expect(200);
    expect(text).toContain('5 av 5 kunder, 100 %');
    expect(text).not.toContain('data-testid="small-sample"');
    expect(text).not.toContain('under terskelen');
  });

  it('marks the n of a criterion at 4 as below the threshold, and not an n of 5', async () => {
    const { text } = await wave.admin.agent.get(pagePath()).expect(200);
    expect(nCells(text, 'Rådgivning')).toEqual({ customers: '5', sellers: '5' });
    expect(nCells(text, 'Tillit')).toEqual({
      customers: '4 <span class="marker">(under terskel)</span>',
      sellers: '5',
    });
    expect(nCells(text, 'CRM-system')).toEqual({
      customers: '–',
      sellers: '4 <span class="marker">(under terskel)</span>',
    });
    expect(text.match(/\(under terskel\)/g)).toHaveLength(2);
  });

  it('warns of both customer series, with n = 4, for the account with four customers', async () => {
    const { text } = await wave.admin.agent.get(pagePath(`?accountId=${smallAccountId}`)).expect(200);
    expect(text).toContain('4 av 4 kunder, 100 %');
    const warning = /<div class="warning" role="note" data-testid="small-sample">([\s\S]*?)<\/div>/.exec(
      text,
    )?.[1];
    expect(warning).toBeDefined();
    const items = [...(warning ?? '').matchAll(/<li>([\s\S]*?)<\/li>/g)].map((match) => match[1]);
    expect(items).toEqual([
      'Viktighet (kunder): høyst 4 svar per kriterium, under terskelen på 5.',
      'Leveranse (kunder): høyst 4 svar per kriterium, under terskelen på 5.',
    ]);
    expect(nCells(text, 'Rådgivning')).toEqual({
      customers: '4 <span class="marker">(under terskel)</span>',
      sellers: '5',
    });
  });
});
