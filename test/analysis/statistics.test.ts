import { describe, expect, it } from 'vitest';
import {
  type Aggregate,
  aggregateOf,
  responseRate,
  statFromAggregate,
  tCritical95,
} from '../../server/analysis/statistics.js';

// Published Student t 0.975 quantiles; df = 2 has the closed form 0.95 / √(2 · 0.975 · 0.025).
const T_975 = { 1: 12.706204736174703, 2: 4.302652729911275, 7: 2.364624251592785 };

function statOf(scores: (number | null)[]) {
  return statFromAggregate(aggregateOf(scores));
}

describe('tCritical95', () => {
  it('returns the two-sided 95 % critical value of Student t', () => {
    expect(tCritical95(1)).toBeCloseTo(12.706204736, 9);
    expect(tCritical95(3)).toBeCloseTo(3.182446305, 9);
    expect(tCritical95(30)).toBeCloseTo(2.042272456, 9);
  });

  it('matches the closed form for 2 degrees of freedom', () => {
    expect(tCritical95(2)).toBeCloseTo(0.95 / Math.sqrt(2 * 0.975 * 0.025), 9);
  });

  it('rejects degrees of freedom that are not positive', () => {
    expect(() => tCritical95(0)).toThrow(RangeError);
    expect(() => tCritical95(Number.NaN)).toThrow(RangeError);
  });
});

describe('aggregateOf', () => {
  it('returns the count, sum and sum of squares SQL would return', () => {
    expect(aggregateOf([7, 8, 9])).toEqual({ n: 3, sum: 24, sumSquares: 49 + 64 + 81 });
  });

  it('leaves "don\'t know" (null) out instead of counting it as 0', () => {
    expect(aggregateOf([7, null, 9, null])).toEqual({ n: 2, sum: 16, sumSquares: 130 });
  });

  it('is empty for no answers and for only "don\'t know" answers', () => {
    expect(aggregateOf([])).toEqual({ n: 0, sum: 0, sumSquares: 0 });
    expect(aggregateOf([null, null])).toEqual({ n: 0, sum: 0, sumSquares: 0 });
  });
});

describe('statFromAggregate', () => {
  it('gives mean, sample sd and a t-based 95 % interval', () => {
    // [7, 8, 9]: mean 8; squared deviations 1 + 0 + 1 = 2, / (n − 1) = 1 → sd 1;
    // half-width t(0.975, 2) · 1 / √3 = 4.302652729911275 / 1.7320508075688772 ≈ 2.4841377
    const stat = statOf([7, 8, 9]);
    const halfWidth = T_975[2] / Math.sqrt(3);
    expect(stat.n).toBe(3);
    expect(stat.mean).toBe(8);
    expect(stat.sd).toBe(1);
    expect(stat.ci95?.[0]).toBeCloseTo(8 - halfWidth, 9);
    expect(stat.ci95?.[1]).toBeCloseTo(8 + halfWidth, 9);
    expect(stat.ci95?.[0]).toBeCloseTo(5.5158623, 6);
  });

  it('divides by n − 1, not n', () => {
    // [2, 4, 4, 4, 5, 5, 7, 9]: mean 5; squared deviations 9+1+1+1+0+0+4+16 = 32;
    // sample sd √(32 / 7) ≈ 2.1380899 (the population sd would be exactly 2);
    // half-width t(0.975, 7) · sd / √8 ≈ 2.3646243 · 2.1380899 / 2.8284271 ≈ 1.7874879
    const stat = statOf([2, 4, 4, 4, 5, 5, 7, 9]);
    const sd = Math.sqrt(32 / 7);
    const halfWidth = (T_975[7] * sd) / Math.sqrt(8);
    expect(stat.mean).toBe(5);
    expect(stat.sd).toBeCloseTo(sd, 12);
    expect(stat.sd).toBeCloseTo(2.1380899, 7);
    expect(stat.ci95?.[0]).toBeCloseTo(5 - halfWidth, 9);
    expect(stat.ci95?.[1]).toBeCloseTo(5 + halfWidth, 9);
    expect(halfWidth).toBeCloseTo(1.7874879, 6);
  });

  it('has no mean, sd or interval when nobody answered', () => {
    expect(statOf([])).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  });

  it('has a mean but no sd or interval for a single answer', () => {
    expect(statOf([6])).toEqual({ n: 1, mean: 6, sd: null, ci95: null });
  });

  it('computes over the scores only when some answers are "don\'t know"', () => {
    // [7, 9]: mean 8, sd √2; half-width t(0.975, 1) · √2 / √2 = 12.7062047 — two answers say little
    const stat = statOf([7, null, 9, null]);
    expect(stat.n).toBe(2);
    expect(stat.mean).toBe(8);
    expect(stat.sd).toBeCloseTo(Math.SQRT2, 12);
    expect(stat.ci95?.[0]).toBeCloseTo(8 - T_975[1], 8);
    expect(stat.ci95?.[1]).toBeCloseTo(8 + T_975[1], 8);
  });

  it('treats an aggregate of only "don\'t know" answers as no answers', () => {
    expect(statOf([null, null, null])).toEqual({ n: 0, mean: null, sd: null, ci95: null });
  });

  it('gives sd 0 and an interval collapsed onto the mean when all scores are equal', () => {
    expect(statOf([9, 9, 9, 9])).toEqual({ n: 4, mean: 9, sd: 0, ci95: [9, 9] });
  });

  it('clamps a variance that rounding made slightly negative to 0', () => {
    // Five scores of 2.3 summed in floating point: n·Σx² − (Σx)² ≈ −2.8e-14 instead of 0.
    const aggregate: Aggregate = { n: 5, sum: 11.5, sumSquares: 26.449999999999996 };
    expect(5 * aggregate.sumSquares - aggregate.sum ** 2).toBeLessThan(0);
    const stat = statFromAggregate(aggregate);
    expect(stat.sd).toBe(0);
    expect(stat.ci95).toEqual([2.3, 2.3]);
  });

  it('refuses an aggregate whose count is not a number, as pg returns count() as a string', () => {
    const fromPg = { n: '4', sum: 37, sumSquares: 343 } as unknown as Aggregate;
    expect(() => statFromAggregate(fromPg)).toThrow(TypeError);
  });
});

describe('responseRate', () => {
  it('divides submitted responses by invitations', () => {
    expect(responseRate(13, 4)).toEqual({ invited: 13, responded: 4, rate: 4 / 13 });
    expect(responseRate(13, 4).rate).toBeCloseTo(0.3077, 4);
  });

  it('has no rate when nobody was invited', () => {
    expect(responseRate(0, 0)).toEqual({ invited: 0, responded: 0, rate: null });
  });
});
