import { describe, expect, it } from 'vitest';
import {
  buildGapReport,
  type CriterionAggregates,
  type CriterionResult,
  type GapReport,
} from '../../server/analysis/gap-report.js';
import { aggregateOf } from '../../server/analysis/statistics.js';
import {
  CRITERION_KEYS,
  type CriterionKey,
  customers,
  sellers,
  criteria as workedExample,
} from '../fixtures/worked-example.js';

function workedExampleAggregates(): CriterionAggregates[] {
  return workedExample.map(({ key, label, audience }) => {
    const answers = key === 'crm_system' ? [] : customers.map((customer) => customer[key]);
    return {
      id: key,
      key,
      label: label.nb,
      audience,
      sellerImportance: aggregateOf(sellers.map((seller) => seller[key])),
      customerImportance: aggregateOf(answers.map(({ importance }) => importance)),
      customerPerformance: aggregateOf(answers.map(({ performance }) => performance)),
    };
  });
}

/** A criterion whose three series come from the given scores; null is "don't know". */
function criterionOf(
  id: string,
  scores: {
    seller?: (number | null)[];
    importance?: (number | null)[];
    performance?: (number | null)[];
  },
): CriterionAggregates {
  return {
    id,
    key: null,
    label: id,
    audience: 'both',
    sellerImportance: aggregateOf(scores.seller ?? []),
    customerImportance: aggregateOf(scores.importance ?? []),
    customerPerformance: aggregateOf(scores.performance ?? []),
  };
}

function resultFor(report: GapReport, id: string): CriterionResult {
  const result = report.criteria.find((criterion) => criterion.id === id);
  if (!result) throw new Error(`No criterion ${id} in the report`);
  return result;
}

function numbersIn(value: unknown): number[] {
  if (typeof value === 'number') return [value];
  if (Array.isArray(value)) return value.flatMap(numbersIn);
  if (value !== null && typeof value === 'object') return Object.values(value).flatMap(numbersIn);
  return [];
}

describe('buildGapReport on the published worked example', () => {
  const report = buildGapReport(workedExampleAggregates(), { crosshair: 'grand_mean' });
  const customerCriteria = workedExample.filter(({ audience }) => audience === 'both');

  it('keeps the criteria in input order', () => {
    expect(report.criteria.map(({ id }) => id)).toEqual([...CRITERION_KEYS]);
  });

  it.each(workedExample)('shows the published means for $key', ({ key, published }) => {
    const result = resultFor(report, key);
    expect(result.sellerImportance.mean).toBe(published.sellerImportance);
    expect(result.customerImportance.mean).toBe(published.customerImportance);
    expect(result.customerPerformance.mean).toBe(published.customerPerformance);
    expect(result.sellerImportance.n).toBe(4);
  });

  it('gives spreads and intervals from the individual answers', () => {
    // Efficiency, seller importance [8, 6, 7, 8]: mean 7.25; squared deviations
    // 0.5625 + 1.5625 + 0.0625 + 0.5625 = 2.75, / 3 → sd √0.91667 ≈ 0.9574271;
    // half-width t(0.975, 3) · sd / √4 ≈ 3.1824463 · 0.9574271 / 2 ≈ 1.52348
    const efficiency = resultFor(report, 'efficiency').sellerImportance;
    const sd = Math.sqrt(2.75 / 3);
    expect(efficiency.sd).toBeCloseTo(sd, 12);
    expect(efficiency.ci95?.[0]).toBeCloseTo(7.25 - (3.182446305284263 * sd) / 2, 9);
    expect(efficiency.ci95?.[1]).toBeCloseTo(7.25 + 1.52348, 5);

    // Every customer gave customer orientation a 10 for delivery.
    expect(resultFor(report, 'customer_oriented').customerPerformance).toEqual({
      n: 4,
      mean: 10,
      sd: 0,
      ci95: [10, 10],
    });
  });

  it('computes each delivery gap as customer performance − customer importance', () => {
    for (const { key, published } of customerCriteria) {
      const expected = (published.customerPerformance ?? 0) - (published.customerImportance ?? 0);
      expect(resultFor(report, key).deliveryGap, key).toBe(expected);
    }
  });

  it('finds exactly the six published negative delivery gaps, each −0.25', () => {
    const negative = report.criteria.filter(({ deliveryGap }) => deliveryGap !== null && deliveryGap < 0);
    expect(negative.map(({ id }) => id)).toEqual([
      'solution_oriented',
      'trust',
      'knowledge',
      'accuracy',
      'business_understanding',
      'follow_up',
    ]);
    for (const { deliveryGap } of negative) expect(deliveryGap).toBe(-0.25);
  });

  it('computes each alignment gap as seller importance − customer importance', () => {
    for (const { key, published } of customerCriteria) {
      const expected = published.sellerImportance - (published.customerImportance ?? 0);
      expect(resultFor(report, key).alignmentGap, key).toBe(expected);
    }
    expect(resultFor(report, 'solution_oriented').alignmentGap).toBe(-1);
  });

  it('names efficiency (−1.75) as the largest alignment gap, not solution orientation (−1.00)', () => {
    expect(report.largestAlignmentGap).toEqual(['efficiency']);
    expect(resultFor(report, 'efficiency').alignmentGap).toBe(-1.75);
  });

  it('gives an overall delivery index of 113 / 12 ≈ 9.42', () => {
    // 9.75 + 9 + 9.5 + 10 + 9.5 + 9.25 + 9.5 + 9.25 + 9.5 + 8.75 + 9.5 + 9.5 = 113 over 12 criteria
    expect(report.overall.deliveryIndex).toBeCloseTo(113 / 12, 12);
    expect(report.overall.deliveryIndex).toBeCloseTo(9.4166667, 7);
  });

  it('marks the lowest and highest of every column, keeping ties', () => {
    expect(report.extremes.sellerImportance).toEqual({
      lowest: ['efficiency'],
      highest: ['customer_oriented'],
    });
    expect(report.extremes.customerPerformance).toEqual({
      lowest: ['business_understanding'],
      highest: ['customer_oriented'],
    });
    expect(report.extremes.customerImportance).toEqual({
      lowest: ['advice', 'efficiency', 'communication', 'business_understanding'],
      highest: ['solution_oriented', 'customer_oriented', 'trust', 'accuracy', 'follow_up'],
    });
    expect(report.extremes.deliveryGap).toEqual({
      lowest: ['solution_oriented', 'trust', 'knowledge', 'accuracy', 'business_understanding', 'follow_up'],
      highest: ['availability', 'efficiency'],
    });
    // The alignment gap by its size: efficiency's −1.75 is the largest mismatch, the four 0.00 the best.
    expect(report.largestAlignmentGap).toEqual(['efficiency']);
    expect(report.smallestAlignmentGap).toEqual([
      'advice',
      'customer_oriented',
      'communication',
      'business_understanding',
    ]);
  });

  it('gives the sellers-only CRM system a seller statistic and nothing else', () => {
    const crm = resultFor(report, 'crm_system');
    expect(crm.audience).toBe('seller');
    expect(crm.sellerImportance.mean).toBe(8.25);
    expect(crm.customerImportance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
    expect(crm.customerPerformance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
    expect(crm.deliveryGap).toBeNull();
    expect(crm.alignmentGap).toBeNull();
    expect(crm.quadrant).toBeNull();
  });

  it('puts the crosshairs at the grand means of the 12 criteria customers rated', () => {
    // importance: 9.25+9+9.75+9.75+9.75+9.5+9+9+9.75+9+9.25+9.75 = 112.75 → 112.75 / 12 ≈ 9.3958
    // performance: 113 / 12 ≈ 9.4167 (the CRM system has neither mean, so it does not count)
    expect(report.crosshair.mode).toBe('grand_mean');
    expect(report.crosshair.importance).toBeCloseTo(112.75 / 12, 12);
    expect(report.crosshair.performance).toBeCloseTo(113 / 12, 12);
  });

  it('places every criterion in its quadrant around the grand means', () => {
    // importance ≥ 9.3958? performance ≥ 9.4167?
    expect(Object.fromEntries(report.criteria.map(({ id, quadrant }) => [id, quadrant]))).toEqual({
      availability: 'overkill', // 9.25 <, 9.75 ≥
      advice: 'low', // 9.00 <, 9.00 <
      solution_oriented: 'keep', // 9.75 ≥, 9.50 ≥
      customer_oriented: 'keep', // 9.75 ≥, 10.00 ≥
      trust: 'keep', // 9.75 ≥, 9.50 ≥
      knowledge: 'concentrate', // 9.50 ≥, 9.25 <
      efficiency: 'overkill', // 9.00 <, 9.50 ≥
      communication: 'low', // 9.00 <, 9.25 <
      accuracy: 'keep', // 9.75 ≥, 9.50 ≥
      business_understanding: 'low', // 9.00 <, 8.75 <
      cooperation: 'overkill', // 9.25 <, 9.50 ≥
      follow_up: 'keep', // 9.75 ≥, 9.50 ≥
      crm_system: null,
    } satisfies Record<CriterionKey, CriterionResult['quadrant']>);
    expect(report.concentrate).toEqual(['knowledge']);
  });

  it('puts every rated criterion in "keep" with the crosshairs at the scale midpoint 5.5', () => {
    const midpoint = buildGapReport(workedExampleAggregates(), { crosshair: 'midpoint' });
    expect(midpoint.crosshair).toEqual({ importance: 5.5, performance: 5.5, mode: 'midpoint' });
    for (const { id, quadrant } of midpoint.criteria) {
      expect(quadrant, id).toBe(id === 'crm_system' ? null : 'keep');
    }
    expect(midpoint.concentrate).toEqual([]);
    expect(midpoint.overall.deliveryIndex).toBe(report.overall.deliveryIndex);
  });
});

describe('buildGapReport quadrants', () => {
  it('counts a mean equal to the crosshair as at or above it, despite floating-point error', () => {
    // Importance means 6.0, 7.4 and 8.8 average to exactly 7.4, but in doubles to 7.400000000000001.
    const report = buildGapReport(
      [
        criterionOf('a', {
          importance: [6, 6, 6, 6, 6, 6, 6, 6, 6, 6],
          performance: [8, 8, 8, 8, 8, 8, 8, 8, 8, 8],
        }),
        criterionOf('b', {
          importance: [7, 7, 7, 7, 7, 7, 8, 8, 8, 8],
          performance: [6, 6, 6, 6, 6, 6, 6, 6, 6, 6],
        }),
        criterionOf('c', {
          importance: [9, 9, 9, 9, 9, 9, 9, 9, 8, 8],
          performance: [7, 7, 7, 7, 7, 7, 7, 7, 7, 7],
        }),
      ],
      { crosshair: 'grand_mean' },
    );
    expect(resultFor(report, 'b').customerImportance.mean).toBe(7.4);
    expect(report.crosshair.importance).toBeGreaterThan(7.4);
    expect(report.crosshair.performance).toBe(7);
    expect(report.criteria.map(({ quadrant }) => quadrant)).toEqual(['overkill', 'concentrate', 'keep']);
  });

  it('ranks "concentrate here" by delivery gap, most negative first', () => {
    const report = buildGapReport(
      [
        criterionOf('x', { importance: [9, 9], performance: [5, 5] }), // gap −4
        criterionOf('y', { importance: [8, 8], performance: [2, 2] }), // gap −6
        criterionOf('z', { importance: [6, 6], performance: [5, 5] }), // gap −1
        criterionOf('w', { importance: [3, 3], performance: [9, 9] }), // possible overkill
      ],
      { crosshair: 'midpoint' },
    );
    expect(report.concentrate).toEqual(['y', 'x', 'z']);
    expect(resultFor(report, 'w').quadrant).toBe('overkill');
  });

  it('leaves criteria customers rated only in part out of the grand means and the quadrants', () => {
    const report = buildGapReport(
      [
        criterionOf('rated', { importance: [8, 9], performance: [7, 8] }),
        criterionOf('importance only', { importance: [2, 2], performance: [null, null] }),
      ],
      { crosshair: 'grand_mean' },
    );
    expect(report.crosshair.importance).toBe(8.5);
    expect(report.crosshair.performance).toBe(7.5);
    expect(resultFor(report, 'importance only').quadrant).toBeNull();
    expect(resultFor(report, 'importance only').deliveryGap).toBeNull();
  });
});

describe('buildGapReport with a different number of answers per criterion', () => {
  // "Don't know" leaves criteria with unequal n: one customer rated "often" 10, three rated "rarely" 4.
  const report = buildGapReport(
    [
      criterionOf('often', { importance: [9, null, null, null], performance: [10, null, null, null] }),
      criterionOf('rarely', { importance: [6, 6, 6, null], performance: [null, 4, 4, 4] }),
    ],
    { crosshair: 'grand_mean' },
  );

  it('keeps each criterion’s own n', () => {
    expect(resultFor(report, 'often').customerPerformance.n).toBe(1);
    expect(resultFor(report, 'rarely').customerPerformance.n).toBe(3);
  });

  it('gives the delivery index as the plain mean of the criterion means, each criterion weighing the same', () => {
    // Not the mean over all four answers, (10 + 4 + 4 + 4) / 4 = 5.5, which weighs "rarely" three times.
    expect(report.overall.deliveryIndex).toBe((10 + 4) / 2);
  });

  it('puts the grand-mean crosshair at the plain means of the criterion means', () => {
    expect(report.crosshair.importance).toBe((9 + 6) / 2);
    expect(report.crosshair.performance).toBe((10 + 4) / 2);
  });
});

describe('buildGapReport without data', () => {
  it('returns nulls and empty lists, never NaN, for no criteria', () => {
    const report = buildGapReport([], { crosshair: 'grand_mean' });
    expect(report.crosshair).toEqual({ importance: null, performance: null, mode: 'grand_mean' });
    expect(report.overall.deliveryIndex).toBeNull();
    expect(report.criteria).toEqual([]);
    expect(report.largestAlignmentGap).toEqual([]);
    expect(report.smallestAlignmentGap).toEqual([]);
    expect(report.concentrate).toEqual([]);
    for (const extremes of Object.values(report.extremes)) {
      expect(extremes).toEqual({ lowest: [], highest: [] });
    }
  });

  it('returns nulls, never NaN, for criteria nobody has answered', () => {
    const report = buildGapReport(
      [
        criterionOf('one', {}),
        criterionOf('two', { seller: [null], importance: [null], performance: [null] }),
      ],
      { crosshair: 'grand_mean' },
    );
    expect(numbersIn(report).filter(Number.isNaN)).toEqual([]);
    expect(report.crosshair.importance).toBeNull();
    expect(report.overall.deliveryIndex).toBeNull();
    for (const result of report.criteria) {
      expect(result.customerPerformance.mean).toBeNull();
      expect(result.deliveryGap).toBeNull();
      expect(result.alignmentGap).toBeNull();
      expect(result.quadrant).toBeNull();
    }
  });
});

describe('buildGapReport markers', () => {
  const seller = (score: number) => [score, score];

  it('marks nothing in a column whose values are all equal, nor for a single value', () => {
    const report = buildGapReport(
      [
        criterionOf('a', { seller: seller(8), importance: [9, 9], performance: [7, 7] }),
        criterionOf('b', { seller: seller(8), importance: [9, 9], performance: [7, 7] }),
        criterionOf('c', { seller: seller(8), importance: [9, 9], performance: [7, 7] }),
      ],
      { crosshair: 'grand_mean' },
    );
    for (const extremes of Object.values(report.extremes)) {
      expect(extremes).toEqual({ lowest: [], highest: [] });
    }
    expect(report.largestAlignmentGap).toEqual([]);
    expect(report.smallestAlignmentGap).toEqual([]);

    const single = buildGapReport(
      [criterionOf('only', { seller: seller(3), importance: [9], performance: [2] })],
      {
        crosshair: 'grand_mean',
      },
    );
    expect(single.extremes.customerPerformance).toEqual({ lowest: [], highest: [] });
    expect(single.largestAlignmentGap).toEqual([]);
  });

  it('marks every cell tied at the top "highest" only, and every cell tied at the bottom "lowest" only', () => {
    const report = buildGapReport(
      [
        criterionOf('top1', { importance: [10, 10], performance: [9, 9] }),
        criterionOf('top2', { importance: [10, 10], performance: [9, 9] }),
        criterionOf('bottom', { importance: [6, 6], performance: [9, 9] }),
        criterionOf('middle', { importance: [8, 8], performance: [4, 4] }),
        criterionOf('low1', { importance: [7, 8], performance: [4, 4] }),
      ],
      { crosshair: 'grand_mean' },
    );
    expect(report.extremes.customerImportance).toEqual({ lowest: ['bottom'], highest: ['top1', 'top2'] });
    // Three tie at the top of performance, two at the bottom: each tied cell gets one marker.
    expect(report.extremes.customerPerformance).toEqual({
      lowest: ['middle', 'low1'],
      highest: ['top1', 'top2', 'bottom'],
    });
  });

  it('judges the alignment gap by its size: the most negative gap can be the largest, 0 is the best', () => {
    const report = buildGapReport(
      [
        criterionOf('under', { seller: seller(6), importance: [9, 9], performance: [8, 8] }), // −3
        criterionOf('over', { seller: seller(10), importance: [8, 8], performance: [8, 8] }), // +2
        criterionOf('aligned', { seller: seller(8), importance: [8, 8], performance: [8, 8] }), // 0
        criterionOf('near', { seller: seller(7), importance: [7, 8], performance: [8, 8] }), // −0.5
      ],
      { crosshair: 'grand_mean' },
    );
    expect(report.criteria.map(({ alignmentGap }) => alignmentGap)).toEqual([-3, 2, 0, -0.5]);
    expect(report.largestAlignmentGap).toEqual(['under']);
    expect(report.smallestAlignmentGap).toEqual(['aligned']);
  });

  it('ties a negative and a positive gap of the same size, and marks nothing when all gaps share one size', () => {
    const mixed = buildGapReport(
      [
        criterionOf('minus', { seller: seller(7), importance: [9, 9] }), // −2
        criterionOf('plus', { seller: seller(10), importance: [8, 8] }), // +2
        criterionOf('small', { seller: seller(8), importance: [8.5, 8.5] }), // −0.5
        criterionOf('smallPlus', { seller: seller(9), importance: [8.5, 8.5] }), // +0.5
      ],
      { crosshair: 'grand_mean' },
    );
    expect(mixed.largestAlignmentGap).toEqual(['minus', 'plus']);
    expect(mixed.smallestAlignmentGap).toEqual(['small', 'smallPlus']);

    const sameSize = buildGapReport(
      [
        criterionOf('minus', { seller: seller(7), importance: [8, 8] }), // −1
        criterionOf('plus', { seller: seller(9), importance: [8, 8] }), // +1
      ],
      { crosshair: 'grand_mean' },
    );
    expect(sameSize.largestAlignmentGap).toEqual([]);
    expect(sameSize.smallestAlignmentGap).toEqual([]);
  });
});

describe('buildGapReport uncertain quadrant placements', () => {
  it('marks a placement uncertain when a 95 % interval crosses its crosshair, or is missing (n < 2)', () => {
    const report = buildGapReport(
      [
        // Tight and far from the crosshair (5.5, 5.5): certain.
        criterionOf('sure', { importance: [9, 9, 9, 9], performance: [2, 2, 2, 2] }),
        // Importance 4–8, mean 6: its interval reaches below 5.5.
        criterionOf('wide', { importance: [4, 8, 4, 8], performance: [9, 9, 9, 9] }),
        // One answer: no interval, so no way to rule out the other side.
        criterionOf('one', { importance: [9], performance: [9] }),
        // No quadrant at all.
        criterionOf('none', { importance: [9, 9] }),
      ],
      { crosshair: 'midpoint' },
    );
    expect(
      report.criteria.map(({ id, quadrant, quadrantUncertain }) => [id, quadrant, quadrantUncertain]),
    ).toEqual([
      ['sure', 'concentrate', false],
      ['wide', 'keep', true],
      ['one', 'keep', true],
      ['none', null, false],
    ]);
  });

  it('keeps an interval that only touches the crosshair certain', () => {
    // Performance [5.5, 5.5]: sd 0, interval [5.5, 5.5], on the line but not across it.
    const report = buildGapReport([criterionOf('edge', { importance: [9, 9], performance: [5.5, 5.5] })], {
      crosshair: 'midpoint',
    });
    expect(report.criteria[0]).toMatchObject({ quadrant: 'keep', quadrantUncertain: false });
  });

  it('finds every placement of the worked example uncertain: four answers cannot separate means this close', () => {
    const report = buildGapReport(workedExampleAggregates(), { crosshair: 'grand_mean' });
    const rated = report.criteria.filter(({ quadrant }) => quadrant !== null);
    expect(rated.map(({ quadrantUncertain }) => quadrantUncertain)).toEqual(rated.map(() => true));
  });
});
