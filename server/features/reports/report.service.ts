import {
  buildGapReport,
  type ComparableCriterion,
  type CriterionAggregates,
  compareWaves,
  type GapReport,
  matchCriterion,
  type Series,
  type SeriesChange,
  type WaveComparison,
} from '../../analysis/index.js';
import type { Aggregate } from '../../analysis/statistics.js';
import type { Db, Dimension, RespondentRole } from '../../db/database.js';
import { badRequest, forbidden, notFound } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import type { Principal } from '../../plugins/auth.js';
import { findAccount } from '../accounts/accounts.queries.js';
import { type ActionRow, listActionsOfWave } from '../actions/actions.queries.js';
import { scopeOf as actionScope } from '../actions/actions.service.js';
import { listSeries, type SeriesWave } from '../surveys/series.queries.js';
import {
  type AggregateRow,
  aggregateAnswers,
  type CommentRow,
  type CustomerFilter,
  countResponses,
  findReportSurvey,
  listComments,
} from './report.queries.js';
import type { ReportQuery } from './report.schemas.js';
import { buildTrend, type SurveyTrend, trendJson } from './report.trend.js';

const SERIES_OF: Record<Series, { role: RespondentRole; dimension: Dimension }> = {
  sellerImportance: { role: 'seller', dimension: 'importance' },
  customerImportance: { role: 'customer', dimension: 'importance' },
  customerPerformance: { role: 'customer', dimension: 'performance' },
};

const EMPTY: Aggregate = { n: 0, sum: 0, sumSquares: 0 };

export type ReportSurvey = NonNullable<Awaited<ReturnType<typeof findReportSurvey>>>;

export interface SurveyReport {
  survey: ReportSurvey;
  filter: CustomerFilter;
  responseRate: Record<RespondentRole, { invited: number; responded: number }>;
  gap: GapReport;
  /** Null when the caller did not ask for them (the JSON report has none). */
  comments: CommentRow[] | null;
  /** The change since an earlier wave (?compareTo=, by default the predecessor); null when none. */
  comparison: ReportComparison | null;
  /** The series' waves with answers; fewer than two: nothing to show. */
  trend: SurveyTrend;
}

export interface ReportComparison extends WaveComparison {
  comparedTo: { id: string; name: string };
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
 * The gap report of a wave for a principal, labels in `lang` (or the survey's), aggregated in the database,
 * with the change since the compared wave, the actions recorded on that wave, and the trend over the
 * wave's series. Every wave involved is read in one batch of queries, each under the same filter and so
 * the same KAM scoping; a wave alone in its series reads nothing more than its own report. Comments are
 * read only `withComments`: they are the one part that grows with the respondents.
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
  const [survey, series] = await Promise.all([
    findReportSurvey(db, organizationId, surveyId),
    listSeries(db, organizationId, surveyId),
  ]);
  if (!survey) throw notFound('Survey not found');
  const filter = await scopedFilter(db, principal, query);
  const compared = await comparedWave(db, organizationId, surveyId, query.compareTo, series);

  // The waves read: this one, the compared one, and the series' waves with answers when there are two.
  const trendWaves = series.filter((wave) => wave.status !== 'draft');
  const waveIds = [
    ...new Set([
      surveyId,
      ...(compared ? [compared.id] : []),
      ...(trendWaves.length >= 2 ? trendWaves.map((wave) => wave.id) : []),
    ]),
  ];
  const [criteria, aggregates, counts, comments, actions] = await Promise.all([
    listWaveCriteria(db, organizationId, waveIds),
    Promise.all(waveIds.map((id) => aggregateAnswers(db, organizationId, id, filter))),
    countResponses(db, organizationId, surveyId, filter),
    withComments ? listComments(db, organizationId, surveyId, filter) : null,
    compared ? listActionsOfWave(db, organizationId, compared.id, actionScope(principal)) : [],
  ]);

  const labelLang = lang === 'survey' ? survey.language : lang;
  const waves = new Map(
    waveIds.map((id, index) => {
      const byKey = indexAggregates(aggregates[index] ?? []);
      const input: ComparableCriterion[] = criteria
        .filter((criterion) => criterion.surveyId === id)
        .map((criterion) => ({
          ...criterionAggregates(criterion, byKey, labelLang),
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
      comparedTo: compared,
      ...compareWaves(input, before, { smallSampleThreshold: survey.smallSampleThreshold }),
      actions: actionsByCriterion(input, before, actions, filter),
    };
  }

  return {
    survey,
    filter,
    responseRate: counts,
    gap,
    comments,
    comparison,
    trend: buildTrend(
      trendWaves.filter((wave) => waves.has(wave.id)),
      waves,
      surveyId,
    ),
  };
}

/**
 * The compared wave's actions by the report's criterion they concern (matched across the waves as the
 * comparison matches them). Under an account filter, that account's actions and the wave-wide ones.
 */
function actionsByCriterion(
  later: readonly ComparableCriterion[],
  earlier: readonly ComparableCriterion[],
  actions: readonly ActionRow[],
  filter: CustomerFilter,
): Map<string, ActionRow[]> {
  const byCriterion = new Map<string, ActionRow[]>();
  for (const criterion of later) {
    const before = matchCriterion(criterion, earlier);
    if (!before) continue;
    const matching = actions.filter(
      (action) =>
        action.surveyCriterionId === before.id &&
        (filter.accountId === undefined ||
          action.accountId === null ||
          action.accountId === filter.accountId),
    );
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

/** The criteria of several waves, each with what identifies it across waves (key, library criterion). */
export function listWaveCriteria(db: Db, organizationId: string, surveyIds: readonly string[]) {
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

/** A wave's criterion with its three series' totals: the one path for the report's wave and the compared one. */
export function criterionAggregates(
  criterion: WaveCriterion,
  byKey: Map<string, Aggregate>,
  labelLang: Lang,
): CriterionAggregates {
  return {
    id: criterion.id,
    key: criterion.key,
    label: labelLang === 'en' ? criterion.labelEn : criterion.labelNb,
    audience: criterion.audience,
    sellerImportance: aggregateFor(byKey, criterion.id, 'sellerImportance'),
    // A sellers-only criterion has no customer series, whatever rows might claim otherwise.
    customerImportance:
      criterion.audience === 'both' ? aggregateFor(byKey, criterion.id, 'customerImportance') : EMPTY,
    customerPerformance:
      criterion.audience === 'both' ? aggregateFor(byKey, criterion.id, 'customerPerformance') : EMPTY,
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

/** The JSON API's shape of a report. */
export function reportJson(report: SurveyReport) {
  const { survey, gap, comparison } = report;
  const changeOf = (criterionId: string) => {
    const change = comparison?.criteria.get(criterionId) ?? null;
    if (change === null) return null;
    return {
      customerPerformance: changeJson(change.customerPerformance),
      customerImportance: changeJson(change.customerImportance),
      sellerImportance: changeJson(change.sellerImportance),
    };
  };
  return {
    survey: { id: survey.id, name: survey.name, status: survey.status },
    comparedTo: comparison === null ? null : comparison.comparedTo,
    responseRate: report.responseRate,
    crosshair: { importance: gap.crosshair.importance, performance: gap.crosshair.performance },
    overall: {
      deliveryIndex: gap.overall.deliveryIndex,
      change: comparison === null ? null : comparison.overall,
    },
    criteria: gap.criteria.map((criterion) => ({
      id: criterion.id,
      key: criterion.key,
      label: criterion.label,
      audience: criterion.audience,
      sellerImportance: criterion.sellerImportance,
      customerImportance: criterion.customerImportance,
      customerPerformance: criterion.customerPerformance,
      deliveryGap: criterion.deliveryGap,
      alignmentGap: criterion.alignmentGap,
      quadrant: criterion.quadrant,
      // null: no comparison, or the compared wave did not ask this criterion.
      change: changeOf(criterion.id),
      // The compared wave's actions on this criterion; empty without a comparison.
      previousActions: (comparison?.actions.get(criterion.id) ?? []).map((action) => ({
        id: action.id,
        title: action.title,
        status: action.status,
        accountId: action.accountId,
      })),
    })),
    trend: trendJson(report.trend),
  };
}
