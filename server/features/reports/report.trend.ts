import {
  buildGapReport,
  type ComparableCriterion,
  type CriterionIdentity,
  type GapReport,
  matchCriterion,
  type Suppression,
} from '../../analysis/index.js';
import { type Lang, translate } from '../../lib/i18n.js';
import type { SeriesWave } from '../surveys/series.queries.js';
import './report.confidential.messages.js';
import './report.trend.messages.js';

// The trend over a series (issue 11): customer performance per criterion and the delivery index in every
// wave of the series the report's wave belongs to — the whole series, before and after the report's wave
// (which is marked `current`), so an older wave's report also shows where things went. Drafts have no
// answers and are left out. Every wave is read under the report's filter and the reader's scoping.

export interface TrendWave {
  id: string;
  name: string;
  openedAt: Date | null;
  closedAt: Date | null;
  /** The wave whose report this is. */
  current: boolean;
  /** The wave's own cut is too small to show (issue 13): its delivery index and points are null. */
  suppressed: Suppression | null;
}

/** A criterion's customer performance in one wave; `mean` is null when it was asked but nobody answered. */
export interface TrendPoint {
  mean: number | null;
  n: number;
}

export interface TrendCriterion {
  key: string | null;
  label: string;
  /**
   * One entry per wave, in the waves' order; null where that wave did not ask customers the criterion, or
   * where that wave's cut is suppressed (the wave says so).
   */
  customerPerformance: Array<TrendPoint | null>;
}

export interface SurveyTrend {
  /** Oldest first. */
  waves: TrendWave[];
  /** Per wave, as that wave's own report computes it (buildGapReport) under the same filter. */
  deliveryIndex: Array<number | null>;
  criteria: TrendCriterion[];
}

/**
 * The trend over `waves` (the series' waves with answers, oldest first) from each wave's criteria with
 * their totals, as the report reads them (under its filter and the reader's scoping). A wave's gap report
 * already built (`built`, by wave id) is used as it is: the trend reads only its criteria's customer
 * performance and its delivery index, which no crosshair changes. Pure: no I/O.
 */
export function buildTrend(
  waves: readonly SeriesWave[],
  criteriaOf: ReadonlyMap<string, readonly ComparableCriterion[]>,
  currentId: string,
  suppressed: ReadonlyMap<string, Suppression | null> = new Map(),
  built: ReadonlyMap<string, GapReport> = new Map(),
): SurveyTrend {
  const suppressionOf = (waveId: string) => suppressed.get(waveId) ?? null;
  const gaps = waves.map(
    (wave) =>
      built.get(wave.id) ?? buildGapReport(criteriaOf.get(wave.id) ?? [], { crosshair: 'grand_mean' }),
  );
  const frozen = new Map(waves.flatMap((wave) => (criteriaOf.get(wave.id) ?? []).map((c) => [c.id, c])));

  // Rows in the report's wave's order, then criteria the other waves asked, newest wave first; the label
  // is the one of the first wave that names it.
  const currentIndex = waves.findIndex((wave) => wave.id === currentId);
  const order = [
    ...(currentIndex >= 0 ? [currentIndex] : []),
    ...waves.map((_, index) => waves.length - 1 - index).filter((index) => index !== currentIndex),
  ];
  // Criteria are matched as the comparison matches them (matchCriterion: by key, else library criterion).
  const rows: TrendCriterion[] = [];
  const seen: Array<CriterionIdentity & { row: TrendCriterion }> = [];
  for (const waveIndex of order) {
    const gap = gaps[waveIndex];
    if (!gap) continue;
    for (const result of gap.criteria) {
      if (result.audience !== 'both') continue;
      const criterion = frozen.get(result.id);
      if (!criterion) continue;
      let row = matchCriterion(criterion, seen)?.row;
      if (!row) {
        row = { key: result.key, label: result.label, customerPerformance: waves.map(() => null) };
        rows.push(row);
      }
      seen.push({ key: criterion.key, criterionId: criterion.criterionId, row });
      // A wave that froze the same criterion twice (it cannot through the app) counts its first.
      const wave = waves[waveIndex];
      if (wave && suppressionOf(wave.id) !== null) continue;
      row.customerPerformance[waveIndex] ??= {
        mean: result.customerPerformance.mean,
        n: result.customerPerformance.n,
      };
    }
  }

  return {
    waves: waves.map((wave) => ({
      id: wave.id,
      name: wave.name,
      openedAt: wave.openedAt,
      closedAt: wave.closedAt,
      current: wave.id === currentId,
      suppressed: suppressionOf(wave.id),
    })),
    deliveryIndex: gaps.map((gap) => gap.overall.deliveryIndex),
    criteria: rows,
  };
}

/** The JSON API's shape: null while the series has fewer than two waves with answers to show. */
export function trendJson(trend: SurveyTrend) {
  if (trend.waves.length < 2) return null;
  return {
    waves: trend.waves.map((wave) => ({
      id: wave.id,
      name: wave.name,
      openedAt: wave.openedAt,
      closedAt: wave.closedAt,
      current: wave.current,
      suppressed: wave.suppressed,
    })),
    deliveryIndex: trend.deliveryIndex,
    criteria: trend.criteria,
  };
}

/**
 * What views/partials/report-trend.hbs lays out and static/js/report-trend.js draws: the table and the
 * chart carry the same numbers. `threshold` is the organisation's small-sample threshold.
 */
export function trendPageModel(trend: SurveyTrend, lang: Lang, threshold: number) {
  const comparable = trend.waves.length >= 2;
  const deliveryIndexLabel = translate(lang, 'report.deliveryIndex');
  // A wave whose own cut is suppressed says so in every cell instead of its figures.
  const suppressedTexts = trend.waves.map((wave) =>
    wave.suppressed === null
      ? null
      : translate(lang, `report.suppressed.${wave.suppressed.reason}`, { k: wave.suppressed.k }),
  );
  return {
    comparable,
    waves: trend.waves,
    deliveryIndex: trend.deliveryIndex,
    deliveryIndexCells: trend.deliveryIndex.map((value, index) => ({
      value,
      suppressedText: suppressedTexts[index] ?? null,
    })),
    rows: trend.criteria.map((criterion) => ({
      label: criterion.label,
      cells: criterion.customerPerformance.map((point, index) => {
        const suppressedText = suppressedTexts[index] ?? null;
        if (suppressedText !== null) return { asked: true, suppressedText };
        return point === null
          ? { asked: false }
          : {
              asked: true,
              mean: point.mean,
              n: point.n,
              nText: translate(lang, 'report.spread.n', { n: point.n }),
              nLow: point.n > 0 && point.n < threshold,
            };
      }),
    })),
    chartData: comparable
      ? {
          lang,
          labels: trend.waves.map((wave) =>
            wave.current ? `${wave.name} ${translate(lang, 'report.trend.current')}` : wave.name,
          ),
          deliveryIndex: { label: deliveryIndexLabel, values: trend.deliveryIndex },
          criteria: trend.criteria.map((criterion) => ({
            label: criterion.label,
            values: criterion.customerPerformance.map((point) => point?.mean ?? null),
          })),
          notAsked: translate(lang, 'report.trend.notAsked'),
        }
      : null,
  };
}
