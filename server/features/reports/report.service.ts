import {
  buildGapReport,
  type CriterionAggregates,
  type GapReport,
  type Series,
} from '../../analysis/index.js';
import type { Aggregate } from '../../analysis/statistics.js';
import type { Db, Dimension, RespondentRole } from '../../db/database.js';
import { forbidden, notFound } from '../../lib/errors.js';
import type { Lang } from '../../lib/i18n.js';
import type { Principal } from '../../plugins/auth.js';
import { findAccount } from '../accounts/accounts.queries.js';
import { listSurveyCriteria } from '../surveys/surveys.queries.js';
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
  if (principal.role !== 'kam') return query;
  if (query.kamUserId !== undefined && query.kamUserId !== principal.userId) {
    throw forbidden('A KAM sees the reports of their own accounts only');
  }
  if (query.accountId !== undefined) {
    const account = await findAccount(db, principal.organizationId, query.accountId);
    if (account?.kamUserId !== principal.userId)
      throw forbidden('A KAM sees the reports of their own accounts only');
  }
  return { ...query, kamUserId: principal.userId };
}

/**
 * The gap report of a wave for a principal, labels in `lang` (or the survey's), aggregated in the database.
 * Comments are read only `withComments`: they are the one part that grows with the respondents.
 */
export async function buildSurveyReport(
  db: Db,
  principal: Principal,
  surveyId: string,
  query: ReportQuery,
  lang: Lang | 'survey',
  { withComments }: { withComments: boolean },
): Promise<SurveyReport> {
  const survey = await findReportSurvey(db, principal.organizationId, surveyId);
  if (!survey) throw notFound('Survey not found');
  const filter = await scopedFilter(db, principal, query);
  const organizationId = principal.organizationId;

  const [criteria, aggregates, counts, comments] = await Promise.all([
    listSurveyCriteria(db, organizationId, surveyId),
    aggregateAnswers(db, organizationId, surveyId, filter),
    countResponses(db, organizationId, surveyId, filter),
    withComments ? listComments(db, organizationId, surveyId, filter) : null,
  ]);

  const labelLang = lang === 'survey' ? survey.language : lang;
  const byKey = indexAggregates(aggregates);
  const input: CriterionAggregates[] = criteria.map((criterion) => ({
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
  }));

  return {
    survey,
    filter,
    responseRate: counts,
    gap: buildGapReport(input, { crosshair: survey.crosshair }),
    comments,
  };
}

function indexAggregates(rows: readonly AggregateRow[]): Map<string, Aggregate> {
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

/** The JSON API's shape of a report. */
export function reportJson(report: SurveyReport) {
  const { survey, gap } = report;
  return {
    survey: { id: survey.id, name: survey.name, status: survey.status },
    responseRate: report.responseRate,
    crosshair: { importance: gap.crosshair.importance, performance: gap.crosshair.performance },
    overall: { deliveryIndex: gap.overall.deliveryIndex },
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
    })),
  };
}
