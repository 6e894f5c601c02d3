import tCdf from '@stdlib/stats-base-dists-t-cdf';
import { buildGapReport, type CriterionAggregates, type Series } from './gap-report.js';
import type { Aggregate } from './statistics.js';

/** Welch's two-sample t-test of the later wave against the earlier; every field null when it cannot be run. */
export interface WelchTest {
  t: number | null;
  /** Welch–Satterthwaite degrees of freedom (not an integer in general). */
  df: number | null;
  /** Two-sided p-value. */
  p: number | null;
}

const NO_TEST: WelchTest = { t: null, df: null, p: null };

/**
 * Welch's t-test (unequal variances) from the running totals of two samples, `later` minus `earlier`:
 * t = (x̄₂ − x̄₁) / √(s₁²/n₁ + s₂²/n₂), df by Welch–Satterthwaite, p two-sided from Student's t.
 *
 * Edge cases, so that no NaN or Infinity ever leaves this function:
 * - either side has n < 2: no sample variance, so no test (all null);
 * - both sides without spread (every answer equal on each side): equal means are no difference at all
 *   (t = 0, p = 1, df null); different means cannot be weighed against a spread of 0 (all null: the test
 *   is undefined, and calling such a change "certain" from a handful of identical answers would overstate
 *   it);
 * - one side without spread: fine, the other side's variance carries the test (df = its n − 1).
 */
export function welchTest(earlier: Aggregate, later: Aggregate): WelchTest {
  if (earlier.n < 2 || later.n < 2) return NO_TEST;
  const mean1 = earlier.sum / earlier.n;
  const mean2 = later.sum / later.n;
  const share1 = sampleVariance(earlier) / earlier.n;
  const share2 = sampleVariance(later) / later.n;
  const squaredError = share1 + share2;
  if (squaredError === 0) return mean1 === mean2 ? { t: 0, df: null, p: 1 } : NO_TEST;

  const t = (mean2 - mean1) / Math.sqrt(squaredError);
  const df = (squaredError * squaredError) / (share1 ** 2 / (earlier.n - 1) + share2 ** 2 / (later.n - 1));
  // 2·F(−|t|) rather than 2·(1 − F(|t|)): the far tail keeps its digits instead of cancelling to 0.
  const p = Math.min(1, 2 * tCdf(-Math.abs(t), df));
  if (!Number.isFinite(t) || !Number.isFinite(df) || !Number.isFinite(p)) return NO_TEST;
  return { t, df, p };
}

/** The sample variance (n − 1) in the n·Σx² − (Σx)² form statFromAggregate uses: exact for integer scores. */
function sampleVariance({ n, sum, sumSquares }: Aggregate): number {
  return Math.max(0, (n * sumSquares - sum * sum) / (n * (n - 1)));
}

/** How one series of one criterion moved between two waves. */
export interface SeriesChange {
  previousN: number;
  previousMean: number;
  n: number;
  mean: number;
  /** mean − previousMean: positive = higher now. */
  delta: number;
  t: number | null;
  df: number | null;
  p: number | null;
  /** p < 0.05; false when there is no p. */
  significant: boolean;
  /**
   * Either wave has fewer answers than the organisation's small-sample threshold: the change is shown
   * with "too few answers" instead of an arrow, whatever p says.
   */
  fewAnswers: boolean;
}

export const SIGNIFICANCE_LEVEL = 0.05;

/** Null when either wave has no answer in the series (no mean to compare). */
export function seriesChange(
  earlier: Aggregate,
  later: Aggregate,
  options: { smallSampleThreshold: number },
): SeriesChange | null {
  if (earlier.n === 0 || later.n === 0) return null;
  const previousMean = earlier.sum / earlier.n;
  const mean = later.sum / later.n;
  const test = welchTest(earlier, later);
  return {
    previousN: earlier.n,
    previousMean,
    n: later.n,
    mean,
    delta: mean - previousMean,
    ...test,
    significant: test.p !== null && test.p < SIGNIFICANCE_LEVEL,
    fewAnswers: Math.min(earlier.n, later.n) < options.smallSampleThreshold,
  };
}

/** What identifies a wave's criterion across waves. */
export interface CriterionIdentity {
  key: string | null;
  /** The library criterion it was frozen from. */
  criterionId: string | null;
}

/**
 * The earlier wave's criterion that is "the same criterion" as `criterion`: the one with an equal key
 * (non-null), else the one frozen from the same library criterion; undefined when the earlier wave did not
 * ask it.
 */
export function matchCriterion<T extends CriterionIdentity>(
  criterion: CriterionIdentity,
  earlier: readonly T[],
): T | undefined {
  if (criterion.key !== null) {
    const byKey = earlier.find((candidate) => candidate.key === criterion.key);
    if (byKey) return byKey;
  }
  if (criterion.criterionId !== null) {
    return earlier.find((candidate) => candidate.criterionId === criterion.criterionId);
  }
  return undefined;
}

export type ComparableCriterion = CriterionAggregates & CriterionIdentity;

/** Per series; a series is null when either wave has no answer in it. */
export type CriterionChange = Record<Series, SeriesChange | null>;

export interface WaveComparison {
  /** By the later wave's criterion id; null when the earlier wave did not ask the criterion. */
  criteria: Map<string, CriterionChange | null>;
  overall: {
    /** The earlier wave's own delivery index (its report's, under the same filters). */
    previousDeliveryIndex: number | null;
    delta: number | null;
  };
}

/** How each criterion of the later wave moved since the earlier one, and the delivery index with it. */
export function compareWaves(
  later: readonly ComparableCriterion[],
  earlier: readonly ComparableCriterion[],
  options: { smallSampleThreshold: number },
): WaveComparison {
  const criteria = new Map<string, CriterionChange | null>();
  for (const criterion of later) {
    const before = matchCriterion(criterion, earlier);
    const change = (series: Series) =>
      before === undefined ? null : seriesChange(before[series], criterion[series], options);
    criteria.set(
      criterion.id,
      before === undefined
        ? null
        : {
            sellerImportance: change('sellerImportance'),
            customerImportance: change('customerImportance'),
            customerPerformance: change('customerPerformance'),
          },
    );
  }
  // The delivery index has no crosshair in it; any mode gives the same index.
  const previousDeliveryIndex = buildGapReport(earlier, { crosshair: 'grand_mean' }).overall.deliveryIndex;
  const deliveryIndex = buildGapReport(later, { crosshair: 'grand_mean' }).overall.deliveryIndex;
  return {
    criteria,
    overall: {
      previousDeliveryIndex,
      delta:
        previousDeliveryIndex === null || deliveryIndex === null
          ? null
          : deliveryIndex - previousDeliveryIndex,
    },
  };
}
