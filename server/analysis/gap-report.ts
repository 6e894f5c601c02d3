import { type Aggregate, type Stat, statFromAggregate } from './statistics.js';

export type Audience = 'both' | 'seller';
export type Quadrant = 'concentrate' | 'keep' | 'low' | 'overkill';
export type CrosshairMode = 'grand_mean' | 'midpoint';

export const SERIES = ['sellerImportance', 'customerImportance', 'customerPerformance'] as const;
export type Series = (typeof SERIES)[number];

export interface CriterionAggregates {
  id: string;
  key: string | null;
  label: string;
  audience: Audience;
  sellerImportance: Aggregate;
  customerImportance: Aggregate;
  customerPerformance: Aggregate;
}

export interface CriterionResult {
  id: string;
  key: string | null;
  label: string;
  audience: Audience;
  sellerImportance: Stat;
  customerImportance: Stat;
  customerPerformance: Stat;
  /** customer performance − customer importance; negative = delivers less than the customer finds important. */
  deliveryGap: number | null;
  /** seller importance − customer importance; negative = sellers value it less than customers do. */
  alignmentGap: number | null;
  quadrant: Quadrant | null;
  /**
   * The placement rests on too little to be sure of: a 95 % interval of importance or performance
   * reaches across its crosshair, or is missing (n < 2). False when there is no quadrant.
   */
  quadrantUncertain: boolean;
}

export type Column = Series | 'deliveryGap' | 'alignmentGap';

/** Ids at a column's minimum and maximum; both empty when the column's values do not differ. */
export interface Extremes {
  lowest: string[];
  highest: string[];
}

export interface GapReport {
  crosshair: { importance: number | null; performance: number | null; mode: CrosshairMode };
  overall: { deliveryIndex: number | null };
  criteria: CriterionResult[];
  /** Lowest and highest of the means and of the delivery gap. */
  extremes: Record<Exclude<Column, 'alignmentGap'>, Extremes>;
  /**
   * The alignment gap is judged by its size, whichever its sign: the largest mismatch is the warning,
   * the gap nearest 0 the best alignment. Both empty when every gap has the same size.
   */
  largestAlignmentGap: string[];
  smallestAlignmentGap: string[];
  concentrate: string[];
}

const SCALE_MIDPOINT = 5.5;

// Means are stored unrounded, so a mean that equals a crosshair or another mean in exact
// arithmetic can differ from it in the last bits of a double.
const EPSILON = 1e-9;

export function buildGapReport(
  criteria: readonly CriterionAggregates[],
  options: { crosshair: CrosshairMode },
): GapReport {
  const withGaps = criteria.map((criterion) => {
    const sellerImportance = statFromAggregate(criterion.sellerImportance);
    const customerImportance = statFromAggregate(criterion.customerImportance);
    const customerPerformance = statFromAggregate(criterion.customerPerformance);
    return {
      id: criterion.id,
      key: criterion.key,
      label: criterion.label,
      audience: criterion.audience,
      sellerImportance,
      customerImportance,
      customerPerformance,
      deliveryGap: difference(customerPerformance.mean, customerImportance.mean),
      alignmentGap: difference(sellerImportance.mean, customerImportance.mean),
    };
  });

  const crosshair = crosshairOf(withGaps, options.crosshair);
  const results: CriterionResult[] = withGaps.map((result) => {
    const quadrant = quadrantOf(result.customerImportance.mean, result.customerPerformance.mean, crosshair);
    return {
      ...result,
      quadrant,
      quadrantUncertain:
        quadrant !== null &&
        (straddles(result.customerImportance.ci95, crosshair.importance) ||
          straddles(result.customerPerformance.ci95, crosshair.performance)),
    };
  });
  const alignmentSize = extremesOf(results, (result) =>
    result.alignmentGap === null ? null : Math.abs(result.alignmentGap),
  );

  return {
    crosshair,
    overall: { deliveryIndex: meanOf(results.map((result) => result.customerPerformance.mean)) },
    criteria: results,
    extremes: {
      sellerImportance: extremesOf(results, (result) => result.sellerImportance.mean),
      customerImportance: extremesOf(results, (result) => result.customerImportance.mean),
      customerPerformance: extremesOf(results, (result) => result.customerPerformance.mean),
      deliveryGap: extremesOf(results, (result) => result.deliveryGap),
    },
    largestAlignmentGap: alignmentSize.highest,
    smallestAlignmentGap: alignmentSize.lowest,
    concentrate: results
      .flatMap(({ id, quadrant, deliveryGap }) =>
        quadrant === 'concentrate' && deliveryGap !== null ? [{ id, deliveryGap }] : [],
      )
      .sort((a, b) => a.deliveryGap - b.deliveryGap)
      .map(({ id }) => id),
  };
}

function crosshairOf(
  results: readonly { customerImportance: Stat; customerPerformance: Stat }[],
  mode: CrosshairMode,
): GapReport['crosshair'] {
  if (mode === 'midpoint') return { importance: SCALE_MIDPOINT, performance: SCALE_MIDPOINT, mode };

  const rated = results.filter(
    (result) => result.customerImportance.mean !== null && result.customerPerformance.mean !== null,
  );
  return {
    importance: meanOf(rated.map((result) => result.customerImportance.mean)),
    performance: meanOf(rated.map((result) => result.customerPerformance.mean)),
    mode,
  };
}

export function quadrantOf(
  importance: number | null,
  performance: number | null,
  crosshair: GapReport['crosshair'],
): Quadrant | null {
  if (importance === null || performance === null) return null;
  if (crosshair.importance === null || crosshair.performance === null) return null;

  const important = importance >= crosshair.importance - EPSILON;
  const performing = performance >= crosshair.performance - EPSILON;
  if (important) return performing ? 'keep' : 'concentrate';
  return performing ? 'overkill' : 'low';
}

/** A missing interval (n < 2) cannot rule out the other side of the line either. */
function straddles(ci95: [number, number] | null, line: number | null): boolean {
  if (line === null) return false;
  if (ci95 === null) return true;
  return ci95[0] < line - EPSILON && ci95[1] > line + EPSILON;
}

/**
 * Ids at the minimum and at the maximum of a column; ties keep every tied id, in input order.
 * Nothing is marked when the values do not differ: a column of equal values has no lowest or highest.
 */
function extremesOf(
  results: readonly CriterionResult[],
  valueIn: (result: CriterionResult) => number | null,
): Extremes {
  const values = results.flatMap((result) => {
    const value = valueIn(result);
    return value === null ? [] : [{ id: result.id, value }];
  });
  if (values.length === 0) return { lowest: [], highest: [] };

  const min = Math.min(...values.map(({ value }) => value));
  const max = Math.max(...values.map(({ value }) => value));
  if (max - min <= EPSILON) return { lowest: [], highest: [] };
  return {
    lowest: values.filter(({ value }) => value <= min + EPSILON).map(({ id }) => id),
    highest: values.filter(({ value }) => value >= max - EPSILON).map(({ id }) => id),
  };
}

/** Plain mean of the values present (each counts once); null when there are none. */
function meanOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((value) => value !== null);
  if (present.length === 0) return null;
  return present.reduce((total, value) => total + value, 0) / present.length;
}

function difference(minuend: number | null, subtrahend: number | null): number | null {
  return minuend === null || subtrahend === null ? null : minuend - subtrahend;
}
