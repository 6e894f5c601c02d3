import { describe, expect, it } from 'vitest';
import {
  type ComparableCriterion,
  compareWaves,
  matchCriterion,
  seriesChange,
  welchTest,
} from '../../server/analysis/comparison.js';
import { aggregateOf } from '../../server/analysis/statistics.js';

// An implementation of Welch's test of the test's own, from the raw scores with the textbook formulas
// (two-pass variance; p from the regularised incomplete beta function by its continued fraction, Numerical
// Recipes §6.4), so that the module is checked against something it does not share any code with.

function meanOf(xs: readonly number[]) {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

function varianceOf(xs: readonly number[]) {
  const m = meanOf(xs);
  return xs.reduce((total, x) => total + (x - m) ** 2, 0) / (xs.length - 1);
}

function logGamma(x: number): number {
  // Lanczos, g = 7, n = 9.
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
    12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = c[0] as number;
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += (c[i] as number) / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

function betaContinuedFraction(a: number, b: number, x: number): number {
  const tiny = 1e-300;
  let c = 1;
  let d = 1 - ((a + b) * x) / (a + 1);
  if (Math.abs(d) < tiny) d = tiny;
  d = 1 / d;
  let h = d;
  for (let m = 1; m <= 300; m++) {
    const m2 = 2 * m;
    let aa = (m * (b - m) * x) / ((a + m2 - 1) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    h *= d * c;
    aa = (-(a + m) * (a + b + m) * x) / ((a + m2) * (a + m2 + 1));
    d = 1 + aa * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = 1 + aa / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-15) break;
  }
  return h;
}

function regularizedBeta(x: number, a: number, b: number): number {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const front = Math.exp(logGamma(a + b) - logGamma(a) - logGamma(b) + a * Math.log(x) + b * Math.log(1 - x));
  return x < (a + 1) / (a + b + 2)
    ? (front * betaContinuedFraction(a, b, x)) / a
    : 1 - (front * betaContinuedFraction(b, a, 1 - x)) / b;
}

/** Welch's test of `later` − `earlier` from raw scores: t, df and the two-sided p. */
function textbookWelch(earlier: readonly number[], later: readonly number[]) {
  const v1 = varianceOf(earlier) / earlier.length;
  const v2 = varianceOf(later) / later.length;
  const t = (meanOf(later) - meanOf(earlier)) / Math.sqrt(v1 + v2);
  const df = (v1 + v2) ** 2 / (v1 ** 2 / (earlier.length - 1) + v2 ** 2 / (later.length - 1));
  // P(|T| > |t|) = I_{df/(df+t²)}(df/2, 1/2).
  const p = regularizedBeta(df / (df + t * t), df / 2, 0.5);
  return { t, df, p };
}

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
