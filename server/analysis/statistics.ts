import tQuantile from '@stdlib/stats-base-dists-t-quantile';

/** What SQL returns per criterion × series: count(score), sum(score), sum(score * score). */
export interface Aggregate {
  n: number;
  sum: number;
  sumSquares: number;
}

export interface Stat {
  n: number;
  mean: number | null;
  sd: number | null;
  ci95: [number, number] | null;
}

/** `null` is a "don't know" answer: not a score, so it is left out rather than counted as 0. */
export function aggregateOf(scores: readonly (number | null)[]): Aggregate {
  let n = 0;
  let sum = 0;
  let sumSquares = 0;
  for (const score of scores) {
    if (score === null) continue;
    n += 1;
    sum += score;
    sumSquares += score * score;
  }
  return { n, sum, sumSquares };
}

export function statFromAggregate(aggregate: Aggregate): Stat {
  const { n, sum, sumSquares } = aggregate;
  // pg returns count() and sum() of integers as strings; catch a caller that forgot to convert.
  if (!Number.isInteger(n) || n < 0 || !Number.isFinite(sum) || !Number.isFinite(sumSquares)) {
    throw new TypeError(`Not an aggregate: ${JSON.stringify(aggregate)}`);
  }
  if (n === 0) return { n, mean: null, sd: null, ci95: null };

  const mean = sum / n;
  if (n < 2) return { n, mean, sd: null, ci95: null };

  // n·Σx² − (Σx)² stays exact for integer scores, unlike Σx² − n·mean²;
  // the clamp only absorbs rounding when the scores are not integers.
  const variance = Math.max(0, (n * sumSquares - sum * sum) / (n * (n - 1)));
  const sd = Math.sqrt(variance);
  const halfWidth = (tCritical95(n - 1) * sd) / Math.sqrt(n);
  return { n, mean, sd, ci95: [mean - halfWidth, mean + halfWidth] };
}

/** Two-sided 95 % critical value of Student's t, i.e. its 0.975 quantile. */
export function tCritical95(df: number): number {
  if (!(df > 0) || !Number.isFinite(df)) {
    throw new RangeError(`Degrees of freedom must be a positive finite number, got ${df}`);
  }
  return tQuantile(0.975, df);
}

/** `responded` counts submitted responses only, not merely opened ones. */
export function responseRate(
  invited: number,
  responded: number,
): { invited: number; responded: number; rate: number | null } {
  return { invited, responded, rate: invited === 0 ? null : responded / invited };
}
