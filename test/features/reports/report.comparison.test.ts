import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { apiClient, type SurveyCriterion, setUpWave } from '../../helpers/surveys.js';
import { meanOf, textbookWelch } from '../../helpers/welch.js';
import { organizationWithKam } from './report-seed.js';

// Two waves of the same panel answered through the respondent API with known scores, the second linked to
// the first as its successor; every change and p the report gives is checked against Welch's test computed
// here from the raw answers (test/helpers/welch.ts shares no code with the server).

type Score = number | null;

/** A wave's answers: customer i's scores (null: "don't know"), and the sellers' importance. */
interface Panel {
  name: string;
  /** The account of each customer, by index: 'kam' (the KAM's account) or 'other'. */
  customersOn: Array<'kam' | 'other'>;
  performance: Record<string, Score[]>;
  importance: (customer: number) => number;
  sellers: number[];
}

const DEFAULT_PERFORMANCE = 7;

const EARLIER: Panel = {
  name: 'Vår 2026',
  customersOn: ['kam', 'kam', 'kam', 'other', 'other', 'other'],
  performance: {
    availability: [5, 6, 5, 6, 5, 6],
    advice: [6, 8, 5, 9, 7, 6],
    trust: [7, null, 8, 6, null, 9],
  },
  importance: (customer) => 7 + (customer % 3),
  sellers: [6, 7, 8],
};

const LATER: Panel = {
  name: 'Høst 2026',
  customersOn: ['kam', 'kam', 'kam', 'other', 'other', 'other', 'other'],
  performance: {
    availability: [8, 9, 8, 9, 8, 9, 8], // a clear rise: p ≈ 1e-6
    advice: [7, 6, 8, 9, 6, 7, 8], // p ≈ 0.55: no arrow
    trust: [null, 5, 6, 7, 6, 5, 8], // "don't know"s and unequal n (4 then, 6 now): too few answers
  },
  importance: (customer) => 8 + (customer % 2),
  sellers: [9, 9, 10, 9],
};

function performanceOf(panel: Panel, key: string, customer: number): Score {
  const scores = panel.performance[key];
  return scores === undefined ? DEFAULT_PERFORMANCE : (scores[customer] as Score);
}

/** The scores of a series in a panel, "don't know" left out; `only` picks customers by index. */
function scoresOf(
  panel: Panel,
  series: 'customerPerformance' | 'customerImportance' | 'sellerImportance',
  key: string,
  only: (customer: number) => boolean = () => true,
): number[] {
  if (series === 'sellerImportance') return panel.sellers;
  return panel.customersOn
    .map((_, customer) => customer)
    .filter(only)
    .map((customer) =>
      series === 'customerPerformance' ? performanceOf(panel, key, customer) : panel.importance(customer),
    )
    .filter((score): score is number => score !== null);
}

interface ChangeJson {
  previousMean: number;
  previousN: number;
  delta: number;
  p: number | null;
  significant: boolean;
  fewAnswers: boolean;
}
interface CriterionJson {
  id: string;
  key: string | null;
  audience: 'both' | 'seller';
  change: Record<'customerPerformance' | 'customerImportance' | 'sellerImportance', ChangeJson | null> | null;
}

function expectChange(actual: ChangeJson | null | undefined, earlier: number[], later: number[]) {
  const expected = textbookWelch(earlier, later);
  expect(actual).toBeTruthy();
  expect(actual?.previousN).toBe(earlier.length);
  expect(actual?.previousMean).toBeCloseTo(meanOf(earlier), 12);
  expect(actual?.delta).toBeCloseTo(meanOf(later) - meanOf(earlier), 12);
  expect(actual?.p).toBeCloseTo(expected.p, 10);
  expect(actual?.significant).toBe(expected.p < 0.05);
}

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let earlierId: string;
let laterId: string;
let laterCriteria: SurveyCriterion[];

/** Creates a wave, drops the criteria in `without`, invites and opens it, submits the panel's answers. */
async function runWave(panel: Panel, accounts: Record<'kam' | 'other', string>, without: string[] = []) {
  const api = apiClient(app, org.adminKey);
  const created = await api
    .post('/api/v1/surveys', { name: panel.name, overallQuestion: false, confidential: false })
    .expect(201);
  const surveyId: string = created.body.id;
  if (without.length > 0) {
    // A wave without a criterion the next one asks: the draft's frozen list, trimmed before anyone answers.
    await app.db
      .deleteFrom('survey_criteria')
      .where('survey_id', '=', surveyId)
      .where('key', 'in', without)
      .execute();
  }
  const criteria = (created.body.criteria as SurveyCriterion[]).filter(
    (criterion) => criterion.key === null || !without.includes(criterion.key),
  );
  const invited = await api
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: [
        ...panel.customersOn.map((on) => ({
          role: 'customer',
          email: uniqueEmail('kunde'),
          accountId: accounts[on],
        })),
        ...panel.sellers.map(() => ({ role: 'seller', email: uniqueEmail('selger') })),
      ],
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  const paths: string[] = invited.body.invitations.map(
    (invitation: { url: string }) => new URL(invitation.url).pathname,
  );

  for (const [customer, path] of paths.slice(0, panel.customersOn.length).entries()) {
    const answers = criteria
      .filter((criterion) => criterion.audience === 'both')
      .map((criterion) => ({
        criterionId: criterion.id,
        importance: panel.importance(customer),
        performance: performanceOf(panel, criterion.key ?? '', customer),
      }));
    await supertest(app.server).post(path).send({ answers, submit: true }).expect(200);
  }
  for (const [seller, path] of paths.slice(panel.customersOn.length).entries()) {
    const answers = criteria.map((criterion) => ({
      criterionId: criterion.id,
      importance: panel.sellers[seller],
    }));
    await supertest(app.server).post(path).send({ answers, submit: true }).expect(200);
  }
  return { surveyId, criteria };
}

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app, 'Oppfølging AS');
  const api = apiClient(app, org.adminKey);
  const kamAccount = await api
    .post('/api/v1/accounts', { name: 'KAM-kunde AS', segment: 'A', kamUserId: org.kamUserId })
    .expect(201);
  const otherAccount = await api
    .post('/api/v1/accounts', { name: 'Annen kunde AS', segment: 'B' })
    .expect(201);
  const accounts = { kam: kamAccount.body.id as string, other: otherAccount.body.id as string };

  const earlier = await runWave(EARLIER, accounts, ['follow_up']);
  const later = await runWave(LATER, accounts);
  earlierId = earlier.surveyId;
  laterId = later.surveyId;
  laterCriteria = later.criteria;
  // Copying a wave (which links it) is built elsewhere; here the series is linked directly.
  await app.db
    .updateTable('surveys')
    .set({ previous_survey_id: earlierId })
    .where('id', '=', laterId)
    .execute();
}, 120_000);

afterAll(async () => {
  await app.close();
});

const byKey = (criteria: CriterionJson[], key: string) => {
  const criterion = criteria.find((candidate) => candidate.key === key);
  if (!criterion) throw new Error(`no criterion ${key}`);
  return criterion;
};

describe('GET /api/v1/surveys/:id/report — the change since the predecessor', () => {
  it('compares with the predecessor by default and names it', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    expect(body.comparedTo).toEqual({ id: earlierId, name: EARLIER.name, suppressed: null });
  });

  it('gives every series’ earlier mean, change and Welch p, computed from the raw answers', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    const criteria: CriterionJson[] = body.criteria;
    for (const key of ['availability', 'advice', 'trust', 'knowledge']) {
      const change = byKey(criteria, key).change;
      for (const series of ['customerPerformance', 'customerImportance', 'sellerImportance'] as const) {
        const earlier = scoresOf(EARLIER, series, key);
        const later = scoresOf(LATER, series, key);
        if (earlier.every((x) => x === earlier[0]) && later.every((x) => x === earlier[0])) {
          // No spread on either side and the same mean: no change at all.
          expect(change?.[series]).toMatchObject({ delta: 0, p: 1, significant: false });
        } else {
          expectChange(change?.[series], earlier, later);
        }
      }
    }
  });

  it('leaves "don’t know" out of n, with unequal n on the two sides', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    const trust = byKey(body.criteria, 'trust').change?.customerPerformance;
    expect(trust?.previousN).toBe(4);
    expect(trust?.previousMean).toBeCloseTo((7 + 8 + 6 + 9) / 4, 12);
    expect(trust?.delta).toBeCloseTo((5 + 6 + 7 + 6 + 5 + 8) / 6 - 30 / 4, 12);
    expect(trust?.fewAnswers).toBe(true); // 4 < the threshold of 5
  });

  it('says which changes are significant: p < 0.05 is, p ≈ 0.55 is not', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    const availability = byKey(body.criteria, 'availability').change?.customerPerformance;
    const advice = byKey(body.criteria, 'advice').change?.customerPerformance;
    expect(availability?.p).toBeLessThan(0.001);
    expect(availability).toMatchObject({ significant: true, fewAnswers: false });
    expect(advice?.p).toBeGreaterThan(0.5);
    expect(advice?.p).toBeLessThan(0.6);
    expect(advice?.significant).toBe(false);
  });

  it('answers change null for a criterion the earlier wave did not ask', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    expect(byKey(body.criteria, 'follow_up').change).toBeNull();
  });

  it('gives a sellers-only criterion a seller change and no customer change', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    const crm = byKey(body.criteria, 'crm_system').change;
    expect(crm?.customerPerformance).toBeNull();
    expect(crm?.customerImportance).toBeNull();
    expectChange(crm?.sellerImportance, EARLIER.sellers, LATER.sellers);
  });

  it('gives the delivery index with its change: each wave’s plain mean of its criteria’s performance means', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    const indexOf = (panel: Panel, keys: string[]) =>
      meanOf(keys.map((key) => meanOf(scoresOf(panel, 'customerPerformance', key))));
    const customerKeys = laterCriteria.filter((c) => c.audience === 'both').map((c) => c.key as string);
    const previous = indexOf(
      EARLIER,
      customerKeys.filter((key) => key !== 'follow_up'),
    );
    const current = indexOf(LATER, customerKeys);
    expect(body.overall.deliveryIndex).toBeCloseTo(current, 12);
    expect(body.overall.change.previousDeliveryIndex).toBeCloseTo(previous, 12);
    expect(body.overall.change.delta).toBeCloseTo(current - previous, 12);
  });

  it('keeps the report’s other fields as they were', async () => {
    const { body } = await apiClient(app, org.adminKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    const availability = byKey(body.criteria, 'availability') as CriterionJson & Record<string, unknown>;
    expect(availability.customerPerformance).toMatchObject({ n: 7, mean: 59 / 7 });
    expect(body.responseRate.customer).toEqual({ invited: 7, responded: 7 });
  });

  it('has no comparison for a wave without a predecessor', async () => {
    const { body } = await apiClient(app, org.adminKey)
      .get(`/api/v1/surveys/${earlierId}/report`)
      .expect(200);
    expect(body.comparedTo).toBeNull();
    expect(body.overall.change).toBeNull();
    expect(body.criteria.every((criterion: CriterionJson) => criterion.change === null)).toBe(true);
  });
});

describe('?compareTo=', () => {
  it('none switches the comparison off', async () => {
    const { body } = await apiClient(app, org.adminKey)
      .get(`/api/v1/surveys/${laterId}/report?compareTo=none`)
      .expect(200);
    expect(body.comparedTo).toBeNull();
    expect(body.overall.change).toBeNull();
    expect(body.criteria.every((criterion: CriterionJson) => criterion.change === null)).toBe(true);
  });

  it('picks any wave of the organisation, also against the order of the series', async () => {
    const { body } = await apiClient(app, org.adminKey)
      .get(`/api/v1/surveys/${earlierId}/report?compareTo=${laterId}`)
      .expect(200);
    expect(body.comparedTo).toEqual({ id: laterId, name: LATER.name, suppressed: null });
    expectChange(
      byKey(body.criteria, 'availability').change?.customerPerformance,
      scoresOf(LATER, 'customerPerformance', 'availability'),
      scoresOf(EARLIER, 'customerPerformance', 'availability'),
    );
  });

  it('answers 404 for another organisation’s wave, and for a wave that does not exist', async () => {
    const other = await setUpWave(app, { organization: 'Konkurrent AS' });
    for (const compareTo of [other.surveyId, '00000000-0000-4000-8000-000000000000']) {
      const { body } = await apiClient(app, org.adminKey)
        .get(`/api/v1/surveys/${laterId}/report?compareTo=${compareTo}`)
        .expect(404);
      expect(body.error.code).toBe('NOT_FOUND');
      await org.adminAgent.get(`/surveys/${laterId}/report?compareTo=${compareTo}`).expect(404);
    }
    // …and the other organisation cannot compare with this one's either.
    await other.api.get(`/api/v1/surveys/${other.surveyId}/report?compareTo=${laterId}`).expect(404);
  });

  it('answers 400 for a value that is neither a wave id nor none, and for the wave itself', async () => {
    for (const compareTo of ['previous', laterId]) {
      const { body } = await apiClient(app, org.adminKey)
        .get(`/api/v1/surveys/${laterId}/report?compareTo=${compareTo}`)
        .expect(400);
      expect(body.error.code).toBe('BAD_REQUEST');
    }
  });
});

describe('a KAM’s comparison', () => {
  const onKamAccount = (customer: number) => customer < 3;

  it('covers only their own accounts, in both waves', async () => {
    const { body } = await apiClient(app, org.kamKey).get(`/api/v1/surveys/${laterId}/report`).expect(200);
    for (const key of ['availability', 'advice', 'trust']) {
      const change = byKey(body.criteria, key).change;
      const earlier = scoresOf(EARLIER, 'customerPerformance', key, onKamAccount);
      const later = scoresOf(LATER, 'customerPerformance', key, onKamAccount);
      expectChange(change?.customerPerformance, earlier, later);
      expect(change?.customerPerformance?.fewAnswers).toBe(true); // at most 3 answers per wave
    }
    // Sellers belong to no account: their series is the organisation's, as in the report itself.
    expectChange(
      byKey(body.criteria, 'availability').change?.sellerImportance,
      EARLIER.sellers,
      LATER.sellers,
    );
  });

  it('is refused for another KAM’s accounts, as the report is', async () => {
    await apiClient(app, org.kamKey)
      .get(`/api/v1/surveys/${laterId}/report?kamUserId=${org.adminUserId}&compareTo=${earlierId}`)
      .expect(403);
  });
});

/** The change table's row of a criterion on the page. */
function rowOf(html: string, criterionId: string): string {
  const match = new RegExp(`<tr data-criterion="${criterionId}">([\\s\\S]*?)</tr>`).exec(html);
  if (!match?.[1]) throw new Error(`no change row for ${criterionId}`);
  // Handlebars escapes = and <; a reader sees them as typed.
  return match[1].replace(/&#x3D;/g, '=').replace(/&lt;/g, '<');
}

describe('GET /surveys/:id/report — the change on the page', () => {
  const idOf = (key: string) => laterCriteria.find((criterion) => criterion.key === key)?.id as string;

  it('shows ▲ for a significant rise, with words for screen readers, and no arrow for p ≈ 0.55', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${laterId}/report`).expect(200);
    expect(text).toContain(`Endring siden ${EARLIER.name}`);
    const availability = rowOf(text, idOf('availability'));
    expect(availability).toMatch(
      /data-series="customerPerformance"[^>]*>\+2,93 <span class="arrow" aria-hidden="true">▲<\/span><span class="visually-hidden"> \(signifikant økning\)<\/span>/,
    );
    expect(availability).toContain('p < 0,001');
    const advice = rowOf(text, idOf('advice'));
    expect(advice).not.toMatch(/[▲▼]/);
    // 51/7 − 41/6 = 0.452…, and the p-value a reader can see.
    expect(advice).toContain('+0,45');
    expect(advice).toMatch(/p = 0,5\d\d, ikke signifikant/);
  });

  it('says "too few answers" instead of an arrow, and "not asked then"', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${laterId}/report`).expect(200);
    const trust = rowOf(text, idOf('trust'));
    expect(trust).toContain('for få svar');
    expect(trust).not.toMatch(/[▲▼]/);
    expect(rowOf(text, idOf('follow_up'))).toContain('ikke spurt da');
  });

  it('shows the delivery index change and the compared wave, and in English on request', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${laterId}/report`).expect(200);
    expect(text).toMatch(/data-testid="compared-to"><a href="\/surveys\/[^"]+\/report">Vår 2026<\/a>/);
    expect(text).toMatch(/data-testid="delivery-index-change">\+\d,\d\d \(fra \d,\d\d\)/);
    const english = await org.adminAgent.get(`/surveys/${laterId}/report?lang=en`).expect(200);
    expect(english.text).toContain('Change since Vår 2026');
    expect(english.text).toContain('not asked then');
    expect(english.text).toContain('too few answers');
    expect(english.text).toContain('(significant rise)');
    await org.adminAgent.get(`/surveys/${laterId}/report?lang=nb`).expect(200);
  });

  it('offers the other waves in the filter form, the predecessor chosen, and none', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${laterId}/report`).expect(200);
    const select = /<select id="filter-compare" name="compareTo">([\s\S]*?)<\/select>/.exec(text)?.[1] ?? '';
    expect(select).toContain('<option value="none">Ingen sammenligning</option>');
    expect(select).toContain(`<option value="${earlierId}" selected>Vår 2026 (forrige bølge)</option>`);
    expect(select).not.toContain(`value="${laterId}"`);
    expect(text).toContain('<label for="filter-compare">Sammenlign med</label>');
  });

  it('drops the change table for compareTo=none, and the downloads keep the choice', async () => {
    const { text } = await org.adminAgent.get(`/surveys/${laterId}/report?compareTo=none`).expect(200);
    expect(text).not.toContain('data-testid="change-table"');
    expect(text).toContain('<option value="none" selected>');
    expect(text.replace(/&#x3D;/g, '=')).toContain(`href="/surveys/${laterId}/report.pdf?compareTo=none"`);
    expect(text).not.toContain('data-testid="download-csv-comparison"');
  });

  it('links the comparison CSV with the page’s filters and compared wave', async () => {
    const { text } = await org.adminAgent
      .get(`/surveys/${laterId}/report?segment=A&compareTo=${earlierId}`)
      .expect(200);
    // Handlebars escapes = and & in the attribute; a browser reads them back.
    expect(text.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).toContain(
      `href="/surveys/${laterId}/export.csv?segment=A&compareTo=${earlierId}&layout=comparison" download data-testid="download-csv-comparison"`,
    );
  });

  it('prints the comparison in the PDF: the change table, arrows and words, and the delivery index change', async () => {
    const response = await org.adminAgent
      .get(`/surveys/${laterId}/report.pdf`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(response.headers['content-type']).toBe('application/pdf');
    const dir = mkdtempSync(path.join(tmpdir(), 'comparison-pdf-'));
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, response.body as Buffer);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      ' ',
    );
    rmSync(dir, { recursive: true, force: true });
    expect(text).toContain('Endring siden Vår 2026');
    // The facts print as two columns: labels, then values.
    expect(text).toContain('Sammenlignet med Endring i leveranseindeksen');
    expect(text).toMatch(/Vår 2026 \+\d,\d\d \(fra \d,\d\d\)/);
    expect(text).toContain('5,50 → +2,93 ▲'); // availability: 5.5 then, 59/7 now
    expect(text).toContain('signifikant økning');
    expect(text).toContain('for få svar');
    expect(text).toContain('ikke spurt da');
  });
});

describe('GET /surveys/:id/export.csv?layout=comparison', () => {
  /** The CSV as rows of cells (every cell is quoted; numbers unquoted inside the quotes). */
  function parse(text: string): string[][] {
    return text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n')
      .map((line) => line.split(';').map((cell) => cell.replace(/^"|"$/g, '').replace(/""/g, '"')));
  }

  it('has one row per criterion × series with both waves’ n and mean, the change and p', async () => {
    const { text } = await supertest(app.server)
      .get(`/surveys/${laterId}/export.csv?layout=comparison&lang=en`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    const [header, ...rows] = parse(text);
    expect(header).toEqual([
      'Wave',
      'Compared with',
      'Criterion key',
      'Criterion',
      'Series',
      'n',
      'Mean',
      'n then',
      'Mean then',
      'Change',
      'p',
      'Significant',
      'Note',
    ]);
    // 12 criteria for customers × 3 series, and the CRM system's seller series.
    expect(rows).toHaveLength(12 * 3 + 1);
    const row = rows.find((cells) => cells[2] === 'availability' && cells[4] === 'Performance (customers)');
    const earlier = scoresOf(EARLIER, 'customerPerformance', 'availability');
    const later = scoresOf(LATER, 'customerPerformance', 'availability');
    expect(row?.slice(0, 2)).toEqual([LATER.name, EARLIER.name]);
    expect(Number(row?.[5])).toBe(later.length);
    expect(Number(row?.[6])).toBeCloseTo(meanOf(later), 12);
    expect(Number(row?.[7])).toBe(earlier.length);
    expect(Number(row?.[8])).toBeCloseTo(meanOf(earlier), 12);
    expect(Number(row?.[9])).toBeCloseTo(meanOf(later) - meanOf(earlier), 12);
    expect(Number(row?.[10])).toBeCloseTo(textbookWelch(earlier, later).p, 10);
    expect(row?.[11]).toBe('yes');

    const followUp = rows.find((cells) => cells[2] === 'follow_up');
    expect(followUp?.slice(7, 13)).toEqual(['', '', '', '', '', 'not asked then']);
  });

  it('follows compareTo and the KAM’s scoping', async () => {
    const none = await supertest(app.server)
      .get(`/surveys/${laterId}/export.csv?layout=comparison&compareTo=none`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    expect(
      parse(none.text)
        .slice(1)
        .every((cells) => cells[1] === '' && cells[9] === ''),
    ).toBe(true);

    const kam = await supertest(app.server)
      .get(`/surveys/${laterId}/export.csv?layout=comparison&lang=en`)
      .set('Authorization', `Bearer ${org.kamKey}`)
      .expect(200);
    const row = parse(kam.text).find(
      (cells) => cells[2] === 'availability' && cells[4] === 'Performance (customers)',
    );
    const onKamAccount = (customer: number) => customer < 3;
    const earlier = scoresOf(EARLIER, 'customerPerformance', 'availability', onKamAccount);
    const later = scoresOf(LATER, 'customerPerformance', 'availability', onKamAccount);
    expect(Number(row?.[5])).toBe(3);
    expect(Number(row?.[9])).toBeCloseTo(meanOf(later) - meanOf(earlier), 12);
    expect(Number(row?.[10])).toBeCloseTo(textbookWelch(earlier, later).p, 10);
  });
});
