import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  aggregateAnswers,
  aggregateStatistics,
  countResponses,
  findReportSurvey,
  findReportWaves,
  listComments,
  readWaveFigures,
} from '../../../server/features/reports/report.queries.js';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedWorkedExample } from './report-seed.js';

// Every report query names the organisation as well as the survey: a survey id of another tenant, however
// it was learnt, must read as nothing at all. The route already answers 404 for such a survey; these call
// the queries directly so that each holds the line on its own.

let app: FastifyInstance;
let first: Awaited<ReturnType<typeof organizationWithKam>>;
let second: Awaited<ReturnType<typeof organizationWithKam>>;
let firstWave: Awaited<ReturnType<typeof seedWorkedExample>>;

beforeAll(async () => {
  app = await buildTestApp();
  first = await organizationWithKam(app, 'Første AS');
  second = await organizationWithKam(app, 'Andre AS');
  firstWave = await seedWorkedExample(app, {
    organizationId: first.organizationId,
    kamUserId: first.kamUserId,
    customerComments: ['Hemmelig kommentar', null, null, null],
  });
  // The second organisation has data of its own, so "nothing" is not just an empty database.
  await seedWorkedExample(app, { organizationId: second.organizationId, kamUserId: second.kamUserId });
});
afterAll(async () => {
  await app.close();
});

describe('aggregateAnswers', () => {
  it('returns the first organisation’s totals for its own survey', async () => {
    const rows = await aggregateAnswers(app.db, first.organizationId, firstWave.surveyId, {});
    expect(rows).toHaveLength(12 * 2 + 13);
  });

  it('returns no rows for the first organisation’s survey asked for with another organisation’s id', async () => {
    expect(await aggregateAnswers(app.db, second.organizationId, firstWave.surveyId, {})).toEqual([]);
  });

  it('returns no rows, sellers included, for another organisation’s id with any customer filter', async () => {
    const filters = [
      { accountId: firstWave.accountIds[0] as string },
      { segment: 'A' },
      { kamUserId: first.kamUserId },
      { kamUserId: second.kamUserId },
    ];
    for (const filter of filters) {
      expect(await aggregateAnswers(app.db, second.organizationId, firstWave.surveyId, filter)).toEqual([]);
    }
  });
});

describe('the other report queries, asked with another organisation’s id', () => {
  it('finds no survey, counts no invitations and lists no comments', async () => {
    const surveyId = firstWave.surveyId;
    expect(await findReportSurvey(app.db, second.organizationId, surveyId)).toBeUndefined();
    expect(await countResponses(app.db, second.organizationId, surveyId)).toEqual({
      customer: { invited: 0, responded: 0 },
      seller: { invited: 0, responded: 0 },
    });
    expect(await listComments(app.db, second.organizationId, surveyId, {})).toEqual([]);
    // …while the owner sees them.
    const own = await listComments(app.db, first.organizationId, surveyId, {});
    expect(own.map((row) => row.comment)).toContain('Hemmelig kommentar');
  });
});

describe('the report’s combined reads, asked with another organisation’s id', () => {
  it('find no wave and no series, and read no criteria, totals, counts or statistics, under any filter', async () => {
    const surveyId = firstWave.surveyId;
    const nothing = { satisfaction: { n: 0, sum: 0, sumSquares: 0 }, drivers: [], reliability: [] };
    expect(await findReportWaves(app.db, second.organizationId, surveyId)).toEqual({
      survey: undefined,
      series: [],
    });
    for (const filter of [{}, { accountId: firstWave.accountIds[0] as string }, { segment: 'A' }]) {
      expect(await readWaveFigures(app.db, second.organizationId, surveyId, filter)).toEqual({
        criteria: [],
        answers: [],
        counts: { customer: { invited: 0, responded: 0 }, seller: { invited: 0, responded: 0 } },
        accounts: [],
        statistics: nothing,
      });
      expect(await aggregateStatistics(app.db, second.organizationId, surveyId, filter)).toEqual(nothing);
    }
  });

  it('read the owner’s wave as the separate queries do', async () => {
    const surveyId = firstWave.surveyId;
    const { survey, series } = await findReportWaves(app.db, first.organizationId, surveyId);
    expect(survey).toEqual(await findReportSurvey(app.db, first.organizationId, surveyId));
    expect(series.map((wave) => wave.id)).toEqual([surveyId]);
    const figures = await readWaveFigures(app.db, first.organizationId, surveyId, {});
    expect(figures.counts).toEqual(await countResponses(app.db, first.organizationId, surveyId));
    const byKey = (rows: Array<{ criterionId: string; role: string; dimension: string }>) =>
      [...rows].sort((a, b) =>
        `${a.criterionId}${a.role}${a.dimension}`.localeCompare(`${b.criterionId}${b.role}${b.dimension}`),
      );
    expect(byKey(figures.answers)).toEqual(
      byKey(await aggregateAnswers(app.db, first.organizationId, surveyId, {})),
    );
    expect(figures.statistics).toEqual(await aggregateStatistics(app.db, first.organizationId, surveyId, {}));
    expect(figures.statistics.reliability.length).toBeGreaterThan(0);
    expect(figures.criteria).toHaveLength(13);
  });
});
