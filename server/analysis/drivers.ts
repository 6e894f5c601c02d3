// Derived importance (issue 12): what actually moves overall satisfaction, as opposed to what customers say
// is important. Pure functions over the running totals of `criterion_totals`; no I/O.

/**
 * Running totals of the customers who gave both a delivery (performance) score x on one criterion and an
 * overall satisfaction score y: count, Σx, Σy, Σx², Σy², Σxy.
 */
export interface CrossProductTotals {
  n: number;
  sumX: number;
  sumY: number;
  sumXX: number;
  sumYY: number;
  sumXY: number;
}

/** Why there is no correlation: too few pairs, or one side without spread (every answer the same). */
export type NoCorrelationReason = 'too_few' | 'no_spread_delivery' | 'no_spread_satisfaction';

export type Correlation = { r: number; n: number } | { r: null; n: number; reason: NoCorrelationReason };

/** A correlation needs at least this many pairs: with two, r is always ±1 and says nothing. */
export const MIN_CORRELATION_PAIRS = 3;

/**
 * Pearson's r from the running totals:
 * r = (nΣxy − ΣxΣy) / √((nΣx² − (Σx)²)(nΣy² − (Σy)²)).
 *
 * Each factor is n² times a (population) variance or covariance; for integer scores they are integers and
 * exact, unlike Σx² − n·x̄². Null, with the reason, when n < 3 or either side has no spread — never NaN or
 * Infinity. Rounding beyond ±1 (non-integer inputs) is clamped.
 */
export function pearsonFromTotals(totals: CrossProductTotals): Correlation {
  const { n, sumX, sumY, sumXX, sumYY, sumXY } = totals;
  // pg returns bigint sums as strings; catch a caller that forgot to convert.
  if (
    !Number.isInteger(n) ||
    n < 0 ||
    ![sumX, sumY, sumXX, sumYY, sumXY].every((value) => typeof value === 'number' && Number.isFinite(value))
  ) {
    throw new TypeError(`Not cross-product totals: ${JSON.stringify(totals)}`);
  }
  if (n < MIN_CORRELATION_PAIRS) return { r: null, n, reason: 'too_few' };

  const spreadX = n * sumXX - sumX * sumX;
  const spreadY = n * sumYY - sumY * sumY;
  if (!(spreadX > 0)) return { r: null, n, reason: 'no_spread_delivery' };
  if (!(spreadY > 0)) return { r: null, n, reason: 'no_spread_satisfaction' };

  const covariance = n * sumXY - sumX * sumY;
  // One square root of the product: for integer scores the product is exact (or off by half an ulp), so a
  // perfect line gives exactly ±1, which two separate square roots would not.
  const r = covariance / Math.sqrt(spreadX * spreadY);
  if (!Number.isFinite(r)) return { r: null, n, reason: 'too_few' };
  return { r: Math.max(-1, Math.min(1, r)), n };
}

/** Totals of a set of (x, y) pairs; a pair with either side null ("don't know", not answered) is left out. */
export function crossProductTotalsOf(
  pairs: readonly (readonly [number | null, number | null])[],
): CrossProductTotals {
  const totals: CrossProductTotals = { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 };
  for (const [x, y] of pairs) {
    if (x === null || y === null) continue;
    totals.n += 1;
    totals.sumX += x;
    totals.sumY += y;
    totals.sumXX += x * x;
    totals.sumYY += y * y;
    totals.sumXY += x * y;
  }
  return totals;
}

/** r at or above this: the criterion moves overall satisfaction strongly (a "high" derived importance). */
export const DERIVED_IMPORTANCE_HIGH = 0.5;
/** r below this (including negative r): the criterion hardly moves overall satisfaction. */
export const DERIVED_IMPORTANCE_LOW = 0.3;

export type DerivedImportanceLevel = 'high' | 'moderate' | 'low';

// r is computed unrounded from totals; a value equal to a threshold in exact arithmetic may differ from it
// in the last bits of a double (as the crosshair comparisons in gap-report.ts allow for).
const EPSILON = 1e-9;

/** high: r ≥ 0.5; low: r < 0.3 (negative r included); moderate in between. */
export function derivedImportanceLevel(r: number): DerivedImportanceLevel {
  if (r >= DERIVED_IMPORTANCE_HIGH - EPSILON) return 'high';
  if (r < DERIVED_IMPORTANCE_LOW - EPSILON) return 'low';
  return 'moderate';
}

/**
 * Where stated and derived importance disagree:
 * - `stated_not_driving` — stated importance at or above the importance crosshair, but derived importance
 *   low (r < 0.3): customers call it important, yet it does not move their overall satisfaction;
 * - `hidden_driver` — stated importance below the crosshair, but derived importance high (r ≥ 0.5): it moves
 *   satisfaction more than customers say.
 * Null when they agree, or when either figure is missing (no stated mean, no crosshair, no r).
 */
export type ImportanceDisagreement = 'stated_not_driving' | 'hidden_driver';

export function importanceDisagreement(
  statedImportance: number | null,
  importanceCrosshair: number | null,
  derivedImportance: number | null,
): ImportanceDisagreement | null {
  if (statedImportance === null || importanceCrosshair === null || derivedImportance === null) return null;
  const level = derivedImportanceLevel(derivedImportance);
  const statedHigh = statedImportance >= importanceCrosshair - EPSILON;
  if (statedHigh && level === 'low') return 'stated_not_driving';
  if (!statedHigh && level === 'high') return 'hidden_driver';
  return null;
}
