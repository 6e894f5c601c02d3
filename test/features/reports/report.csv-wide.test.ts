import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wideColumnName } from '../../../server/features/reports/report.csv.js';
import { isoWithOffset } from '../../../server/lib/dates.js';
import * as example from '../../fixtures/worked-example.js';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedWorkedExample } from './report-seed.js';

// The analyst's export (issue 9): one row per submitted response, per-criterion columns, "don't know"
// apart from "not asked", under the report's filters and scoping.

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let other: Awaited<ReturnType<typeof organizationWithKam>>;
let wave: Awaited<ReturnType<typeof seedWorkedExample>>;
let dkWave: Awaited<ReturnType<typeof seedWorkedExample>>;
let otherWave: Awaited<ReturnType<typeof seedWorkedExample>>;

const INJECTED_ACCOUNT = "@SUM(1+1)*cmd|' /C calc'!A0";
const INJECTED_COMMENT = '=HYPERLINK("http://evil.example","klikk")';

/** The response of a customer invitation. */
async function responseOf(invitationId: string): Promise<string> {
  const row = await app.db
    .selectFrom('responses')
    .select('id')
    .where('invitation_id', '=', invitationId)
    .executeTakeFirstOrThrow();
  return row.id;
}

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app);
  other = await organizationWithKam(app, 'Annen AS');
  wave = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
    customerComments: [INJECTED_COMMENT, null, null, 'Helt greit'],
  });
  await app.db
    .updateTable('accounts')
    .set({ name: INJECTED_ACCOUNT })
    .where('id', '=', wave.accountIds[3] as string)
    .execute();

  // The same wave once more, with a "don't know", an unanswered rating and a criterion without a key.
  dkWave = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
    name: 'Vet ikke',
  });
  const first = await responseOf(dkWave.customerInvitations[0] as string);
  const second = await responseOf(dkWave.customerInvitations[1] as string);
  await app.db
    .updateTable('answers')
    .set({ score: null })
    .where('response_id', '=', first)
    .where('survey_criterion_id', '=', dkWave.criterionId.advice)
    .where('dimension', '=', 'performance')
    .execute();
  await app.db
    .deleteFrom('answers')
    .where('response_id', '=', second)
    .where('survey_criterion_id', '=', dkWave.criterionId.trust)
    .where('dimension', '=', 'importance')
    .execute();
  await app.db
    .updateTable('survey_criteria')
    .set({ key: null })
    .where('id', '=', dkWave.criterionId.communication)
    .execute();

  otherWave = await seedWorkedExample(app, {
    organizationId: other.organizationId,
    kamUserId: other.kamUserId,
  });
});
afterAll(async () => {
  await app.close();
});

type Row = Record<string, string>;
type Agent = typeof org.adminAgent;

async function exportCsv(agent: Agent, surveyId: string, query = '', status = 200) {
  const response = await agent.get(`/surveys/${surveyId}/export.csv${query}`).expect(status);
  return response.text;
}

function parseCsv(text: string): Row[] {
  return parse(text, { delimiter: ';', bom: true, columns: true }) as Row[];
}

async function wide(agent: Agent, surveyId: string, filter = ''): Promise<Row[]> {
  return parseCsv(await exportCsv(agent, surveyId, `?layout=wide${filter}`));
}

interface Stats {
  n: number;
  mean: number | null;
}
interface ReportCriterion {
  id: string;
  key: string | null;
  audience: 'both' | 'seller';
  sellerImportance: Stats;
  customerImportance: Stats;
  customerPerformance: Stats;
}

async function reportCriteria(key: string, surveyId: string, filter = ''): Promise<ReportCriterion[]> {
  const response = await supertest(app.server)
    .get(`/api/v1/surveys/${surveyId}/report?${filter.replace(/^&/, '')}`)
    .set('Authorization', `Bearer ${key}`)
    .expect(200);
  return response.body.criteria;
}

/** n and mean of a column over rows of one role, read back as a statistics program would. */
function columnStats(rows: Row[], role: string, column: string): Stats {
  const scores = rows
    .filter((row) => row.role === role)
    .map((row) => row[column])
    .filter((cell) => cell !== '' && cell !== 'DK')
    .map(Number);
  const sum = scores.reduce((a, b) => a + b, 0);
  return { n: scores.length, mean: scores.length === 0 ? null : sum / scores.length };
}

/** Every series of every criterion of the wide export equals the report's n and mean, exactly. */
function expectSameMeans(rows: Row[], criteria: ReportCriterion[]) {
  for (const [index, criterion] of criteria.entries()) {
    const column = wideColumnName(criterion, index);
    const pick = ({ n, mean }: Stats) => ({ n, mean });
    expect([column, columnStats(rows, 'seller', `${column}.importance`)]).toEqual([
      column,
      pick(criterion.sellerImportance),
    ]);
    if (criterion.audience === 'seller') {
      expect(rows[0]).not.toHaveProperty(`${column}.performance`);
      expect(criterion.customerImportance.n).toBe(0);
      continue;
    }
    expect([column, columnStats(rows, 'customer', `${column}.importance`)]).toEqual([
      column,
      pick(criterion.customerImportance),
    ]);
    expect([column, columnStats(rows, 'customer', `${column}.performance`)]).toEqual([
      column,
      pick(criterion.customerPerformance),
    ]);
  }
}

const accountsOf = (rows: Row[]) =>
  rows
    .filter((row) => row.role === 'customer')
    .map((row) => row.account)
    .sort();

describe('GET /surveys/:id/export.csv?layout=wide', () => {
  it('has one row per submitted response with the worked example’s scores', async () => {
    const text = await exportCsv(org.adminAgent, wave.surveyId, '?layout=wide');
    expect(text.startsWith('\uFEFF"respondent_id";"role";"account";"segment";"kam";"submitted_at";')).toBe(
      true,
    );
    const rows = parseCsv(text);
    expect(Object.keys(rows[0] ?? {})).toEqual([
      'respondent_id',
      'role',
      'account',
      'segment',
      'kam',
      'submitted_at',
      ...example.criteria.flatMap((criterion) =>
        criterion.audience === 'both'
          ? [`${criterion.key}.importance`, `${criterion.key}.performance`]
          : [`${criterion.key}.importance`],
      ),
      'overall',
      'comment',
    ]);
    // 4 submitted customers and 4 sellers; the in-progress response is left out.
    expect(rows).toHaveLength(8);
    expect(rows.filter((row) => row.role === 'customer')).toHaveLength(4);

    for (const [index, answers] of example.customers.entries()) {
      const name = index === 3 ? `'${INJECTED_ACCOUNT}` : `Kunde 0${index} Æøå`;
      const row = rows.find((candidate) => candidate.account === name);
      expect(row).toMatchObject({
        role: 'customer',
        segment: index < 2 ? 'A' : 'B',
        kam: index === 0 || index === 2 ? 'Kari KAM' : '',
        submitted_at: '2026-03-10T13:00:00+01:00',
      });
      for (const [key, rating] of Object.entries(answers)) {
        expect(row?.[`${key}.importance`]).toBe(String(rating.importance));
        expect(row?.[`${key}.performance`]).toBe(String(rating.performance));
      }
      expect(row?.['crm_system.importance']).toBe('');
    }

    const sellerScores = (source: Array<Record<string, string | number>>) =>
      source.map((answers) => example.CRITERION_KEYS.map((key) => String(answers[key])).join(',')).sort();
    const sellers = rows.filter((row) => row.role === 'seller');
    expect(
      sellerScores(
        sellers.map((row) =>
          Object.fromEntries(example.CRITERION_KEYS.map((key) => [key, row[`${key}.importance`] ?? ''])),
        ),
      ),
    ).toEqual(sellerScores(example.sellers));
    for (const row of sellers) {
      expect(row).toMatchObject({ account: '', segment: '', kam: '' });
      // A seller is never asked about performance: not asked is an empty cell, not DK.
      expect(row['availability.performance']).toBe('');
    }
  });

  it('reads back to exactly the report’s n and means, whole wave and filtered', async () => {
    expectSameMeans(
      await wide(org.adminAgent, wave.surveyId),
      await reportCriteria(org.adminKey, wave.surveyId),
    );
    expectSameMeans(
      await wide(org.adminAgent, wave.surveyId, '&segment=A'),
      await reportCriteria(org.adminKey, wave.surveyId, '&segment=A'),
    );
    // Unequal n: one "don't know" and one unanswered rating, and a criterion without a key.
    expectSameMeans(
      await wide(org.adminAgent, dkWave.surveyId),
      await reportCriteria(org.adminKey, dkWave.surveyId),
    );
    expectSameMeans(await wide(org.kamAgent, wave.surveyId), await reportCriteria(org.kamKey, wave.surveyId));
  });

  it('answers the report’s filters: an account, a segment, a KAM (sellers stay, as in the report)', async () => {
    const byAccount = await wide(org.adminAgent, wave.surveyId, `&accountId=${wave.accountIds[1]}`);
    expect(accountsOf(byAccount)).toEqual(['Kunde 01 Æøå']);
    expect(byAccount.filter((row) => row.role === 'seller')).toHaveLength(4);
    expect(accountsOf(await wide(org.adminAgent, wave.surveyId, '&segment=B'))).toEqual([
      `'${INJECTED_ACCOUNT}`,
      'Kunde 02 Æøå',
    ]);
    expect(accountsOf(await wide(org.adminAgent, wave.surveyId, `&kamUserId=${org.kamUserId}`))).toEqual([
      'Kunde 00 Æøå',
      'Kunde 02 Æøå',
    ]);
    const long = parseCsv(await exportCsv(org.adminAgent, wave.surveyId, '?segment=A&lang=en'));
    expect([...new Set(long.filter((row) => row.Role === 'customer').map((row) => row.Account))]).toEqual([
      'Kunde 00 Æøå',
      'Kunde 01 Æøå',
    ]);
  });

  it('gives a KAM their own portfolio, by session and by key, and refuses another KAM’s account with 403', async () => {
    const bySession = await wide(org.kamAgent, wave.surveyId);
    expect(accountsOf(bySession)).toEqual(['Kunde 00 Æøå', 'Kunde 02 Æøå']);
    const byKey = await supertest(app.server)
      .get(`/surveys/${wave.surveyId}/export.csv?layout=wide`)
      .set('Authorization', `Bearer ${org.kamKey}`)
      .expect(200);
    expect(accountsOf(parseCsv(byKey.text))).toEqual(['Kunde 00 Æøå', 'Kunde 02 Æøå']);

    const notTheirs = `&accountId=${wave.accountIds[1]}`;
    await exportCsv(org.kamAgent, wave.surveyId, `?layout=wide${notTheirs}`, 403);
    await exportCsv(org.kamAgent, wave.surveyId, `?layout=long${notTheirs}`, 403);
    await exportCsv(org.kamAgent, wave.surveyId, `?layout=wide&kamUserId=${org.adminUserId}`, 403);
    // The page answers the same.
    await org.kamAgent.get(`/surveys/${wave.surveyId}/report?${notTheirs.slice(1)}`).expect(403);
  });

  it('treats another organisation’s survey and filters as the report does', async () => {
    await exportCsv(other.adminAgent, wave.surveyId, '?layout=wide', 404);
    await exportCsv(other.kamAgent, wave.surveyId, '?layout=wide', 404);
    const foreignAccount = `&accountId=${otherWave.accountIds[0]}`;
    await exportCsv(org.kamAgent, wave.surveyId, `?layout=wide${foreignAccount}`, 403);
    await org.kamAgent.get(`/surveys/${wave.surveyId}/report?${foreignAccount.slice(1)}`).expect(403);
    // A manager's filter on an account of another organisation matches no customer, here as in the report.
    const rows = await wide(org.adminAgent, wave.surveyId, foreignAccount);
    expect(accountsOf(rows)).toEqual([]);
    const report = await reportCriteria(org.adminKey, wave.surveyId, foreignAccount);
    expect(report.every((criterion) => criterion.customerImportance.n === 0)).toBe(true);
    expectSameMeans(rows, report);
  });

  it('names each respondent by a stable id that is not their email', async () => {
    const ids = (rows: Row[]) => rows.map((row) => row.respondent_id);
    const once = await wide(org.adminAgent, wave.surveyId);
    const twice = await wide(org.adminAgent, wave.surveyId);
    expect(ids(twice)).toEqual(ids(once));
    // The id is the response's id (documented in the README).
    const responses = await app.db
      .selectFrom('responses')
      .select('id')
      .where('survey_id', '=', wave.surveyId)
      .where('status', '=', 'submitted')
      .execute();
    expect([...ids(once)].sort()).toEqual(responses.map((row) => row.id).sort());
    const emails = await app.db
      .selectFrom('invitations')
      .select('email')
      .where('survey_id', '=', wave.surveyId)
      .execute();
    for (const id of ids(once)) {
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      for (const { email } of emails) {
        expect(id).not.toContain(email);
        expect(id).not.toContain(email.split('@')[0]);
      }
    }
  });

  it('neutralises a formula in an account name or a comment', async () => {
    const text = await exportCsv(org.adminAgent, wave.surveyId, '?layout=wide');
    expect(text).toContain(`"'${INJECTED_ACCOUNT.replace(/"/g, '""')}"`);
    expect(text).toContain(`"'${INJECTED_COMMENT.replace(/"/g, '""')}"`);
    const rows = parseCsv(text);
    for (const row of rows) {
      for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });

  it('refuses an unknown layout with 400', async () => {
    for (const layout of ['pivot', 'WIDE', 'wide&layout=long']) {
      const response = await supertest(app.server)
        .get(`/surveys/${wave.surveyId}/export.csv?layout=${layout}`)
        .set('Authorization', `Bearer ${org.adminKey}`)
        .expect(400);
      expect(response.text).toContain('Invalid export query');
      expect(response.text).not.toContain('Kunde 0');
    }
  });
});

describe('"don’t know" and "not asked" in both layouts', () => {
  it('writes DK for a "don’t know" and an empty cell for a rating not asked or not answered', async () => {
    const [first, second] = [
      await responseOf(dkWave.customerInvitations[0] as string),
      await responseOf(dkWave.customerInvitations[1] as string),
    ];
    const rows = await wide(org.adminAgent, dkWave.surveyId);
    const byId = new Map(rows.map((row) => [row.respondent_id, row]));
    expect(byId.get(first)?.['advice.performance']).toBe('DK');
    expect(byId.get(first)?.['advice.importance']).toBe(String(example.customers[0]?.advice.importance));
    expect(byId.get(second)?.['trust.importance']).toBe('');
    expect(byId.get(second)?.['trust.performance']).toBe(String(example.customers[1]?.trust.performance));
    // communication lost its key: the fallback names its place in the wave (8th).
    expect(byId.get(first)?.['criterion-8.importance']).toBe(
      String(example.customers[0]?.communication.importance),
    );
    for (const row of rows.filter((candidate) => candidate.role === 'seller')) {
      expect(row['advice.performance']).toBe('');
      expect(Object.values(row)).not.toContain('DK');
    }

    const long = parseCsv(await exportCsv(org.adminAgent, dkWave.surveyId, '?lang=en'));
    const cell = (account: string, key: string) =>
      long.find((row) => row.Account === account && row['Criterion key'] === key);
    expect(cell('Kunde 00 Æøå (Vet ikke)', 'advice')).toMatchObject({ Performance: 'DK' });
    expect(cell('Kunde 01 Æøå (Vet ikke)', 'trust')).toMatchObject({ Importance: '' });
    const sellerRows = long.filter((row) => row.Role === 'seller');
    expect(sellerRows).toHaveLength(4 * 13);
    for (const row of sellerRows) {
      expect(row.Performance).toBe('');
      expect(row.Importance).toMatch(/^\d+$/);
    }
    expect(long.filter((row) => row.Performance === 'DK')).toHaveLength(1);
  });
});

describe('wide layout helpers', () => {
  it('writes the submitted time in Norwegian time with its offset, summer and winter', () => {
    expect(isoWithOffset(new Date('2026-03-10T12:00:00.789Z'))).toBe('2026-03-10T13:00:00+01:00');
    expect(isoWithOffset(new Date('2026-07-01T22:30:05Z'))).toBe('2026-07-02T00:30:05+02:00');
    expect(isoWithOffset(new Date('2026-07-01T22:30:05Z'), 'America/St_Johns')).toBe(
      '2026-07-01T20:00:05-02:30',
    );
    expect(isoWithOffset(new Date('2026-01-01T00:00:00Z'), 'UTC')).toBe('2026-01-01T00:00:00+00:00');
  });

  it('names a criterion without a key by its 1-based place', () => {
    expect(wideColumnName({ id: 'x', key: 'trust', audience: 'both' }, 4)).toBe('trust');
    expect(wideColumnName({ id: 'x', key: null, audience: 'both' }, 4)).toBe('criterion-5');
  });
});
