import { describe, expect, it } from 'vitest';
import {
  type CrossProductTotals,
  crossProductTotalsOf,
  derivedImportanceLevel,
  importanceDisagreement,
  pearsonFromTotals,
} from '../../server/analysis/drivers.js';

// Nine customers' delivery scores on four criteria and their overall satisfaction; null is "don't know".
// Unequal n (don't knows on either side drop a pair), one criterion every customer scored the same, and a
// customer who answered every criterion but "don't know" overall.
const overall = [9, 7, 8, null, 4, 10, 6, 8, 5];
const delivery: Record<string, (number | null)[]> = {
  availability: [9, 6, 8, 7, 3, 10, 5, null, 5],
  advice: [7, 8, null, 9, 5, 9, 7, 6, null],
  trust: [8, 8, 8, 8, 8, 8, 8, 8, 8],
  knowledge: [4, 9, 6, 2, 7, null, 3, 10, 6],
};

/** The textbook Pearson r: means of the complete pairs, then Σ(dx·dy) / √(Σdx² · Σdy²). */
function textbookPearson(xs: readonly (number | null)[], ys: readonly (number | null)[]) {
  const pairs: [number, number][] = [];
  xs.forEach((x, i) => {
    const y = ys[i];
    if (x !== null && y !== null && y !== undefined) pairs.push([x, y]);
  });
  const meanX = pairs.reduce((sum, [x]) => sum + x, 0) / pairs.length;
  const meanY = pairs.reduce((sum, [, y]) => sum + y, 0) / pairs.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (const [x, y] of pairs) {
    sxy += (x - meanX) * (y - meanY);
    sxx += (x - meanX) ** 2;
    syy += (y - meanY) ** 2;
  }
  return { n: pairs.length, r: sxy / Math.sqrt(sxx * syy) };
}

/** What the driver totals (criterion_totals) hold for one criterion, summed here by hand from the raw answers. */
function totalsOf(xs: readonly (number | null)[], ys: readonly (number | null)[]): CrossProductTotals {
  const totals = { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    const y = ys[i];
    if (x === null || x === undefined || y === null || y === undefined) continue;
    totals.n += 1;
    totals.sumX += x;
    totals.sumY += y;
    totals.sumXX += x * x;
    totals.sumYY += y * y;
    totals.sumXY += x * y;
  }
  return totals;
}

function expectFiniteJson(value: unknown) {
  const json = JSON.stringify(value);
  expect(json).not.toMatch(/NaN|Infinity/);
  JSON.parse(json, (_key, item) => {
    if (typeof item === 'number') expect(Number.isFinite(item)).toBe(true);
    return item;
  });
}

describe('pearsonFromTotals', () => {
  it('equals the textbook r over the customers who gave both, for every criterion with spread', () => {
    for (const name of ['availability', 'advice', 'knowledge']) {
      const scores = delivery[name] as (number | null)[];
      const expected = textbookPearson(scores, overall);
      const result = pearsonFromTotals(totalsOf(scores, overall));
      expect(result.n, name).toBe(expected.n);
      expect(result.r, name).not.toBeNull();
      expect(result.r as number, name).toBeCloseTo(expected.r, 9);
    }
  });

  it("counts each criterion's own pairs: unequal n from a don't know on either side", () => {
    expect(pearsonFromTotals(totalsOf(delivery.availability as (number | null)[], overall)).n).toBe(7);
    expect(pearsonFromTotals(totalsOf(delivery.advice as (number | null)[], overall)).n).toBe(6);
    expect(pearsonFromTotals(totalsOf(delivery.knowledge as (number | null)[], overall)).n).toBe(7);
  });

  it('sanity: a perfect line is r = 1, a falling one r = −1', () => {
    expect(pearsonFromTotals(totalsOf([1, 2, 3, 4], [2, 4, 6, 8]))).toEqual({ r: 1, n: 4 });
    expect(pearsonFromTotals(totalsOf([1, 2, 3, 4], [8, 6, 4, 2]))).toEqual({ r: -1, n: 4 });
  });

  it('is null with no_spread_delivery for a criterion every customer scored the same', () => {
    const result = pearsonFromTotals(totalsOf(delivery.trust as (number | null)[], overall));
    expect(result).toEqual({ r: null, n: 8, reason: 'no_spread_delivery' });
  });

  it('is null with no_spread_satisfaction when every customer gives the same overall score', () => {
    const sameOverall = overall.map((score) => (score === null ? null : 7));
    const result = pearsonFromTotals(totalsOf(delivery.availability as (number | null)[], sameOverall));
    expect(result).toEqual({ r: null, n: 7, reason: 'no_spread_satisfaction' });
  });

  it('is null with too_few below 3 pairs, and r at exactly 3', () => {
    expect(pearsonFromTotals(totalsOf([], []))).toEqual({ r: null, n: 0, reason: 'too_few' });
    expect(pearsonFromTotals(totalsOf([5], [6]))).toEqual({ r: null, n: 1, reason: 'too_few' });
    expect(pearsonFromTotals(totalsOf([5, 7, null], [6, 9, 4]))).toEqual({
      r: null,
      n: 2,
      reason: 'too_few',
    });
    const three = pearsonFromTotals(totalsOf([5, 7, 6], [6, 9, 9]));
    expect(three.n).toBe(3);
    expect(three.r as number).toBeCloseTo(textbookPearson([5, 7, 6], [6, 9, 9]).r, 9);
  });

  it('never returns NaN or Infinity, and stays within ±1', () => {
    const cases = [
      totalsOf([], []),
      totalsOf([3, 3, 3], [3, 3, 3]),
      totalsOf([1, 10, 1, 10], [10, 1, 10, 1]),
      totalsOf(delivery.knowledge as (number | null)[], overall),
      // Non-integer totals whose exact r is 1 but whose arithmetic rounds past it.
      { n: 3, sumX: 0.3, sumY: 0.3, sumXX: 0.05, sumYY: 0.05, sumXY: 0.05 },
    ];
    for (const totals of cases) {
      const result = pearsonFromTotals(totals);
      expectFiniteJson(result);
      if (result.r !== null) expect(Math.abs(result.r)).toBeLessThanOrEqual(1);
    }
  });

  it('rejects totals that are not numbers (pg returns bigint sums as strings)', () => {
    const totals = {
      n: 3,
      sumX: '9',
      sumY: 9,
      sumXX: 29,
      sumYY: 29,
      sumXY: 29,
    } as unknown as CrossProductTotals;
    expect(() => pearsonFromTotals(totals)).toThrow(TypeError);
    expect(() => pearsonFromTotals({ ...totalsOf([1, 2, 3], [1, 2, 3]), n: 2.5 })).toThrow(TypeError);
  });
});

describe('crossProductTotalsOf', () => {
  it('sums the complete pairs as the totals table does', () => {
    const xs = delivery.advice as (number | null)[];
    expect(crossProductTotalsOf(xs.map((x, i) => [x, overall[i] ?? null] as const))).toEqual(
      totalsOf(xs, overall),
    );
  });
});

describe('derivedImportanceLevel', () => {
  it('reads r ≥ 0.5 as high, r < 0.3 as low (negative included), between as moderate', () => {
    expect(derivedImportanceLevel(0.5)).toBe('high');
    expect(derivedImportanceLevel(0.95)).toBe('high');
    expect(derivedImportanceLevel(0.4999)).toBe('moderate');
    expect(derivedImportanceLevel(0.3)).toBe('moderate');
    expect(derivedImportanceLevel(0.2999)).toBe('low');
    expect(derivedImportanceLevel(-0.8)).toBe('low');
  });

  it('treats a value a rounding error below a threshold as at it', () => {
    expect(derivedImportanceLevel(0.5 - 1e-12)).toBe('high');
    expect(derivedImportanceLevel(0.3 - 1e-12)).toBe('moderate');
  });
});

describe('importanceDisagreement', () => {
  const crosshair = 8.5;

  it('flags stated important (at or above the crosshair) but low r as not driving satisfaction', () => {
    expect(importanceDisagreement(9.2, crosshair, 0.1)).toBe('stated_not_driving');
    expect(importanceDisagreement(8.5, crosshair, 0.2999)).toBe('stated_not_driving');
    expect(importanceDisagreement(8.5, crosshair, -0.4)).toBe('stated_not_driving');
  });

  it('flags stated below the crosshair but high r as a hidden driver', () => {
    expect(importanceDisagreement(7.9, crosshair, 0.5)).toBe('hidden_driver');
    expect(importanceDisagreement(8.4999, crosshair, 0.8)).toBe('hidden_driver');
  });

  it('is null where they agree or in the middle band', () => {
    expect(importanceDisagreement(9.2, crosshair, 0.7)).toBeNull();
    expect(importanceDisagreement(7.9, crosshair, 0.1)).toBeNull();
    expect(importanceDisagreement(9.2, crosshair, 0.3)).toBeNull();
    expect(importanceDisagreement(7.9, crosshair, 0.4999)).toBeNull();
  });

  it('is null when a figure is missing', () => {
    expect(importanceDisagreement(null, crosshair, 0.1)).toBeNull();
    expect(importanceDisagreement(9.2, null, 0.1)).toBeNull();
    expect(importanceDisagreement(9.2, crosshair, null)).toBeNull();
  });
});
