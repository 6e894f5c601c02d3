import {
  buildGapReport,
  type ComparableCriterion,
  type Correlation,
  type CriterionAggregates,
  type CriterionResult,
  type Cut,
  compareWaves,
  cronbachAlpha,
  type GapReport,
  inCut,
  matchCriterion,
  pearsonFromTotals,
  type Reliability,
  type ReliabilitySeries,
  type Series,
  type SeriesChange,
  type Suppression,
  suppressionOf,
  type WaveComparison,
} from '../../analysis/index.js';
import { type Aggregate, type Stat, statFromAggregate } from '../../analysis/statistics.js';
import type { Db, Dimension, RespondentRole } from '../../db/database.js';
import { badRequest, forbidden, notFound } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import type { Principal } from '../../plugins/auth.js';
import { findAccount } from '../accounts/accounts.queries.js';
import { type ActionRow, listActionsOfWave } from '../actions/actions.queries.js';
import { scopeOf as actionScope } from '../actions/actions.service.js';
import type { SeriesWave } from '../surveys/series.queries.js';
import {
  type AggregateRow,
  type CommentRow,
  type CustomerFilter,
  type CustomerRows,
  countCustomersByAccount,
  findReportSurvey,
  findReportWaves,
  listComments,
  type ReportSurvey,
  readWaveFigures,
  type WaveAccountCount,
  type WaveStatisticsTotals,
} from './report.queries.js';
import type { ReportQuery } from './report.schemas.js';
import { buildTrend, type SurveyTrend, trendJson } from './report.trend.js';

const SERIES_OF: Record<Series, { role: RespondentRole; dimension: Dimension }> = {
  sellerImportance: { role: 'seller', dimension: 'importance' },
  customerImportance: { role: 'customer', dimension: 'importance' },
  customerPerformance: { role: 'customer', dimension: 'performance' },
};

const EMPTY: Aggregate = { n: 0, sum: 0, sumSquares: 0 };

export interface SurveyReport {
  survey: ReportSurvey;
  filter: CustomerFilter;
  /**
   * A confidential wave's cut too small to show (issue 13): every customer figure and comment of it is left
   * out — the gap report, statistics and trend point of this wave carry no customer answers. Null: shown.
   */
  suppressed: Suppression | null;
  responseRate: Record<RespondentRole, { invited: number; responded: number }>;
  gap: GapReport;
  /** Null when the caller did not ask for them (the JSON report has none). */
  comments: CommentRow[] | null;
  /** The change since an earlier wave (?compareTo=, by default the predecessor); null when none. */
  comparison: ReportComparison | null;
  /** Overall satisfaction, derived importance and reliability (issue 12). */
  statistics: ReportStatistics;
  /** The series' waves with answers; fewer than two: nothing to show. */
  trend: SurveyTrend;
}

export interface ReportComparison extends WaveComparison {
  /** `suppressed`: the compared wave's own cut, judged by its own sizes and its own confidential flag. */
  comparedTo: { id: string; name: string; suppressed: Suppression | null };
  /** The compared wave's actions (the reader's scope) by the report's criterion id they concern. */
  actions: Map<string, ActionRow[]>;
}

/**
 * The filter a principal may use. A KAM is always held to their own accounts: asking for another KAM's
 * accounts, or for an account that is not theirs, is refused rather than answered with an empty report.
 */
export async function scopedFilter(
  db: Db,
  principal: Principal,
  query: ReportQuery,
): Promise<CustomerFilter> {
  // Only the filters: the rest of the query (compareTo) is not a filter.
  const filter: CustomerFilter = {
    accountId: query.accountId,
    segment: query.segment,
    kamUserId: query.kamUserId,
  };
  if (principal.role !== 'kam') return filter;
  if (query.kamUserId !== undefined && query.kamUserId !== principal.userId) {
    throw forbidden('A KAM sees the reports of their own accounts only');
  }
  if (query.accountId !== undefined) {
    const account = await findAccount(db, principal.organizationId, query.accountId);
    if (account?.kamUserId !== principal.userId)
      throw forbidden('A KAM sees the reports of their own accounts only');
  }
  return { ...filter, kamUserId: principal.userId };
}

/**
 * The wave a report compares with: ?compareTo=<id> (another wave of the principal's organisation, else 404),
 * `none`, or by default the wave's predecessor in its series (none when it has none).
 */
async function comparedWave(
  db: Db,
  organizationId: string,
  surveyId: string,
  compareTo: ReportQuery['compareTo'],
  series: readonly SeriesWave[],
): Promise<{ id: string; name: string } | null> {
  if (compareTo === 'none') return null;
  if (compareTo === undefined) {
    const previous = series[series.findIndex((wave) => wave.id === surveyId) - 1];
    return previous ? { id: previous.id, name: previous.name } : null;
  }
  if (compareTo === surveyId) {
    throw badRequest('Invalid report filter', [
      { field: 'compareTo', message: 'A wave cannot be compared with itself' },
    ]);
  }
  const inSeries = series.find((wave) => wave.id === compareTo);
  if (inSeries) return { id: inSeries.id, name: inSeries.name };
  const wave = await findReportSurvey(db, organizationId, compareTo);
  if (!wave) throw notFound('Survey to compare with not found');
  return { id: wave.id, name: wave.name };
}

/**
 * What a report reads around its wave, under the filter: the wave with its series, then at once the other
 * waves it involves (the compared one; the series' waves with answers when there are two), the compared
 * wave's actions and, `withComments`, the wave's comments. Null when the wave is not the organisation's.
 */
async function readWaveContext(
  db: Db,
  principal: Principal,
  surveyId: string,
  query: ReportQuery,
  filtered: Promise<CustomerFilter>,
  withComments: boolean,
) {
  const organizationId = principal.organizationId;
  const { survey, series } = await findReportWaves(db, organizationId, surveyId);
  if (!survey) return null;
  const filter = await filtered;
  const compared = await comparedWave(db, organizationId, surveyId, query.compareTo, series);
  const trendWaves = series.filter((wave) => wave.status !== 'draft');
  const otherIds = [
    ...new Set([
      ...(compared ? [compared.id] : []),
      ...(trendWaves.length >= 2 ? trendWaves.map((wave) => wave.id) : []),
    ]),
  ].filter((id) => id !== surveyId);
  const [others, comments, actions] = await Promise.all([
    Promise.all(otherIds.map((id) => readWaveFigures(db, organizationId, id, filter))),
    // A confidential wave's comments never leave the database with their account.
    withComments
      ? listComments(db, organizationId, surveyId, filter, survey.confidential ? 'anonymous' : 'named')
      : null,
    compared ? listActionsOfWave(db, organizationId, compared.id, actionScope(principal)) : [],
  ]);
  return { survey, filter, compared, trendWaves, otherIds, others, comments, actions };
}

/**
 * The gap report of a wave for a principal, labels in `lang` (or the survey's), aggregated in the database,
 * with the change since the compared wave, the actions recorded on that wave, and the trend over the
 * wave's series. Every wave involved is read under the same filter and so the same KAM scoping, each wave's
 * figures in one statement (readWaveFigures). Comments are read only `withComments`: they are the one part
 * that grows with the respondents.
 */
export async function buildSurveyReport(
  db: Db,
  principal: Principal,
  surveyId: string,
  query: ReportQuery,
  lang: Lang | 'survey',
  { withComments }: { withComments: boolean },
): Promise<SurveyReport> {
  const organizationId = principal.organizationId;
  // Two reads side by side: the wave's own figures and statistics need only its id and the filter, so they
  // do not wait for the wave and its series (readWaveContext). A wave alone in its series is then one round
  // trip after the API key. A wave of another organisation reads as nothing, and its 404 still comes before
  // anything the filter or compareTo refuses.
  const filtered = scopedFilter(db, principal, query);
  const [context, own] = await Promise.allSettled([
    readWaveContext(db, principal, surveyId, query, filtered, withComments),
    filtered.then((filter) => readWaveFigures(db, organizationId, surveyId, filter)),
  ]);
  if (context.status === 'rejected') throw context.reason;
  if (context.value === null) throw notFound('Survey not found');
  if (own.status === 'rejected') throw own.reason;
  const { survey, filter, compared, trendWaves, otherIds, others, comments, actions } = context.value;
  const figures = own.value;
  const totals = figures.statistics;
  const waveIds = [surveyId, ...otherIds];
  const figuresOf = [figures, ...others];

  // Each wave's cut is judged by its own sizes and its own promise (an open wave hides nothing).
  const accountCounts = figuresOf.flatMap((wave) => wave.accounts);
  const suppressed = waveSuppressions(waveIds, accountCounts, principal, filter, survey.minGroupSize);
  const suppression = suppressed.get(surveyId) ?? null;

  const labelLang = lang === 'survey' ? survey.language : lang;
  const waves = new Map(
    waveIds.map((id, index) => {
      const wave = figuresOf[index];
      const byKey = indexAggregates(wave?.answers ?? []);
      const hidden = (suppressed.get(id) ?? null) !== null;
      const input: ComparableCriterion[] = (wave?.criteria ?? []).map((criterion) => ({
        ...criterionAggregates(criterion, byKey, labelLang, { withoutCustomers: hidden }),
        criterionId: criterion.criterionId,
      }));
      return [id, input];
    }),
  );
  const input = waves.get(surveyId) ?? [];
  const gap = buildGapReport(input, { crosshair: survey.crosshair });

  let comparison: ReportComparison | null = null;
  if (compared !== null) {
    const before = waves.get(compared.id) ?? [];
    comparison = {
      comparedTo: { ...compared, suppressed: suppressed.get(compared.id) ?? null },
      ...compareWaves(input, before, { smallSampleThreshold: survey.smallSampleThreshold }),
      actions: actionsByCriterion(input, before, actions, filter),
    };
  }

  return {
    survey,
    filter,
    suppressed: suppression,
    responseRate: figures.counts,
    gap,
    comments:
      comments === null || suppression === null
        ? comments
        : comments.filter((comment) => comment.role === 'seller'),
    comparison,
    statistics: reportStatistics(
      input,
      suppression === null ? totals : sellersOnly(totals),
      survey.overallQuestion && suppression === null,
    ),
    trend: buildTrend(
      trendWaves.filter((wave) => waves.has(wave.id)),
      waves,
      surveyId,
      suppressed,
      // The report's own wave's gap report serves the trend as well (its figures do not depend on the crosshair).
      new Map([[surveyId, gap]]),
    ),
  };
}

/**
 * Each wave's suppression of the report's cut for the principal (null: shown), from the per-account counts:
 * the report's filter is the cut (a KAM's always carries their own KAM), k is the organisation's.
 */
export function waveSuppressions(
  waveIds: readonly string[],
  accountCounts: readonly WaveAccountCount[],
  principal: Principal,
  cut: Cut,
  k: number,
): Map<string, Suppression | null> {
  const reader = { role: principal.role, userId: principal.userId };
  return new Map(
    waveIds.map((id) => {
      const accounts = accountCounts.filter((row) => row.surveyId === id);
      const confidential = accounts.some((row) => row.confidential);
      return [id, suppressionOf(confidential, cut, { k, reader, accounts })];
    }),
  );
}

/**
 * How the CSV export of a wave shows customers' rows to the principal under `filter` (issue 13): with
 * their account in an open wave; without account, segment and KAM in a confidential wave whose cut is
 * shown; not at all when it is suppressed (the file then says why).
 */
export async function exportCustomerRows(
  db: Db,
  principal: Principal,
  survey: ReportSurvey,
  filter: CustomerFilter,
): Promise<{ customers: CustomerRows; suppressed: Suppression | null }> {
  if (!survey.confidential) return { customers: 'named', suppressed: null };
  const counts = await countCustomersByAccount(db, principal.organizationId, [survey.id]);
  const suppressed =
    waveSuppressions([survey.id], counts, principal, filter, survey.minGroupSize).get(survey.id) ?? null;
  return { customers: suppressed === null ? 'anonymous' : 'none', suppressed };
}

/** The statistics' totals without any customer's: a suppressed cut keeps only the sellers' reliability. */
function sellersOnly(totals: WaveStatisticsTotals): WaveStatisticsTotals {
  return {
    satisfaction: { n: 0, sum: 0, sumSquares: 0 },
    drivers: [],
    reliability: totals.reliability.filter((row) => row.series === 'sellerImportance'),
  };
}

export interface ReportStatistics {
  /** Customers' overall satisfaction; null when the wave does not ask it. */
  satisfaction: Stat | null;
  /** Derived importance by criterion id (criteria asked of customers); empty when the wave does not ask. */
  derivedImportance: Map<string, Correlation>;
  /** Cronbach's α per series, its items the series' criteria in the wave's order. */
  reliability: Record<ReliabilitySeries, { result: Reliability; criterionIds: string[] }>;
}

/** The statistics of issue 12 from their totals (statisticsOf) and the wave's criteria. */
function reportStatistics(
  criteria: readonly CriterionAggregates[],
  totals: WaveStatisticsTotals,
  overallQuestion: boolean,
): ReportStatistics {
  const customerCriteria = criteria.filter((criterion) => criterion.audience === 'both');
  const drivers = new Map(totals.drivers.map((row) => [row.criterionId, row]));
  const derivedImportance = new Map<string, Correlation>();
  if (overallQuestion) {
    for (const criterion of customerCriteria) {
      const row = drivers.get(criterion.id);
      derivedImportance.set(
        criterion.id,
        pearsonFromTotals(row ?? { n: 0, sumX: 0, sumY: 0, sumXX: 0, sumYY: 0, sumXY: 0 }),
      );
    }
  }
  const rows = new Map(totals.reliability.map((row) => [`${row.series}/${row.criterionId ?? ''}`, row]));
  const seriesOf = (series: ReliabilitySeries) => {
    const items = series === 'sellerImportance' ? criteria : customerCriteria;
    const whole = rows.get(`${series}/`);
    const item = (id: string) => rows.get(`${series}/${id}`) ?? { sum: 0, sumSquares: 0, sumWithTotal: 0 };
    return {
      result: cronbachAlpha({
        k: items.length,
        n: whole?.n ?? 0,
        total: { sum: whole?.sum ?? 0, sumSquares: whole?.sumSquares ?? 0 },
        items: items.map((criterion) => item(criterion.id)),
      }),
      criterionIds: items.map((criterion) => criterion.id),
    };
  };
  return {
    satisfaction: overallQuestion ? statFromAggregate(totals.satisfaction) : null,
    derivedImportance,
    reliability: {
      customerPerformance: seriesOf('customerPerformance'),
      customerImportance: seriesOf('customerImportance'),
      sellerImportance: seriesOf('sellerImportance'),
    },
  };
}

/**
 * The compared wave's actions by the report's criterion they concern (matched across the waves as the
 * comparison matches them). Under a filter, the actions on accounts in its cut and the wave-wide ones.
 */
function actionsByCriterion(
  later: readonly ComparableCriterion[],
  earlier: readonly ComparableCriterion[],
  actions: readonly ActionRow[],
  filter: CustomerFilter,
): Map<string, ActionRow[]> {
  const byCriterion = new Map<string, ActionRow[]>();
  // Under a filter, the actions on accounts in the filter's cut, and the wave-wide ones.
  const inFilter = (action: ActionRow) =>
    action.accountId === null ||
    inCut(filter, {
      accountId: action.accountId,
      segment: action.accountSegment,
      kamUserId: action.accountKamUserId,
    });
  for (const criterion of later) {
    const before = matchCriterion(criterion, earlier);
    if (!before) continue;
    const matching = actions.filter((action) => action.surveyCriterionId === before.id && inFilter(action));
    if (matching.length > 0) byCriterion.set(criterion.id, matching);
  }
  return byCriterion;
}

interface WaveCriterion {
  id: string;
  key: string | null;
  labelNb: string;
  labelEn: string;
  audience: CriterionAggregates['audience'];
}

/** A wave's criterion with its three series' totals: the one path for the report's wave and the compared one. */
export function criterionAggregates(
  criterion: WaveCriterion,
  byKey: Map<string, Aggregate>,
  labelLang: Lang,
  { withoutCustomers = false }: { withoutCustomers?: boolean } = {},
): CriterionAggregates {
  // A suppressed cut (issue 13) has no customer series at all: nothing computed from them can leak.
  const customers = criterion.audience === 'both' && !withoutCustomers;
  return {
    id: criterion.id,
    key: criterion.key,
    label: labelLang === 'en' ? criterion.labelEn : criterion.labelNb,
    audience: criterion.audience,
    sellerImportance: aggregateFor(byKey, criterion.id, 'sellerImportance'),
    // A sellers-only criterion has no customer series, whatever rows might claim otherwise.
    customerImportance: customers ? aggregateFor(byKey, criterion.id, 'customerImportance') : EMPTY,
    customerPerformance: customers ? aggregateFor(byKey, criterion.id, 'customerPerformance') : EMPTY,
  };
}

export function indexAggregates(rows: readonly AggregateRow[]): Map<string, Aggregate> {
  return new Map(
    rows.map((row) => [
      `${row.criterionId}/${row.role}/${row.dimension}`,
      { n: row.n, sum: row.sum, sumSquares: row.sumSquares },
    ]),
  );
}

function aggregateFor(byKey: Map<string, Aggregate>, criterionId: string, series: Series): Aggregate {
  const { role, dimension } = SERIES_OF[series];
  return byKey.get(`${criterionId}/${role}/${dimension}`) ?? EMPTY;
}

/** A series' change in the JSON: the earlier mean and n, the change, Welch's p and whether it is significant. */
function changeJson(change: SeriesChange | null) {
  if (change === null) return null;
  const { previousMean, previousN, delta, p, significant, fewAnswers } = change;
  return { previousMean, previousN, delta, p, significant, fewAnswers };
}

/** `{"r","n"}`, or null when there is none (too few pairs, no spread, or the wave does not ask). */
const derivedJson = (correlation: Correlation | undefined) =>
  correlation === undefined || correlation.r === null ? null : { r: correlation.r, n: correlation.n };

/** `{"alpha","k","n"}`, or null when there is none (n < 3, k < 2, no spread of the totals). */
const alphaJson = (reliability: Reliability) =>
  reliability.alpha === null ? null : { alpha: reliability.alpha, k: reliability.k, n: reliability.n };

/**
 * A criterion's own figures in the JSON (the report's criteria, each segment group's): with `hidden` (a
 * suppressed cut, issue 13) every customer figure is null; seller importance is organisation-wide and stays.
 */
export function criterionFiguresJson(criterion: CriterionResult, hidden: boolean) {
  const customer = <T>(value: T): T | null => (hidden ? null : value);
  return {
    id: criterion.id,
    key: criterion.key,
    label: criterion.label,
    audience: criterion.audience,
    sellerImportance: criterion.sellerImportance,
    customerImportance: customer(criterion.customerImportance),
    customerPerformance: customer(criterion.customerPerformance),
    deliveryGap: customer(criterion.deliveryGap),
    alignmentGap: customer(criterion.alignmentGap),
    quadrant: customer(criterion.quadrant),
  };
}

/**
 * The JSON API's shape of a report. A suppressed cut (issue 13) answers with `suppressed: {k, reason}` and
 * every customer field null: series, gaps, quadrants, delivery index, satisfaction, derived importance,
 * the customers' reliability and changes. Seller importance (organisation-wide) stays.
 */
export function reportJson(report: SurveyReport) {
  const { survey, gap, comparison } = report;
  const hidden = report.suppressed !== null;
  const customer = <T>(value: T): T | null => (hidden ? null : value);
  const changeOf = (criterionId: string) => {
    const change = comparison?.criteria.get(criterionId) ?? null;
    if (change === null) return null;
    return {
      customerPerformance: customer(changeJson(change.customerPerformance)),
      customerImportance: customer(changeJson(change.customerImportance)),
      sellerImportance: changeJson(change.sellerImportance),
    };
  };
  return {
    survey: { id: survey.id, name: survey.name, status: survey.status },
    suppressed: report.suppressed,
    comparedTo: comparison === null ? null : comparison.comparedTo,
    responseRate: report.responseRate,
    crosshair: {
      importance: customer(gap.crosshair.importance),
      performance: customer(gap.crosshair.performance),
    },
    overall: {
      deliveryIndex: customer(gap.overall.deliveryIndex),
      satisfaction: customer(report.statistics.satisfaction),
      change: comparison === null || hidden ? null : comparison.overall,
    },
    criteria: gap.criteria.map((criterion) => ({
      ...criterionFiguresJson(criterion, hidden),
      // null: no comparison, or the compared wave did not ask this criterion.
      change: changeOf(criterion.id),
      derivedImportance: customer(derivedJson(report.statistics.derivedImportance.get(criterion.id))),
      // The compared wave's actions on this criterion; empty without a comparison.
      previousActions: (comparison?.actions.get(criterion.id) ?? []).map((action) => ({
        id: action.id,
        title: action.title,
        status: action.status,
        accountId: action.accountId,
      })),
    })),
    reliability: {
      customerPerformance: customer(alphaJson(report.statistics.reliability.customerPerformance.result)),
      customerImportance: customer(alphaJson(report.statistics.reliability.customerImportance.result)),
      sellerImportance: alphaJson(report.statistics.reliability.sellerImportance.result),
    },
    trend: trendJson(report.trend),
  };
}
