// Internal consistency of a series (issue 12): Cronbach's α and α-if-item-deleted, from the running totals of
// `criterion_totals` and `account_totals`; no I/O.

export const RELIABILITY_SERIES = ['customerPerformance', 'customerImportance', 'sellerImportance'] as const;
export type ReliabilitySeries = (typeof RELIABILITY_SERIES)[number];

/**
 * Running totals over the n respondents who scored every one of the series' k criteria (listwise), T being
 * a respondent's total over those criteria: ΣT and ΣT² for the series, and per criterion j Σx_j, Σx_j² and
 * Σ(x_j·T), in the criteria's order.
 */
export interface ReliabilityTotals {
  k: number;
  n: number;
  total: { sum: number; sumSquares: number };
  items: readonly { sum: number; sumSquares: number; sumWithTotal: number }[];
}

/** Why there is no α: fewer than 3 respondents, fewer than 2 criteria, or every total the same. */
export type NoAlphaReason = 'too_few' | 'too_few_items' | 'no_spread';

export type Reliability =
  | {
      alpha: number;
      k: number;
      n: number;
      /** α of the other k − 1 criteria over the same n respondents, per criterion; null where undefined. */
      ifDeleted: (number | null)[];
    }
  | { alpha: null; k: number; n: number; reason: NoAlphaReason };

export const MIN_ALPHA_RESPONDENTS = 3;

/**
 * Cronbach's α = k/(k−1) · (1 − Σ var(x_j) / var(T)) with sample variances (n − 1).
 *
 * The variances are taken as n·Σx² − (Σx)², i.e. n(n−1) times the sample variance: the common factor
 * cancels in the ratio, and for integer scores every term stays an exact integer.
 *
 * α-if-item-deleted for criterion j is the same formula over the other k − 1 criteria and the same n
 * respondents, whose totals T_j = T − x_j have ΣT_j = ΣT − Σx_j and ΣT_j² = ΣT² − 2Σ(x_j·T) + Σx_j²;
 * null when k − 1 < 2 or the T_j do not vary. Never NaN or Infinity.
 */
export function cronbachAlpha(totals: ReliabilityTotals): Reliability {
  const { k, n, total, items } = totals;
  assertTotals(totals);
  if (n < MIN_ALPHA_RESPONDENTS) return { alpha: null, k, n, reason: 'too_few' };
  if (k < 2) return { alpha: null, k, n, reason: 'too_few_items' };

  const itemSpreads = items.map((item) => spreadOf(n, item.sum, item.sumSquares));
  const sumOfItemSpreads = itemSpreads.reduce((sum, spread) => sum + spread, 0);
  const alpha = alphaOf(k, sumOfItemSpreads, spreadOf(n, total.sum, total.sumSquares));
  if (alpha === null) return { alpha: null, k, n, reason: 'no_spread' };

  const ifDeleted = items.map((item, j) => {
    if (k - 1 < 2) return null;
    const restSum = total.sum - item.sum;
    const restSumSquares = total.sumSquares - 2 * item.sumWithTotal + item.sumSquares;
    return alphaOf(
      k - 1,
      sumOfItemSpreads - (itemSpreads[j] as number),
      spreadOf(n, restSum, restSumSquares),
    );
  });
  return { alpha, k, n, ifDeleted };
}

/** n·Σx² − (Σx)²: n(n − 1) times the sample variance. */
function spreadOf(n: number, sum: number, sumSquares: number): number {
  return Math.max(0, n * sumSquares - sum * sum);
}

function alphaOf(k: number, sumOfItemSpreads: number, totalSpread: number): number | null {
  if (!(totalSpread > 0)) return null;
  const alpha = (k / (k - 1)) * (1 - sumOfItemSpreads / totalSpread);
  return Number.isFinite(alpha) ? alpha : null;
}

function assertTotals(totals: ReliabilityTotals): void {
  const { k, n, total, items } = totals;
  // pg returns bigint sums as strings; catch a caller that forgot to convert.
  const finite = (value: unknown) => typeof value === 'number' && Number.isFinite(value);
  if (
    !Number.isInteger(k) ||
    k < 0 ||
    !Number.isInteger(n) ||
    n < 0 ||
    items.length !== k ||
    !finite(total.sum) ||
    !finite(total.sumSquares) ||
    !items.every((item) => finite(item.sum) && finite(item.sumSquares) && finite(item.sumWithTotal))
  ) {
    throw new TypeError(`Not reliability totals: ${JSON.stringify(totals)}`);
  }
}

/**
 * The running totals of the respondents who scored every criterion (null = "don't know" or not answered:
 * that respondent is left out of the whole series, listwise). One row per respondent, one score per
 * criterion in the series' order.
 */
export function reliabilityTotalsOf(
  k: number,
  rows: readonly (readonly (number | null)[])[],
): ReliabilityTotals {
  const items = Array.from({ length: k }, () => ({ sum: 0, sumSquares: 0, sumWithTotal: 0 }));
  const total = { sum: 0, sumSquares: 0 };
  let n = 0;
  for (const row of rows) {
    if (row.length !== k) throw new RangeError(`Expected ${k} scores, got ${row.length}`);
    if (row.some((score) => score === null)) continue;
    const scores = row as readonly number[];
    const sum = scores.reduce((a, b) => a + b, 0);
    n += 1;
    total.sum += sum;
    total.sumSquares += sum * sum;
    scores.forEach((score, j) => {
      const item = items[j] as (typeof items)[number];
      item.sum += score;
      item.sumSquares += score * score;
      item.sumWithTotal += score * sum;
    });
  }
  return { k, n, total, items };
}

/** α at or above this: acceptable internal consistency (the usual reading). */
export const ALPHA_ACCEPTABLE = 0.7;
/** α at or above this: excellent — or criteria so alike that some may be redundant. */
export const ALPHA_EXCELLENT = 0.9;

export type AlphaReading = 'excellent' | 'acceptable' | 'questionable' | 'inconsistent';

// α is computed unrounded; a value equal to a threshold in exact arithmetic may differ in the last bits.
const EPSILON = 1e-9;

/**
 * The usual reading of α: ≥ 0.9 excellent (possibly redundant criteria), ≥ 0.7 acceptable, 0 to 0.7
 * questionable, below 0 inconsistent (the criteria do not measure one thing; often few respondents).
 */
export function alphaReading(alpha: number): AlphaReading {
  if (alpha >= ALPHA_EXCELLENT - EPSILON) return 'excellent';
  if (alpha >= ALPHA_ACCEPTABLE - EPSILON) return 'acceptable';
  if (alpha >= 0) return 'questionable';
  return 'inconsistent';
}
