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
}

export type Column = Series | 'deliveryGap' | 'alignmentGap';

export interface Extremes {
  lowest: string[];
  highest: string[];
}

export interface GapReport {
  crosshair: { importance: number | null; performance: number | null; mode: CrosshairMode };
  overall: { deliveryIndex: number | null };
  criteria: CriterionResult[];
  extremes: Record<Column, Extremes>;
  largestAlignmentGap: string[];
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
  const results: CriterionResult[] = withGaps.map((result) => ({
    ...result,
    quadrant: quadrantOf(result.customerImportance.mean, result.customerPerformance.mean, crosshair),
  }));

  return {
    crosshair,
    overall: { deliveryIndex: meanOf(results.map((result) => result.customerPerformance.mean)) },
    criteria: results,
    extremes: {
      sellerImportance: extremesOf(results, (result) => result.sellerImportance.mean),
      customerImportance: extremesOf(results, (result) => result.customerImportance.mean),
      customerPerformance: extremesOf(results, (result) => result.customerPerformance.mean),
      deliveryGap: extremesOf(results, (result) => result.deliveryGap),
      alignmentGap: extremesOf(results, (result) => result.alignmentGap),
    },
    largestAlignmentGap: extremesOf(results, (result) =>
      result.alignmentGap === null ? null : Math.abs(result.alignmentGap),
    ).highest,
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

function quadrantOf(
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

/** Ids at the minimum and at the maximum of a column; ties keep every tied id, in input order. */
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
