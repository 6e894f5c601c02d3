import { describe, expect, it } from 'vitest';
import { buildGapReport, type CriterionAggregates } from '../../../server/analysis/gap-report.js';
import { aggregateOf } from '../../../server/analysis/statistics.js';
import '../../../server/features/reports/report.messages.js';
import { reportPageModel } from '../../../server/features/reports/report.page.js';
import type { SurveyReport } from '../../../server/features/reports/report.service.js';

const NO_FILTER_OPTIONS = { accounts: [], segments: [], kams: [] };

/** `n` scores of 7 followed by "don't know"s, as one criterion × series gets them. */
const scores = (n: number, dontKnow = 0) => aggregateOf([...Array(n).fill(7), ...Array(dontKnow).fill(null)]);

function criterion(id: string, n: { seller: number; importance: number; performance: number }) {
  return {
    id,
    key: null,
    label: id,
    audience: 'both',
    sellerImportance: scores(n.seller, 1),
    customerImportance: scores(n.importance, 1),
    customerPerformance: scores(n.performance, 1),
  } satisfies CriterionAggregates;
}

/** The page model of a report on these criteria, in an organisation whose threshold is `threshold`. */
function pageOf(criteria: CriterionAggregates[], threshold: number) {
  const report: SurveyReport = {
    survey: {
      id: '00000000-0000-4000-8000-000000000001',
      name: 'Høst 2026',
      status: 'open',
      language: 'nb',
      crosshair: 'grand_mean',
      openedAt: new Date('2026-09-01T08:00:00Z'),
      closesAt: null,
      closedAt: null,
      smallSampleThreshold: threshold,
      overallQuestion: false,
      confidential: false,
      minGroupSize: 3,
    },
    filter: {},
    suppressed: null,
    responseRate: { customer: { invited: 10, responded: 5 }, seller: { invited: 10, responded: 5 } },
    gap: buildGapReport(criteria, { crosshair: 'grand_mean' }),
    comments: [],
    comparison: null,
    trend: { waves: [], deliveryIndex: [], criteria: [] },
    statistics: {
      satisfaction: null,
      derivedImportance: new Map(),
      reliability: {
        customerPerformance: { result: { alpha: null, k: 0, n: 0, reason: 'too_few' }, criterionIds: [] },
        customerImportance: { result: { alpha: null, k: 0, n: 0, reason: 'too_few' }, criterionIds: [] },
        sellerImportance: { result: { alpha: null, k: 0, n: 0, reason: 'too_few' }, criterionIds: [] },
      },
    },
  };
  return reportPageModel(report, 'nb', NO_FILTER_OPTIONS, {});
}

const rowOf = (page: ReturnType<typeof pageOf>, id: string) => {
  const row = page.rows.find((candidate) => candidate.id === id);
  if (!row) throw new Error(`no row ${id}`);
  return row;
};

describe('reportPageModel — the small-sample warning', () => {
  describe.each([5, 3])('with the organisation’s threshold at %i', (threshold) => {
    it('warns of no series when every series has n equal to the threshold', () => {
      const page = pageOf(
        [criterion('a', { seller: threshold, importance: threshold, performance: threshold })],
        threshold,
      );
      expect(page.smallSamples).toEqual([]);
    });

    it('warns of every series whose largest n is one below the threshold, naming n and the threshold', () => {
      const below = threshold - 1;
      const page = pageOf(
        [criterion('a', { seller: below, importance: below, performance: below })],
        threshold,
      );
      expect(page.smallSamples).toEqual([
        `Viktighet (selgere): høyst ${below} svar per kriterium, under terskelen på ${threshold}.`,
        `Viktighet (kunder): høyst ${below} svar per kriterium, under terskelen på ${threshold}.`,
        `Leveranse (kunder): høyst ${below} svar per kriterium, under terskelen på ${threshold}.`,
      ]);
    });

    it('warns of the one series below the threshold and not of the others at it', () => {
      const page = pageOf(
        [criterion('a', { seller: threshold, importance: threshold, performance: threshold - 1 })],
        threshold,
      );
      expect(page.smallSamples).toEqual([
        `Leveranse (kunder): høyst ${threshold - 1} svar per kriterium, under terskelen på ${threshold}.`,
      ]);
    });

    it('marks a criterion’s n as below the threshold at one below it, and not at the threshold', () => {
      const page = pageOf(
        [
          criterion('at', { seller: threshold, importance: threshold, performance: threshold }),
          criterion('customer below', {
            seller: threshold,
            importance: threshold,
            performance: threshold - 1,
          }),
          criterion('seller below', { seller: threshold - 1, importance: threshold, performance: threshold }),
        ],
        threshold,
      );
      // Each series still reaches the threshold on some criterion, so no series is warned of.
      expect(page.smallSamples).toEqual([]);
      expect(rowOf(page, 'at')).toMatchObject({
        customerN: threshold,
        customerNLow: false,
        sellerN: threshold,
        sellerNLow: false,
      });
      // n customers is the smaller of the importance and performance n.
      expect(rowOf(page, 'customer below')).toMatchObject({
        customerN: threshold - 1,
        customerNLow: true,
        sellerNLow: false,
      });
      expect(rowOf(page, 'seller below')).toMatchObject({
        customerN: threshold,
        customerNLow: false,
        sellerN: threshold - 1,
        sellerNLow: true,
      });
    });
  });
});
