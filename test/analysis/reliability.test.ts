import { describe, expect, it } from 'vitest';
import {
  alphaReading,
  cronbachAlpha,
  type ReliabilityTotals,
  reliabilityTotalsOf,
} from '../../server/analysis/reliability.js';
import { varianceOf } from '../helpers/welch.js';

type Row = (number | null)[];

// Ten respondents × five criteria of one series; null is "don't know". Three respondents have a "don't know"
// and drop out of the whole series (listwise), and the fourth criterion is one every complete respondent
// scored 8 (no variance of its own).
const rows: Row[] = [
  [9, 8, 7, 8, 9],
  [6, 5, 7, 8, 5],
  [8, null, 9, 8, 7],
  [4, 5, 3, 8, 6],
  [10, 9, 9, 8, 10],
  [7, 7, 5, 8, 8],
  [5, 6, 6, null, 4],
  [3, 4, 2, 8, 5],
  [8, 9, 8, 8, null],
  [9, 7, 8, 8, 6],
];

// The textbook two-pass sample variance Σ(x − x̄)² / (n − 1), shared with the Welch tests.
const variance = varianceOf;

/** The textbook α over the complete rows: k/(k−1) · (1 − Σ var(item) / var(total)). */
function textbookAlpha(data: readonly Row[]): { alpha: number; n: number; k: number } {
  const complete = data.filter((row) => row.every((score) => score !== null)) as number[][];
  const k = (complete[0] as number[]).length;
  const itemVariances = Array.from({ length: k }, (_, j) =>
    variance(complete.map((row) => row[j] as number)),
  );
  const totalVariance = variance(complete.map((row) => row.reduce((a, b) => a + b, 0)));
  const alpha = (k / (k - 1)) * (1 - itemVariances.reduce((a, b) => a + b, 0) / totalVariance);
  return { alpha, n: complete.length, k };
}

/** What the series totals (criterion_totals, account_totals) hold for the series, summed here by hand from the complete rows. */
function totalsOf(data: readonly Row[], k: number): ReliabilityTotals {
  const complete = data.filter((row) => row.every((score) => score !== null)) as number[][];
  const items = Array.from({ length: k }, (_, j) => {
    let sum = 0;
    let sumSquares = 0;
    let sumWithTotal = 0;
    for (const row of complete) {
      const x = row[j] as number;
      const total = row.reduce((a, b) => a + b, 0);
      sum += x;
      sumSquares += x * x;
      sumWithTotal += x * total;
    }
    return { sum, sumSquares, sumWithTotal };
  });
  const totals = complete.map((row) => row.reduce((a, b) => a + b, 0));
  return {
    k,
    n: complete.length,
    total: { sum: totals.reduce((a, b) => a + b, 0), sumSquares: totals.reduce((a, t) => a + t * t, 0) },
    items,
  };
}

const withoutColumn = (data: readonly Row[], j: number): Row[] =>
  data.map((row) => row.filter((_, column) => column !== j));

function expectFiniteJson(value: unknown) {
  const json = JSON.stringify(value);
  expect(json).not.toMatch(/NaN|Infinity/);
  JSON.parse(json, (_key, item) => {
    if (typeof item === 'number') expect(Number.isFinite(item)).toBe(true);
    return item;
  });
}

describe('cronbachAlpha', () => {
  it('equals the textbook α over the respondents who scored every criterion (listwise)', () => {
    const expected = textbookAlpha(rows);
    const result = cronbachAlpha(totalsOf(rows, 5));
    expect(expected.n).toBe(7);
    expect(result.n).toBe(7);
    expect(result.k).toBe(5);
    expect(result.alpha).not.toBeNull();
    expect(result.alpha as number).toBeCloseTo(expected.alpha, 9);
  });

  it('gives α-if-item-deleted equal to the textbook α of the other criteria over the same respondents', () => {
    const result = cronbachAlpha(totalsOf(rows, 5));
    if (result.alpha === null) throw new Error('expected an α');
    // Deleting a criterion does not bring back a respondent who said "don't know" on it: same n.
    const complete = rows.filter((row) => row.every((score) => score !== null));
    expect(result.ifDeleted).toHaveLength(5);
    result.ifDeleted.forEach((value, j) => {
      const expected = textbookAlpha(withoutColumn(complete, j));
      expect(value, `criterion ${j}`).not.toBeNull();
      expect(value as number, `criterion ${j}`).toBeCloseTo(expected.alpha, 9);
    });
  });

  it('sanity: two identical criteria have α = 1', () => {
    const result = cronbachAlpha(
      totalsOf(
        [
          [1, 1],
          [5, 5],
          [9, 9],
        ],
        2,
      ),
    );
    expect(result.alpha as number).toBeCloseTo(1, 12);
    // With two criteria, deleting one leaves one: no α.
    expect(result).toMatchObject({ ifDeleted: [null, null] });
  });

  it('is negative when the criteria pull against each other', () => {
    const data: Row[] = [
      [2, 9, 5],
      [9, 3, 6],
      [4, 8, 7],
      [8, 2, 4],
    ];
    const result = cronbachAlpha(totalsOf(data, 3));
    expect(result.alpha as number).toBeLessThan(0);
    expect(result.alpha as number).toBeCloseTo(textbookAlpha(data).alpha, 9);
  });

  it('has no α for one respondent, or two (too_few), and one at exactly three', () => {
    expect(cronbachAlpha(totalsOf([[8, 7, 9]], 3))).toEqual({ alpha: null, k: 3, n: 1, reason: 'too_few' });
    expect(
      cronbachAlpha(
        totalsOf(
          [
            [8, 7, 9],
            [5, 6, 4],
          ],
          3,
        ),
      ),
    ).toMatchObject({ alpha: null, n: 2, reason: 'too_few' });
    const three: Row[] = [
      [8, 7, 9],
      [5, 6, 4],
      [7, 7, 8],
    ];
    expect(cronbachAlpha(totalsOf(three, 3)).alpha as number).toBeCloseTo(textbookAlpha(three).alpha, 9);
  });

  it('counts only complete respondents toward n: four answered, two completely → too_few', () => {
    const data: Row[] = [
      [8, 7],
      [5, null],
      [null, 6],
      [9, 9],
    ];
    expect(cronbachAlpha(totalsOf(data, 2))).toEqual({ alpha: null, k: 2, n: 2, reason: 'too_few' });
  });

  it('has no α for a single criterion (too_few_items) or none', () => {
    expect(cronbachAlpha(totalsOf([[8], [5], [9]], 1))).toEqual({
      alpha: null,
      k: 1,
      n: 3,
      reason: 'too_few_items',
    });
    expect(cronbachAlpha({ k: 0, n: 3, total: { sum: 0, sumSquares: 0 }, items: [] })).toMatchObject({
      alpha: null,
      reason: 'too_few_items',
    });
  });

  it("has no α when every respondent's total is the same (no_spread), even if the items vary", () => {
    const mirrored: Row[] = [
      [2, 8],
      [5, 5],
      [9, 1],
    ];
    expect(cronbachAlpha(totalsOf(mirrored, 2))).toEqual({ alpha: null, k: 2, n: 3, reason: 'no_spread' });
    const allSame: Row[] = [
      [7, 7, 7],
      [7, 7, 7],
      [7, 7, 7],
    ];
    expect(cronbachAlpha(totalsOf(allSame, 3))).toMatchObject({ alpha: null, reason: 'no_spread' });
  });

  it('has no α-if-deleted for a criterion whose removal leaves totals without spread', () => {
    // Only the first criterion varies: without it the rest is constant.
    const data: Row[] = [
      [3, 6, 8],
      [7, 6, 8],
      [9, 6, 8],
    ];
    const result = cronbachAlpha(totalsOf(data, 3));
    if (result.alpha === null) throw new Error('expected an α');
    expect(result.alpha).toBeCloseTo(textbookAlpha(data).alpha, 9);
    expect(result.ifDeleted[0]).toBeNull();
    expect(result.ifDeleted[1] as number).toBeCloseTo(textbookAlpha(withoutColumn(data, 1)).alpha, 9);
    expect(result.ifDeleted[2] as number).toBeCloseTo(textbookAlpha(withoutColumn(data, 2)).alpha, 9);
  });

  it('never returns NaN or Infinity', () => {
    const cases: ReliabilityTotals[] = [
      totalsOf(rows, 5),
      totalsOf(
        [
          [7, 7, 7],
          [7, 7, 7],
          [7, 7, 7],
        ],
        3,
      ),
      totalsOf(
        [
          [3, 6, 8],
          [7, 6, 8],
          [9, 6, 8],
        ],
        3,
      ),
      {
        k: 2,
        n: 0,
        total: { sum: 0, sumSquares: 0 },
        items: [
          { sum: 0, sumSquares: 0, sumWithTotal: 0 },
          { sum: 0, sumSquares: 0, sumWithTotal: 0 },
        ],
      },
    ];
    for (const totals of cases) expectFiniteJson(cronbachAlpha(totals));
  });

  it('rejects totals that are not numbers, or items that do not match k', () => {
    const totals = totalsOf(rows, 5);
    expect(() =>
      cronbachAlpha({ ...totals, total: { sum: '300', sumSquares: 1 } } as unknown as ReliabilityTotals),
    ).toThrow(TypeError);
    expect(() => cronbachAlpha({ ...totals, k: 4 })).toThrow(TypeError);
  });
});

describe('reliabilityTotalsOf', () => {
  it('sums the complete rows as the totals table does', () => {
    expect(reliabilityTotalsOf(5, rows)).toEqual(totalsOf(rows, 5));
  });

  it('refuses a row of the wrong length', () => {
    expect(() => reliabilityTotalsOf(3, [[1, 2]])).toThrow(RangeError);
  });
});

describe('alphaReading', () => {
  it('reads ≥ 0.9 excellent, ≥ 0.7 acceptable, 0–0.7 questionable, below 0 inconsistent', () => {
    expect(alphaReading(0.95)).toBe('excellent');
    expect(alphaReading(0.9)).toBe('excellent');
    expect(alphaReading(0.8999)).toBe('acceptable');
    expect(alphaReading(0.7)).toBe('acceptable');
    expect(alphaReading(0.6999)).toBe('questionable');
    expect(alphaReading(0)).toBe('questionable');
    expect(alphaReading(-0.01)).toBe('inconsistent');
  });

  it('treats a value a rounding error below a threshold as at it', () => {
    expect(alphaReading(0.7 - 1e-12)).toBe('acceptable');
  });
});
