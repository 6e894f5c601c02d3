import { buildGapReport, type GapReport, type Stat, type Suppression } from '../../analysis/index.js';
import type { Db } from '../../db/database.js';
import { notFound } from '../../lib/errors.js';
import { type Lang, translate } from '../../lib/i18n.js';
import type { Principal } from '../../plugins/auth.js';
import { suppressedText } from './report.page.js';
import {
  aggregateAnswersBySegment,
  type CustomerFilter,
  countCustomersByAccount,
  countResponsesBySegment,
  findReportSurvey,
  listWaveCriteria,
  type ReportSurvey,
  type ResponseCounts,
} from './report.queries.js';
import type { ReportQuery } from './report.schemas.js';
import {
  criterionAggregates,
  criterionFiguresJson,
  indexAggregates,
  scopedFilter,
  waveSuppressions,
} from './report.service.js';
import './report.confidential.messages.js';
import './report.segments.messages.js';

// The report by segment (issue 12): one gap report per segment of the customers' accounts, side by side.
// Each group is exactly the report under ?segment=<its segment> (the same filters, the same KAM scoping),
// so seller importance — organisation-wide, sellers have no account — is repeated in every group, and the
// alignment gap compares it with the group's customers. Filters narrow the accounts first and the rest is
// split by segment: `segment` with `by=segment` gives that one group. Every group is read in one query per
// kind of total (answers, response counts), grouped by segment: never one report per segment.

export interface SegmentGroup {
  /** The accounts' segment; null for accounts without one. */
  segment: string | null;
  /** Customers of the segment; sellers organisation-wide, as the report under a segment filter has them. */
  responseRate: ResponseCounts;
  /**
   * In a confidential wave, the group is the cut "the report's filter ∧ this segment", judged like any other
   * (issue 13): when suppressed, its gap report carries no customer answers.
   */
  suppressed: Suppression | null;
  gap: GapReport;
}

export interface SegmentReport {
  survey: ReportSurvey;
  filter: CustomerFilter;
  /** The organisation's segments in alphabetical order, accounts without one last. */
  groups: SegmentGroup[];
}

/** Segments in the order the filter form lists them (nb collation), accounts without a segment last. */
function bySegment(a: string | null, b: string | null): number {
  if (a === null || b === null) return (a === null ? 1 : 0) - (b === null ? 1 : 0);
  return a.localeCompare(b, 'nb');
}

/**
 * The report of a wave split by the segment of the customers' accounts, for a principal (a KAM: their own
 * accounts, so only the segments those fall in), labels in `lang` (or the survey's). A segment is a group
 * when its accounts have invitations to the wave or submitted answers under the filter.
 */
export async function buildSegmentReport(
  db: Db,
  principal: Principal,
  surveyId: string,
  query: ReportQuery,
  lang: Lang | 'survey',
): Promise<SegmentReport> {
  const organizationId = principal.organizationId;
  const survey = await findReportSurvey(db, organizationId, surveyId);
  if (!survey) throw notFound('Survey not found');
  const filter = await scopedFilter(db, principal, query);
  const [criteria, rows, counts, accountCounts] = await Promise.all([
    listWaveCriteria(db, organizationId, [surveyId]),
    aggregateAnswersBySegment(db, organizationId, surveyId, filter),
    countResponsesBySegment(db, organizationId, surveyId, filter),
    survey.confidential ? countCustomersByAccount(db, organizationId, [surveyId]) : [],
  ]);
  const suppressionOf = (segment: string | null) =>
    waveSuppressions([surveyId], accountCounts, principal, { ...filter, segment }, survey.minGroupSize).get(
      surveyId,
    ) ?? null;

  const sellerRows = rows.filter((row) => row.role === 'seller');
  const customerRows = rows.filter((row) => row.role === 'customer');
  const segments = [
    ...new Set([
      ...counts.customers.map((count) => count.segment),
      ...customerRows.filter((row) => row.n > 0).map((row) => row.segment),
    ]),
  ].sort(bySegment);

  const labelLang = lang === 'survey' ? survey.language : lang;
  const groups = segments.map((segment): SegmentGroup => {
    const byKey = indexAggregates([...sellerRows, ...customerRows.filter((row) => row.segment === segment)]);
    const customers = counts.customers.find((count) => count.segment === segment);
    const suppressed = suppressionOf(segment);
    return {
      segment,
      suppressed,
      responseRate: {
        customer: { invited: customers?.invited ?? 0, responded: customers?.responded ?? 0 },
        seller: counts.seller,
      },
      gap: buildGapReport(
        criteria.map((criterion) =>
          criterionAggregates(criterion, byKey, labelLang, { withoutCustomers: suppressed !== null }),
        ),
        { crosshair: survey.crosshair },
      ),
    };
  });
  return { survey, filter, groups };
}

/** The JSON API's shape: per group the report's own figures (series Stats, gaps, quadrant, delivery index). */
export function segmentReportJson(report: SegmentReport) {
  const { survey } = report;
  return {
    survey: { id: survey.id, name: survey.name, status: survey.status },
    by: 'segment' as const,
    groups: report.groups.map(({ segment, responseRate, suppressed, gap }) => {
      // A suppressed group: every customer field null (issue 13).
      const customer = <T>(value: T): T | null => (suppressed === null ? value : null);
      return {
        segment,
        suppressed,
        responseRate,
        crosshair: {
          importance: customer(gap.crosshair.importance),
          performance: customer(gap.crosshair.performance),
        },
        overall: { deliveryIndex: customer(gap.overall.deliveryIndex) },
        criteria: gap.criteria.map((criterion) => criterionFiguresJson(criterion, suppressed !== null)),
      };
    }),
  };
}

interface FilterOptions {
  accounts: Array<{ id: string; name: string }>;
  segments: string[];
  kams: Array<{ id: string; name: string }>;
}

/** The report page with the same filters (the segments page links back to what it split). */
function reportHref(surveyId: string, query: ReportQuery, extra: Record<string, string> = {}): string {
  const search = new URLSearchParams();
  for (const key of ['accountId', 'segment', 'kamUserId'] as const) {
    const value = query[key];
    if (value !== undefined) search.set(key, value);
  }
  for (const [key, value] of Object.entries(extra)) search.set(key, value);
  const text = search.toString();
  return `/surveys/${surveyId}/report${text ? `?${text}` : ''}`;
}

/** The page's link to the segments view of a report, with the report's filters. */
export function segmentsHref(surveyId: string, query: ReportQuery): string {
  return reportHref(surveyId, query, { by: 'segment' });
}

/**
 * What views/reports/segments.hbs lays out and static/js/report-segments.js draws: a table of the
 * customers' criteria (rows) by segment (column groups) and a chart of the same performance means.
 * A mean with fewer answers than the organisation's small-sample threshold is marked in text.
 */
export function segmentsPageModel(
  report: SegmentReport,
  lang: Lang,
  options: FilterOptions,
  query: ReportQuery,
) {
  const { survey, groups } = report;
  const threshold = survey.smallSampleThreshold;
  const nameOf = (segment: string | null) => segment ?? translate(lang, 'report.segments.none');
  const cellOf = (stat: Stat) => ({
    mean: stat.mean,
    n: stat.n,
    nText: translate(lang, 'report.spread.n', { n: stat.n }),
    nLow: stat.n > 0 && stat.n < threshold,
  });
  // Customer figures only: a sellers-only criterion is the same in every segment (see the report).
  const customerCriteria = (groups[0]?.gap.criteria ?? []).filter(
    (criterion) => criterion.audience === 'both',
  );

  const summary = groups.map(({ segment, responseRate, suppressed, gap }) => {
    const { invited, responded } = responseRate.customer;
    const maxN = Math.max(
      0,
      ...gap.criteria.map((criterion) =>
        Math.max(criterion.customerImportance.n, criterion.customerPerformance.n),
      ),
    );
    return {
      name: nameOf(segment),
      noSegment: segment === null,
      responded: translate(
        lang,
        invited === 0 ? 'report.segments.respondedNone' : 'report.segments.responded',
        { responded, invited, percent: invited === 0 ? '' : Math.round((100 * responded) / invited) },
      ),
      deliveryIndex: gap.overall.deliveryIndex,
      suppressedText: suppressed === null ? null : suppressedText(lang, suppressed),
      maxN,
      nLow: maxN > 0 && maxN < threshold,
    };
  });
  const smallSamples = summary.flatMap((group) =>
    group.nLow
      ? [
          translate(lang, 'report.segments.smallSample', {
            segment: group.name,
            n: group.maxN,
            threshold,
          }),
        ]
      : [],
  );

  const rows = customerCriteria.map((criterion) => ({
    id: criterion.id,
    label: criterion.label,
    cells: groups.map(({ segment, suppressed, gap }) => {
      const result = gap.criteria.find((candidate) => candidate.id === criterion.id);
      return {
        segment: nameOf(segment),
        suppressedText: suppressed === null ? null : suppressedText(lang, suppressed),
        performance: cellOf(result?.customerPerformance ?? { n: 0, mean: null, sd: null, ci95: null }),
        importance: cellOf(result?.customerImportance ?? { n: 0, mean: null, sd: null, ci95: null }),
        deliveryGap: result?.deliveryGap ?? null,
      };
    }),
  }));

  return {
    title: `${translate(lang, 'report.segments.title')}: ${survey.name}`,
    survey,
    reportHref: reportHref(survey.id, query),
    resetHref: segmentsHref(survey.id, {}),
    hasGroups: groups.length > 0,
    summary,
    smallSamples,
    legend: translate(lang, 'report.segments.legend', { threshold }),
    groups: summary.map((group) => ({ name: group.name })),
    rows,
    filters: {
      accounts: options.accounts.map((account) => ({ ...account, selected: account.id === query.accountId })),
      segments: options.segments.map((segment) => ({ value: segment, selected: segment === query.segment })),
      kams: options.kams.map((kam) => ({ ...kam, selected: kam.id === query.kamUserId })),
    },
    // The chart's numbers are the table's performance means.
    chartData: {
      lang,
      labels: customerCriteria.map((criterion) => criterion.label),
      datasets: groups.map(({ segment }, index) => ({
        label: nameOf(segment),
        values: rows.map((row) => row.cells[index]?.performance.mean ?? null),
        n: rows.map((row) => row.cells[index]?.performance.n ?? 0),
      })),
      axis: translate(lang, 'report.axis.performance'),
      noAnswer: translate(lang, 'report.segments.chart.noAnswer'),
      nLabel: translate(lang, 'report.spread.n', { n: '{n}' }),
    },
  };
}
