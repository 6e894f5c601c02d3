import { type Column, type CriterionResult, SERIES, type Series } from '../../analysis/index.js';
import { formatNumber, type Lang, translate } from '../../lib/i18n.js';
import type { ReportQuery } from './report.schemas.js';
import type { SurveyReport } from './report.service.js';

const COLUMNS: readonly Column[] = [...SERIES, 'deliveryGap', 'alignmentGap'];

const COLUMN_LABEL: Record<Column, string> = {
  sellerImportance: 'report.series.sellerImportance',
  customerImportance: 'report.series.customerImportance',
  customerPerformance: 'report.series.customerPerformance',
  deliveryGap: 'report.deliveryGap',
  alignmentGap: 'report.alignmentGap',
};

const valueIn = (criterion: CriterionResult, column: Column): number | null =>
  column === 'deliveryGap' || column === 'alignmentGap' ? criterion[column] : criterion[column].mean;

interface FilterOptions {
  accounts: Array<{ id: string; name: string }>;
  segments: string[];
  kams: Array<{ id: string; name: string }>;
}

/** Everything the report page shows, precomputed: the template only lays it out. */
export function reportPageModel(
  report: SurveyReport,
  lang: Lang,
  options: FilterOptions,
  query: ReportQuery,
  canExport: boolean,
) {
  const { survey, gap, responseRate } = report;
  const threshold = survey.smallSampleThreshold;
  const maxN = (series: Series) => Math.max(0, ...gap.criteria.map((criterion) => criterion[series].n));

  const rateText = (role: 'customer' | 'seller') => {
    const { invited, responded } = responseRate[role];
    const key = invited === 0 ? `report.responseRate.${role}None` : `report.responseRate.${role}`;
    const percent = invited === 0 ? '' : Math.round((100 * responded) / invited);
    return translate(lang, key, { responded, invited, percent });
  };

  const smallSamples = SERIES.flatMap((series) => {
    const n = maxN(series);
    return n > 0 && n < threshold
      ? [
          translate(lang, 'report.smallSample.series', {
            series: translate(lang, COLUMN_LABEL[series]),
            n,
            threshold,
          }),
        ]
      : [];
  });

  const rows = gap.criteria.map((criterion) => {
    const customerN =
      criterion.audience === 'both'
        ? Math.min(criterion.customerImportance.n, criterion.customerPerformance.n)
        : null;
    return {
      id: criterion.id,
      label: criterion.label,
      sellersOnly: criterion.audience === 'seller',
      cells: COLUMNS.map((column) => ({
        value: valueIn(criterion, column),
        lowest: gap.extremes[column].lowest.includes(criterion.id),
        highest: gap.extremes[column].highest.includes(criterion.id),
      })),
      customerN,
      customerNLow: customerN !== null && customerN > 0 && customerN < threshold,
      sellerN: criterion.sellerImportance.n,
      sellerNLow: criterion.sellerImportance.n > 0 && criterion.sellerImportance.n < threshold,
      quadrant: criterion.quadrant,
    };
  });

  const byId = new Map(gap.criteria.map((criterion) => [criterion.id, criterion]));
  const concentrate = gap.concentrate.flatMap((id) => {
    const criterion = byId.get(id);
    return criterion ? [criterion] : [];
  });
  const plotted = gap.criteria.filter(
    (criterion) => criterion.customerImportance.mean !== null && criterion.customerPerformance.mean !== null,
  );

  const hasResponses = responseRate.customer.responded + responseRate.seller.responded > 0;
  const hasCustomerData = maxN('customerImportance') + maxN('customerPerformance') > 0;

  // What static/js/report.js draws; the page's tables carry the same numbers for those who cannot see it.
  const chartData = {
    lang,
    labels: gap.criteria.map((criterion) => criterion.label),
    series: SERIES.map((series) => ({
      key: series,
      label: translate(lang, COLUMN_LABEL[series]),
      values: gap.criteria.map((criterion) => criterion[series].mean),
    })),
    points: plotted.map((criterion) => ({
      label: criterion.label,
      x: criterion.customerPerformance.mean,
      y: criterion.customerImportance.mean,
    })),
    crosshair: { x: gap.crosshair.performance, y: gap.crosshair.importance },
    quadrants: {
      concentrate: translate(lang, 'report.quadrant.concentrate'),
      keep: translate(lang, 'report.quadrant.keep'),
      low: translate(lang, 'report.quadrant.low'),
      overkill: translate(lang, 'report.quadrant.overkill'),
    },
    axes: {
      x: translate(lang, 'report.axis.performance'),
      y: translate(lang, 'report.axis.importance'),
    },
  };

  return {
    title: `${translate(lang, 'report.title')}: ${survey.name}`,
    survey,
    customerRate: rateText('customer'),
    sellerRate: rateText('seller'),
    smallSamples,
    hasResponses,
    hasCustomerData,
    deliveryIndex: gap.overall.deliveryIndex,
    crosshairText: translate(lang, 'report.crosshair', {
      importance: formatNumber(lang, gap.crosshair.importance),
      performance: formatNumber(lang, gap.crosshair.performance),
    }),
    columns: COLUMNS.map((column) => ({ key: column, label: COLUMN_LABEL[column] })),
    rows,
    criteria: gap.criteria,
    plotted,
    concentrate,
    comments: report.comments,
    filters: {
      accounts: options.accounts.map((account) => ({ ...account, selected: account.id === query.accountId })),
      segments: options.segments.map((segment) => ({ value: segment, selected: segment === query.segment })),
      kams: options.kams.map((kam) => ({ ...kam, selected: kam.id === query.kamUserId })),
    },
    canExport,
    chartData,
  };
}
