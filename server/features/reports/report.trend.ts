import {
  buildGapReport,
  type CriterionAggregates,
  type CriterionIdentity,
  matchCriterion,
} from '../../analysis/index.js';
import type { Aggregate } from '../../analysis/statistics.js';
import type { Audience, Db } from '../../db/database.js';
import { type Lang, translate } from '../../lib/i18n.js';
import type { Principal } from '../../plugins/auth.js';
import { listSeries } from '../surveys/series.queries.js';
import { type AggregateRow, aggregateAnswers } from './report.queries.js';
import type { ReportQuery } from './report.schemas.js';
import { scopedFilter } from './report.service.js';
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
}

/** A criterion's customer performance in one wave; `mean` is null when it was asked but nobody answered. */
export interface TrendPoint {
  mean: number | null;
  n: number;
}

export interface TrendCriterion {
  key: string | null;
  label: string;
  /** One entry per wave, in the waves' order; null where that wave did not ask customers the criterion. */
  customerPerformance: Array<TrendPoint | null>;
}

export interface SurveyTrend {
  /** Oldest first. */
  waves: TrendWave[];
  /** Per wave, as that wave's own report computes it (buildGapReport) under the same filter. */
  deliveryIndex: Array<number | null>;
  criteria: TrendCriterion[];
}

interface WaveCriterion extends CriterionIdentity {
  id: string;
  surveyId: string;
  labelNb: string;
  labelEn: string;
  audience: Audience;
}

function listSeriesCriteria(db: Db, organizationId: string, surveyIds: readonly string[]) {
  return db
    .selectFrom('survey_criteria')
    .select([
      'id',
      'survey_id as surveyId',
      'key',
      'criterion_id as criterionId',
      'label_nb as labelNb',
      'label_en as labelEn',
      'audience',
    ])
    .where('organization_id', '=', organizationId)
    .where('survey_id', 'in', surveyIds)
    .orderBy('survey_id')
    .orderBy('position')
    .execute();
}

const EMPTY: Aggregate = { n: 0, sum: 0, sumSquares: 0 };

/** A wave's criteria with their totals, as buildGapReport takes them (sellers-only criteria: no customer series). */
function gapInput(
  criteria: readonly WaveCriterion[],
  rows: readonly AggregateRow[],
  lang: Lang,
): CriterionAggregates[] {
  const totals = new Map(
    rows.map((row) => [
      `${row.criterionId}/${row.role}/${row.dimension}`,
      { n: row.n, sum: row.sum, sumSquares: row.sumSquares },
    ]),
  );
  const customer = (criterion: WaveCriterion, dimension: 'importance' | 'performance') =>
    criterion.audience === 'both' ? (totals.get(`${criterion.id}/customer/${dimension}`) ?? EMPTY) : EMPTY;
  return criteria.map((criterion) => ({
    id: criterion.id,
    key: criterion.key,
    label: lang === 'en' ? criterion.labelEn : criterion.labelNb,
    audience: criterion.audience,
    sellerImportance: totals.get(`${criterion.id}/seller/importance`) ?? EMPTY,
    customerImportance: customer(criterion, 'importance'),
    customerPerformance: customer(criterion, 'performance'),
  }));
}

/**
 * The trend of the series of `surveyId` for a principal, with the report's filters (a KAM: their own
 * accounts, as scopedFilter holds them), labels in `lang`. No waves when the survey is not the
 * organisation's.
 */
export async function buildSurveyTrend(
  db: Db,
  principal: Principal,
  surveyId: string,
  query: ReportQuery,
  lang: Lang,
): Promise<SurveyTrend> {
  const filter = await scopedFilter(db, principal, query);
  const organizationId = principal.organizationId;
  const series = (await listSeries(db, organizationId, surveyId)).filter((wave) => wave.status !== 'draft');
  if (series.length === 0) return { waves: [], deliveryIndex: [], criteria: [] };

  const waveIds = series.map((wave) => wave.id);
  const [criteria, aggregates] = await Promise.all([
    listSeriesCriteria(db, organizationId, waveIds),
    Promise.all(waveIds.map((id) => aggregateAnswers(db, organizationId, id, filter))),
  ]);
  const gaps = waveIds.map((id, index) =>
    buildGapReport(
      gapInput(
        criteria.filter((criterion) => criterion.surveyId === id),
        aggregates[index] ?? [],
        lang,
      ),
      { crosshair: 'grand_mean' },
    ),
  );

  // Rows in the report's wave's order, then criteria the other waves asked, newest wave first; the label
  // is the one of the first wave that names it.
  const currentIndex = waveIds.indexOf(surveyId);
  const order = [
    ...(currentIndex >= 0 ? [currentIndex] : []),
    ...waveIds.map((_, index) => waveIds.length - 1 - index).filter((index) => index !== currentIndex),
  ];
  // Criteria are matched as the comparison matches them (matchCriterion: by key, else library criterion).
  const rows: TrendCriterion[] = [];
  const seen: Array<CriterionIdentity & { row: TrendCriterion }> = [];
  for (const waveIndex of order) {
    const gap = gaps[waveIndex];
    if (!gap) continue;
    for (const result of gap.criteria) {
      if (result.audience !== 'both') continue;
      const frozen = criteria.find((criterion) => criterion.id === result.id);
      if (!frozen) continue;
      let row = matchCriterion(frozen, seen)?.row;
      if (!row) {
        row = { key: result.key, label: result.label, customerPerformance: waveIds.map(() => null) };
        rows.push(row);
      }
      seen.push({ key: frozen.key, criterionId: frozen.criterionId, row });
      // A wave that froze the same criterion twice (it cannot through the app) counts its first.
      row.customerPerformance[waveIndex] ??= {
        mean: result.customerPerformance.mean,
        n: result.customerPerformance.n,
      };
    }
  }

  return {
    waves: series.map((wave) => ({
      id: wave.id,
      name: wave.name,
      openedAt: wave.openedAt,
      closedAt: wave.closedAt,
      current: wave.id === surveyId,
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
  return {
    comparable,
    waves: trend.waves,
    deliveryIndex: trend.deliveryIndex,
    rows: trend.criteria.map((criterion) => ({
      label: criterion.label,
      cells: criterion.customerPerformance.map((point) =>
        point === null
          ? { asked: false }
          : {
              asked: true,
              mean: point.mean,
              n: point.n,
              nText: translate(lang, 'report.spread.n', { n: point.n }),
              nLow: point.n > 0 && point.n < threshold,
            },
      ),
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
