import { describe, expect, it } from 'vitest';
import {
  type ComparableCriterion,
  compareWaves,
  matchCriterion,
  seriesChange,
  welchTest,
} from '../../server/analysis/comparison.js';
import { aggregateOf } from '../../server/analysis/statistics.js';
import { textbookWelch } from '../helpers/welch.js';

const scores = (xs: readonly (number | null)[]) => aggregateOf(xs);

describe('welchTest', () => {
  it('matches a reference computation (SciPy 1.17: ttest_ind(later, earlier, equal_var=False))', () => {
    // R gives the same: t.test(c(8,9,8,9,10,8,9,9), c(6,7,7,8,5,6,7)).
    const result = welchTest(scores([6, 7, 7, 8, 5, 6, 7]), scores([8, 9, 8, 9, 10, 8, 9, 9]));
    expect(result.t).toBeCloseTo(4.889134919079174, 10);
    expect(result.df).toBeCloseTo(10.821306296620962, 10);
    expect(result.p).toBeCloseTo(0.0005032639976100607, 12);

    const other = welchTest(scores([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), scores([7, 8, 9, 10, 8, 9]));
    expect(other.t).toBeCloseTo(2.8603877677367766, 10);
    expect(other.df).toBeCloseTo(12.08955223880597, 10);
    expect(other.p).toBeCloseTo(0.014250339959184245, 10);
  });

  it.each([
    { earlier: [5, 6, 7, 8, 9], later: [6, 5, 8, 7, 9, 6] },
    { earlier: [9, 9, 10, 8], later: [7, 6, 8, 5, 7, 6, 9, 4, 7] },
    { earlier: [3, 10], later: [1, 2, 10] },
    { earlier: [7, 7, 7, 7, 8], later: [2, 9, 4, 10, 1, 6] },
    { earlier: [8, 8, 8], later: [6, 9, 7, 8, 10, 7] }, // no spread on one side
  ])('agrees with the textbook formulas for $earlier → $later', ({ earlier, later }) => {
    const expected = textbookWelch(earlier, later);
    const result = welchTest(scores(earlier), scores(later));
    expect(result.t).toBeCloseTo(expected.t, 10);
    expect(result.df).toBeCloseTo(expected.df, 10);
    expect(result.p).toBeCloseTo(expected.p, 10);
  });

  it('leaves "don\'t know" out of n, as the report does', () => {
    const result = welchTest(scores([5, null, 6, 7, null, 8, 9]), scores([6, 5, 8, null, 7, 9, 6]));
    const expected = textbookWelch([5, 6, 7, 8, 9], [6, 5, 8, 7, 9, 6]);
    expect(result.p).toBeCloseTo(expected.p, 10);
    expect(result.p).toBeCloseTo(0.8617341561389927, 10); // SciPy, as above
  });

  it('is symmetric: swapping the waves flips t and keeps p', () => {
    const a = scores([4, 6, 5, 7]);
    const b = scores([8, 9, 7, 9, 10]);
    const forward = welchTest(a, b);
    const backward = welchTest(b, a);
    expect(backward.t).toBeCloseTo(-(forward.t as number), 12);
    expect(backward.p).toBeCloseTo(forward.p as number, 12);
  });

  it('runs no test when either wave has fewer than 2 answers', () => {
    expect(welchTest(scores([7]), scores([5, 6, 7]))).toEqual({ t: null, df: null, p: null });
    expect(welchTest(scores([5, 6, 7]), scores([]))).toEqual({ t: null, df: null, p: null });
  });

  it('reads two waves without spread and equal means as no change (p = 1), different means as untestable', () => {
    expect(welchTest(scores([8, 8, 8]), scores([8, 8]))).toEqual({ t: 0, df: null, p: 1 });
    expect(welchTest(scores([8, 8, 8]), scores([9, 9]))).toEqual({ t: null, df: null, p: null });
  });

  it('keeps a far-tail p instead of rounding it to 0 (SciPy: 6.2357e-22), never NaN or Infinity', () => {
    // 1 − F(15.23) is 1 in double precision; 2·F(−15.23) keeps the digits.
    const earlier = scores(Array.from({ length: 30 }, (_, i) => 5 + (i % 2)));
    const later = scores(Array.from({ length: 30 }, (_, i) => 7 + (i % 2)));
    const result = welchTest(earlier, later);
    expect(result.df).toBeCloseTo(58, 10);
    expect((result.p as number) / 6.235729979360701e-22).toBeCloseTo(1, 6);
    for (const value of Object.values(result)) expect(Number.isFinite(value)).toBe(true);
  });
});

describe('seriesChange', () => {
  it('gives both means, the change and the test; significant when p < 0.05', () => {
    const earlier = [6, 7, 7, 8, 5, 6, 7];
    const later = [8, 9, 8, 9, 10, 8, 9, 9];
    const change = seriesChange(scores(earlier), scores(later), { smallSampleThreshold: 5 });
    expect(change).toMatchObject({
      previousN: 7,
      n: 8,
      significant: true,
      fewAnswers: false,
    });
    expect(change?.previousMean).toBeCloseTo(46 / 7, 12);
    expect(change?.mean).toBeCloseTo(70 / 8, 12);
    expect(change?.delta).toBeCloseTo(70 / 8 - 46 / 7, 12);
    expect(change?.p).toBeCloseTo(textbookWelch(earlier, later).p, 10);
  });

  it('is not significant at p ≈ 0.86', () => {
    const change = seriesChange(scores([5, 6, 7, 8, 9]), scores([6, 5, 8, 7, 9, 6]), {
      smallSampleThreshold: 5,
    });
    expect(change?.significant).toBe(false);
    expect(change?.delta).toBeCloseTo(41 / 6 - 7, 12);
  });

  it('marks too few answers when either wave is below the threshold', () => {
    const options = { smallSampleThreshold: 5 };
    expect(seriesChange(scores([5, 6, 7, 8]), scores([6, 5, 8, 7, 9]), options)?.fewAnswers).toBe(true);
    expect(seriesChange(scores([5, 6, 7, 8, 9]), scores([6, 5, 8, 7]), options)?.fewAnswers).toBe(true);
    expect(seriesChange(scores([5, 6, 7, 8, 9]), scores([6, 5, 8, 7, 9]), options)?.fewAnswers).toBe(false);
  });

  it('is null when either wave has no answer in the series', () => {
    expect(seriesChange(scores([null, null]), scores([5]), { smallSampleThreshold: 1 })).toBeNull();
    expect(seriesChange(scores([5]), scores([]), { smallSampleThreshold: 1 })).toBeNull();
  });

  it('gives the change without a test for a single answer on one side', () => {
    const change = seriesChange(scores([5]), scores([7, 8]), { smallSampleThreshold: 1 });
    expect(change).toMatchObject({ delta: 2.5, p: null, significant: false });
  });
});

describe('matchCriterion', () => {
  const earlier = [
    { id: 'a', key: 'trust', criterionId: 'lib-1' },
    { id: 'b', key: null, criterionId: 'lib-2' },
    { id: 'c', key: 'advice', criterionId: 'lib-3' },
  ];

  it('matches by key first, then by library criterion', () => {
    expect(matchCriterion({ key: 'trust', criterionId: 'lib-9' }, earlier)?.id).toBe('a');
    expect(matchCriterion({ key: null, criterionId: 'lib-2' }, earlier)?.id).toBe('b');
    expect(matchCriterion({ key: 'renamed', criterionId: 'lib-3' }, earlier)?.id).toBe('c');
  });

  it('finds nothing for a criterion the earlier wave did not ask', () => {
    expect(matchCriterion({ key: 'new', criterionId: 'lib-8' }, earlier)).toBeUndefined();
    expect(matchCriterion({ key: null, criterionId: null }, earlier)).toBeUndefined();
  });
});

describe('compareWaves', () => {
  const empty = { n: 0, sum: 0, sumSquares: 0 };
  const criterion = (
    id: string,
    key: string | null,
    performance: number[],
    importance: number[] = [],
  ): ComparableCriterion => ({
    id,
    key,
    criterionId: null,
    label: id,
    audience: 'both',
    sellerImportance: empty,
    customerImportance: scores(importance),
    customerPerformance: scores(performance),
  });

  it('compares matched criteria, says null for one not asked then, and moves the delivery index', () => {
    const earlier = [criterion('e1', 'trust', [6, 7, 8]), criterion('e2', 'gone', [2, 2, 2])];
    const later = [criterion('l1', 'trust', [8, 9, 9], [9, 9]), criterion('l2', 'new', [5, 6])];
    const result = compareWaves(later, earlier, { smallSampleThreshold: 3 });

    const trust = result.criteria.get('l1');
    expect(trust?.customerPerformance?.delta).toBeCloseTo(26 / 3 - 7, 12);
    expect(trust?.customerImportance).toBeNull(); // not answered in the earlier wave
    expect(trust?.sellerImportance).toBeNull();
    expect(result.criteria.get('l2')).toBeNull();

    // Each wave's own index: the plain mean of its criteria's performance means.
    const previousIndex = (7 + 2) / 2;
    const index = (26 / 3 + 5.5) / 2;
    expect(result.overall.previousDeliveryIndex).toBeCloseTo(previousIndex, 12);
    expect(result.overall.delta).toBeCloseTo(index - previousIndex, 12);
  });

  it('has no delivery index change when the earlier wave has no performance answers', () => {
    const result = compareWaves([criterion('l1', 'trust', [8])], [criterion('e1', 'trust', [])], {
      smallSampleThreshold: 1,
    });
    expect(result.overall).toEqual({ previousDeliveryIndex: null, delta: null });
    expect(result.criteria.get('l1')?.customerPerformance).toBeNull();
  });
});
