import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../../server/features/auth/organizations.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { browser, createApiKey, submitForm, uniqueEmail } from '../../helpers/http.js';
import { apiClient, type SurveyCriterion } from '../../helpers/surveys.js';
import { organizationWithKam } from './report-seed.js';

// Confidential waves (issue 13) through the API and respondent links, at the default k = 3. Kari KAM has
// two accounts: KARI_A (segment A) and KARI_B (segment B); OTHER (segment A) has no KAM. In the main wave
// KARI_A has 3 respondents and KARI_B 2: Kari's portfolio of 5 is shown, KARI_B (2 < k) is hidden, and
// KARI_A (3) is hidden too, as it differs from the portfolio by 2 < k. Expected figures are computed
// here from the scores the respondents gave.

interface Respondent {
  account: 'kariA' | 'kariB' | 'other';
  /** Importance of every customer criterion; performance is score − 1 (helpers' customerAnswers). */
  score: number;
  comment: string;
}

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let admin: ReturnType<typeof apiClient>;
let kam: ReturnType<typeof apiClient>;
let manager: { agent: ReturnType<typeof browser>; api: ReturnType<typeof apiClient> };
const accounts = { kariA: '', kariB: '', other: '' };
const names = {
  kariA: `Kunde Ask ${randomBytes(3).toString('hex')}`,
  kariB: `Kunde Bjørk ${randomBytes(3).toString('hex')}`,
  other: `Kunde Osp ${randomBytes(3).toString('hex')}`,
};
let dir: string;

const MAIN: Respondent[] = [
  { account: 'kariA', score: 8, comment: 'Ask svarer først' },
  { account: 'kariA', score: 9, comment: 'Ask svarer igjen' },
  { account: 'kariA', score: 10, comment: 'Ask svarer tredje gang' },
  { account: 'kariB', score: 4, comment: 'Bjørk sier noe hemmelig' },
  { account: 'kariB', score: 6, comment: 'Bjørk sier noe annet' },
];
let main: Awaited<ReturnType<typeof runWave>>;

/** A wave of the default library, its customers and one seller (importance 10) answered through their links. */
async function runWave(respondents: readonly Respondent[], options: { confidential?: boolean } = {}) {
  const created = await admin
    .post('/api/v1/surveys', {
      name: `Måling ${uniqueEmail('w')}`,
      overallQuestion: false,
      ...(options.confidential === undefined ? {} : { confidential: options.confidential }),
    })
    .expect(201);
  const surveyId: string = created.body.id;
  const criteria = created.body.criteria as SurveyCriterion[];
  const invited = await admin
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: [
        { role: 'seller', email: uniqueEmail('selger') },
        ...respondents.map((respondent) => ({
          role: 'customer',
          email: uniqueEmail('kunde'),
          accountId: accounts[respondent.account],
        })),
      ],
    })
    .expect(201);
  await admin.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  const paths: string[] = invited.body.invitations.map(
    (invitation: { url: string }) => new URL(invitation.url).pathname,
  );
  await supertest(app.server)
    .post(paths[0] as string)
    .send({ answers: criteria.map((c) => ({ criterionId: c.id, importance: 10 })), submit: true })
    .expect(200);
  for (const [index, respondent] of respondents.entries()) {
    await answer(criteria, paths[index + 1] as string, respondent);
  }
  return { surveyId, criteria, customerCriteria: criteria.filter((c) => c.audience === 'both') };
}

async function answer(criteria: readonly SurveyCriterion[], respondentPath: string, respondent: Respondent) {
  const answers = criteria
    .filter((c) => c.audience === 'both')
    .map((c) => ({ criterionId: c.id, importance: respondent.score, performance: respondent.score - 1 }));
  await supertest(app.server)
    .post(respondentPath)
    .send({ answers, comment: respondent.comment, submit: true })
    .expect(200);
}

/** Mean of a list. */
const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / values.length;

/** The respondents of a cut and their mean performance (score − 1 on every criterion). */
function expected(respondents: readonly Respondent[], inCut: (respondent: Respondent) => boolean) {
  const chosen = respondents.filter(inCut);
  return {
    n: chosen.length,
    performance: mean(chosen.map((r) => r.score - 1)),
    importance: mean(chosen.map((r) => r.score)),
  };
}

/** The page's comments list, or '' when there is none. */
const commentsOf = (html: string) =>
  /<ul class="comments" data-testid="comments">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';

/** The chart data the page passes to report.js. */
function chartDataOf(html: string) {
  const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)?.[1];
  if (json === undefined) throw new Error('no chart data on the page');
  return JSON.parse(json) as {
    series: Array<{ key: string; values: Array<number | null> }>;
    points: unknown[];
  };
}

/** Buffers a binary body (supertest leaves application/pdf unparsed otherwise). */
function binary(request: supertest.Test) {
  return request.buffer(true).parse((response, callback) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => callback(null, Buffer.concat(chunks)));
  });
}

async function pdfText(request: supertest.Test): Promise<string> {
  const response = await binary(request).expect(200);
  const file = path.join(dir, `${randomBytes(6).toString('hex')}.pdf`);
  writeFileSync(file, response.body as Buffer);
  return execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
}

/** The CSV's lines (BOM and the header removed) as arrays of unquoted fields. */
function csvRows(text: string): string[][] {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\r\n')
    .filter((line) => line !== '');
  return lines.slice(1).map((line) => line.slice(1, -1).split('";"'));
}

beforeAll(async () => {
  app = await buildTestApp();
  dir = mkdtempSync(path.join(tmpdir(), 'confidential-pdf-'));
  org = await organizationWithKam(app, 'Fortrolig AS');
  admin = apiClient(app, org.adminKey);
  kam = apiClient(app, org.kamKey);
  const email = uniqueEmail('manager');
  await createMember(app.db, org.organizationId, {
    email,
    name: 'Mona Manager',
    role: 'manager',
    password: 'manager password 123',
  });
  const agent = browser(app);
  const login = await submitForm(agent, '/login', '/login', { email, password: 'manager password 123' });
  if (login.status !== 303) throw new Error(`manager login failed: ${login.status}`);
  manager = { agent, api: apiClient(app, await createApiKey(agent)) };

  for (const [key, segment, kamUserId] of [
    ['kariA', 'A', org.kamUserId],
    ['kariB', 'B', org.kamUserId],
    ['other', 'A', null],
  ] as const) {
    const created = await admin
      .post('/api/v1/accounts', { name: names[key], segment, kamUserId })
      .expect(201);
    accounts[key] = created.body.id;
  }
  main = await runWave(MAIN);
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await app.close();
});

const reportPath = (surveyId: string, query = '') => `/api/v1/surveys/${surveyId}/report${query}`;

describe('a confidential wave (k = 3) for a KAM: a portfolio of 5, one account of 3 and one of 2', () => {
  it('is confidential by default (POST /api/v1/surveys without the flag)', async () => {
    const row = await app.db
      .selectFrom('surveys')
      .select('confidential')
      .where('id', '=', main.surveyId)
      .executeTakeFirstOrThrow();
    expect(row.confidential).toBe(true);
  });

  it('shows the portfolio of 5 with its figures', async () => {
    const { body } = await kam.get(reportPath(main.surveyId)).expect(200);
    const want = expected(MAIN, () => true);
    expect(body.suppressed).toBeNull();
    for (const criterion of body.criteria.filter((c: { audience: string }) => c.audience === 'both')) {
      expect(criterion.customerPerformance.n).toBe(want.n);
      expect(criterion.customerPerformance.mean).toBeCloseTo(want.performance, 10);
      expect(criterion.customerImportance.mean).toBeCloseTo(want.importance, 10);
    }
    expect(body.overall.deliveryIndex).toBeCloseTo(want.performance, 10);
  });

  it('hides the account with 2 respondents in JSON: suppressed fewer_than_k, every customer field null', async () => {
    const { body } = await kam.get(reportPath(main.surveyId, `?accountId=${accounts.kariB}`)).expect(200);
    expect(body.suppressed).toEqual({ k: 3, reason: 'fewer_than_k' });
    expect(body.overall).toEqual({ deliveryIndex: null, satisfaction: null, change: null });
    expect(body.crosshair).toEqual({ importance: null, performance: null });
    expect(body.reliability.customerPerformance).toBeNull();
    expect(body.reliability.customerImportance).toBeNull();
    for (const criterion of body.criteria) {
      expect(criterion.customerImportance).toBeNull();
      expect(criterion.customerPerformance).toBeNull();
      expect(criterion.deliveryGap).toBeNull();
      expect(criterion.alignmentGap).toBeNull();
      expect(criterion.quadrant).toBeNull();
      expect(criterion.derivedImportance).toBeNull();
      // Seller importance is organisation-wide: the one seller rated every criterion 10.
      expect(criterion.sellerImportance.mean).toBe(10);
    }
    // How many answered is no answer: the response rate stays.
    expect(body.responseRate.customer).toEqual({ invited: 2, responded: 2 });
  });

  it('hides the account of 3 in a portfolio of 5 (difference 2 < k): the larger cut is the one shown', async () => {
    const { body } = await kam.get(reportPath(main.surveyId, `?accountId=${accounts.kariA}`)).expect(200);
    expect(body.suppressed).toEqual({ k: 3, reason: 'difference_below_k' });
    expect(body.criteria[0].customerPerformance).toBeNull();
    // Kari's segment A holds only that account within her portfolio: the same cut, hidden for the same reason.
    const segment = await kam.get(reportPath(main.surveyId, '?segment=A')).expect(200);
    expect(segment.body.suppressed).toEqual({ k: 3, reason: 'difference_below_k' });
  });

  it('hides the account on the page: no figures, no comments, the reason said instead', async () => {
    const { text } = await org.kamAgent
      .get(`/surveys/${main.surveyId}/report?accountId=${accounts.kariB}`)
      .expect(200);
    expect(text).toContain('data-testid="suppressed"');
    expect(text).toContain('Færre enn 3 svar');
    expect(text).not.toContain('Bjørk sier noe');
    expect(commentsOf(text)).toBe('');
    const chart = chartDataOf(text);
    for (const series of chart.series.filter((s) => s.key !== 'sellerImportance')) {
      expect(series.values.every((value) => value === null)).toBe(true);
    }
    expect(chart.points).toEqual([]);
    expect(text).not.toContain('data-testid="delivery-index"');

    const english = await org.kamAgent
      .get(`/surveys/${main.surveyId}/report?accountId=${accounts.kariA}&lang=en`)
      .expect(200);
    expect(english.text).toContain('Hidden: it differs from a larger cut by fewer than 3 answers');
    expect(english.text).not.toContain('Ask svarer');
    // The choice of language sticks to the session: back to bokmål for the tests that follow.
    await org.kamAgent.get(`/surveys/${main.surveyId}/report?lang=nb`).expect(200);
  });

  it('shows the portfolio’s comments without the account they came from', async () => {
    const { text } = await org.kamAgent.get(`/surveys/${main.surveyId}/report`).expect(200);
    const comments = commentsOf(text);
    for (const respondent of MAIN) expect(comments).toContain(respondent.comment);
    expect(comments).not.toContain(names.kariA);
    expect(comments).not.toContain(names.kariB);
    expect(comments).toContain('— Kunde');
    expect(text).toContain('data-testid="confidential-note"');
  });

  it('leaves the hidden account’s customers out of the CSV and says why', async () => {
    const { text } = await org.kamAgent
      .get(`/surveys/${main.surveyId}/export.csv?accountId=${accounts.kariB}`)
      .expect(200);
    const rows = csvRows(text);
    const customers = rows.filter((row) => row[1] === 'kunde');
    expect(customers).toHaveLength(1);
    expect(customers[0]?.[9]).toBe('Færre enn 3 svar');
    expect(customers[0]?.slice(2, 9).every((field) => field === '')).toBe(true);
    expect(text).not.toContain('Bjørk sier noe');
    // The seller's rows stay: one per criterion.
    expect(rows.filter((row) => row[1] === 'selger')).toHaveLength(main.criteria.length);

    const wide = await org.kamAgent
      .get(`/surveys/${main.surveyId}/export.csv?accountId=${accounts.kariA}&layout=wide`)
      .expect(200);
    const wideRows = csvRows(wide.text);
    expect(wideRows.filter((row) => row[1] === 'customer')).toHaveLength(1);
    expect(wideRows.find((row) => row[1] === 'customer')?.at(-1)).toBe(
      'Skjult fordi forskjellen til et større utvalg er under 3 svar',
    );
    expect(wide.text).not.toContain('Ask svarer');

    // The portfolio's wide rows: no respondent id and no submitted time for customers; sellers keep theirs.
    const portfolio = csvRows(
      (await org.kamAgent.get(`/surveys/${main.surveyId}/export.csv?layout=wide`).expect(200)).text,
    );
    // Wide columns: respondent_id;role;account;segment;kam;submitted_at;…
    const id = 0;
    const time = 5;
    const customerRows = portfolio.filter((row) => row[1] === 'customer');
    expect(customerRows).toHaveLength(MAIN.length);
    for (const row of customerRows) expect([row[id], row[time]]).toEqual(['', '']);
    for (const row of portfolio.filter((row) => row[1] === 'seller'))
      expect(row[id]).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('gives the shown portfolio’s CSV rows without account, segment and KAM', async () => {
    const { text } = await org.kamAgent.get(`/surveys/${main.surveyId}/export.csv`).expect(200);
    const customers = csvRows(text).filter((row) => row[1] === 'kunde');
    expect(customers).toHaveLength(MAIN.length * main.customerCriteria.length);
    for (const row of customers) expect(row.slice(2, 5)).toEqual(['', '', '']);
    // No exact time either: two overlapping exports cannot be joined on it.
    for (const row of customers) expect(row.at(-1)).toBe('');
    expect(text).not.toContain(names.kariA);
    expect(text).not.toContain(names.kariB);
    expect(text).not.toContain('Kari KAM');
    for (const respondent of MAIN) expect(text).toContain(respondent.comment);
  });

  it('hides the account in the PDF and names the reason', async () => {
    const hidden = await pdfText(
      org.kamAgent.get(`/surveys/${main.surveyId}/report.pdf?accountId=${accounts.kariB}`),
    );
    expect(hidden).toContain('Færre enn 3 svar');
    expect(hidden).not.toContain('Bjørk sier noe');
    const shown = await pdfText(org.kamAgent.get(`/surveys/${main.surveyId}/report.pdf`));
    expect(shown).not.toContain('Færre enn 3 svar');
    expect(shown).toContain('Bjørk sier noe hemmelig');
  });

  it('splits the segments view into hidden groups: A (3 of 5) by difference, B (2) by size', async () => {
    const { body } = await manager.api.get(reportPath(main.surveyId, '?by=segment')).expect(200);
    const groups = new Map(body.groups.map((group: { segment: string }) => [group.segment, group]));
    expect((groups.get('A') as { suppressed: unknown }).suppressed).toEqual({
      k: 3,
      reason: 'difference_below_k',
    });
    expect((groups.get('B') as { suppressed: unknown }).suppressed).toEqual({ k: 3, reason: 'fewer_than_k' });
    for (const group of body.groups) {
      expect(group.overall.deliveryIndex).toBeNull();
      for (const criterion of group.criteria) expect(criterion.customerPerformance).toBeNull();
    }
    const page = await manager.agent.get(`/surveys/${main.surveyId}/report?by=segment`).expect(200);
    expect(page.text).toContain('Færre enn 3 svar');
    expect(page.text).toContain('Skjult fordi forskjellen til et større utvalg er under 3 svar');
    expect(page.text).not.toMatch(/data-series="customerPerformance" data-mean="\d/);
  });
});

describe('comparison and trend judge each wave by its own cut', () => {
  let later: Awaited<ReturnType<typeof runWave>>;
  const LATER: Respondent[] = [
    { account: 'kariA', score: 7, comment: 'Ask igjen, senere' },
    { account: 'kariA', score: 5, comment: 'Ask to' },
    { account: 'kariA', score: 9, comment: 'Ask tre' },
    { account: 'kariB', score: 8, comment: 'Bjørk senere' },
    { account: 'kariB', score: 6, comment: 'Bjørk to' },
    { account: 'kariB', score: 4, comment: 'Bjørk tre' },
  ];

  beforeAll(async () => {
    later = await runWave(LATER);
    await app.db
      .updateTable('surveys')
      .set({ previous_survey_id: main.surveyId })
      .where('id', '=', later.surveyId)
      .execute();
  });

  it('shows the later wave’s account of 3 (portfolio 6) but not the earlier wave’s (portfolio 5)', async () => {
    const { body } = await kam.get(reportPath(later.surveyId, `?accountId=${accounts.kariA}`)).expect(200);
    const want = expected(LATER, (r) => r.account === 'kariA');
    expect(body.suppressed).toBeNull();
    expect(body.criteria[0].customerPerformance.mean).toBeCloseTo(want.performance, 10);
    expect(body.comparedTo).toEqual({
      id: main.surveyId,
      name: expect.any(String),
      suppressed: { k: 3, reason: 'difference_below_k' },
    });
    for (const criterion of body.criteria.filter((c: { audience: string }) => c.audience === 'both')) {
      expect(criterion.change.customerPerformance).toBeNull();
      expect(criterion.change.customerImportance).toBeNull();
      // Sellers are no cut: their change is there (10 → 10).
      expect(criterion.change.sellerImportance.delta).toBe(0);
    }
    expect(body.overall.change.previousDeliveryIndex).toBeNull();

    expect(body.trend.waves.map((wave: { suppressed: unknown }) => wave.suppressed)).toEqual([
      { k: 3, reason: 'difference_below_k' },
      null,
    ]);
    expect(body.trend.deliveryIndex[0]).toBeNull();
    expect(body.trend.deliveryIndex[1]).toBeCloseTo(want.performance, 10);
    for (const criterion of body.trend.criteria) {
      expect(criterion.customerPerformance[0]).toBeNull();
      expect(criterion.customerPerformance[1]).toEqual({ mean: want.performance, n: 3 });
    }

    const page = await org.kamAgent
      .get(`/surveys/${later.surveyId}/report?accountId=${accounts.kariA}`)
      .expect(200);
    expect(page.text).toContain('data-testid="comparison-suppressed"');
    expect(page.text).toContain('<span class="suppressed">Skjult fordi forskjellen');
  });

  it('compares the portfolios, both shown, with Welch’s change', async () => {
    const { body } = await kam.get(reportPath(later.surveyId)).expect(200);
    expect(body.comparedTo.suppressed).toBeNull();
    const change = body.criteria[0].change.customerPerformance;
    expect(change.previousN).toBe(MAIN.length);
    expect(change.delta).toBeCloseTo(
      expected(LATER, () => true).performance - expected(MAIN, () => true).performance,
      10,
    );
  });
});

describe('the organisation-wide cut', () => {
  const SMALL: Respondent[] = [
    { account: 'kariA', score: 7, comment: 'Liten måling, Ask' },
    { account: 'other', score: 5, comment: 'Liten måling, Osp' },
  ];
  let small: Awaited<ReturnType<typeof runWave>>;
  beforeAll(async () => {
    small = await runWave(SMALL);
  });

  it('is shown to an admin with fewer than k respondents', async () => {
    const { body } = await admin.get(reportPath(small.surveyId)).expect(200);
    const want = expected(SMALL, () => true);
    expect(body.suppressed).toBeNull();
    expect(body.criteria[0].customerPerformance).toMatchObject({ n: 2 });
    expect(body.criteria[0].customerPerformance.mean).toBeCloseTo(want.performance, 10);
    expect(body.overall.deliveryIndex).toBeCloseTo(want.performance, 10);
    // Any narrower cut of the admin follows the rule.
    const segment = await admin.get(reportPath(small.surveyId, '?segment=A')).expect(200);
    expect(segment.body.suppressed).toEqual({ k: 3, reason: 'fewer_than_k' });
  });

  it('is hidden from a manager with fewer than k respondents', async () => {
    const { body } = await manager.api.get(reportPath(small.surveyId)).expect(200);
    expect(body.suppressed).toEqual({ k: 3, reason: 'fewer_than_k' });
    expect(body.criteria[0].customerPerformance).toBeNull();
    const page = await manager.agent.get(`/surveys/${small.surveyId}/report`).expect(200);
    expect(page.text).not.toContain('Liten måling');
  });

  it('follows the organisation’s k: at k = 2 the manager sees it', async () => {
    await app.db
      .updateTable('organizations')
      .set({ min_group_size: 2 })
      .where('id', '=', org.organizationId)
      .execute();
    try {
      const { body } = await manager.api.get(reportPath(small.surveyId)).expect(200);
      expect(body.suppressed).toBeNull();
      expect(body.criteria[0].customerPerformance.n).toBe(2);
    } finally {
      await app.db
        .updateTable('organizations')
        .set({ min_group_size: 3 })
        .where('id', '=', org.organizationId)
        .execute();
    }
  });
});

describe('an open wave', () => {
  it('shows a single respondent’s figures and comment with the account', async () => {
    const ONE: Respondent[] = [{ account: 'kariB', score: 6, comment: 'Åpen måling, Bjørk' }];
    const open = await runWave(ONE, { confidential: false });
    const { body } = await kam.get(reportPath(open.surveyId, `?accountId=${accounts.kariB}`)).expect(200);
    expect(body.suppressed).toBeNull();
    expect(body.criteria[0].customerPerformance).toMatchObject({ n: 1, mean: 5 });
    const page = await org.kamAgent
      .get(`/surveys/${open.surveyId}/report?accountId=${accounts.kariB}`)
      .expect(200);
    const comments = commentsOf(page.text);
    expect(comments).toContain('Åpen måling, Bjørk');
    expect(comments).toContain(names.kariB);
    const csv = await org.kamAgent.get(`/surveys/${open.surveyId}/export.csv`).expect(200);
    expect(csv.text).toContain(names.kariB);
  });
});

describe('adding a third respondent to the account of 2', () => {
  it('shows it once no larger cut differs from it by fewer than k (3 of a portfolio of 6)', async () => {
    const invited = await admin
      .post(`/api/v1/surveys/${main.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail('kunde'), accountId: accounts.kariB }],
      })
      .expect(201);
    const third: Respondent = { account: 'kariB', score: 2, comment: 'Bjørk kommer til' };
    await answer(main.criteria, new URL(invited.body.invitations[0].url).pathname, third);
    const all = [...MAIN, third];

    const { body } = await kam.get(reportPath(main.surveyId, `?accountId=${accounts.kariB}`)).expect(200);
    const want = expected(all, (r) => r.account === 'kariB');
    expect(body.suppressed).toBeNull();
    expect(body.criteria[0].customerPerformance.n).toBe(3);
    expect(body.criteria[0].customerPerformance.mean).toBeCloseTo(want.performance, 10);
    expect(body.overall.deliveryIndex).toBeCloseTo(want.performance, 10);
    // The account of 3 is now 3 short of the portfolio of 6: shown too.
    const other = await kam.get(reportPath(main.surveyId, `?accountId=${accounts.kariA}`)).expect(200);
    expect(other.body.suppressed).toBeNull();

    const page = await org.kamAgent
      .get(`/surveys/${main.surveyId}/report?accountId=${accounts.kariB}`)
      .expect(200);
    expect(page.text).not.toContain('data-testid="suppressed"');
    expect(commentsOf(page.text)).toContain('Bjørk sier noe hemmelig');
    expect(commentsOf(page.text)).not.toContain(names.kariB);
    const csv = await org.kamAgent
      .get(`/surveys/${main.surveyId}/export.csv?accountId=${accounts.kariB}`)
      .expect(200);
    expect(csvRows(csv.text).filter((row) => row[1] === 'kunde')).toHaveLength(
      3 * main.customerCriteria.length,
    );
    const pdf = await pdfText(
      org.kamAgent.get(`/surveys/${main.surveyId}/report.pdf?accountId=${accounts.kariB}`),
    );
    expect(pdf).toContain('Bjørk kommer til');
    expect(pdf).not.toContain('Færre enn 3 svar');
  });
});
