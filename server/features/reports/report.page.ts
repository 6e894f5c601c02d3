import {
  alphaReading,
  type Column,
  type CriterionResult,
  derivedImportanceLevel,
  type GapReport,
  importanceDisagreement,
  type Quadrant,
  quadrantOf,
  RELIABILITY_SERIES,
  SERIES,
  type Series,
  type SeriesChange,
  type Stat,
  type Suppression,
} from '../../analysis/index.js';
import { formatNumber, type Lang, translate } from '../../lib/i18n.js';
import '../help/help.messages.js';
import './report.confidential.messages.js';
import type { ReportQuery } from './report.schemas.js';
import type { SurveyReport } from './report.service.js';
import { trendPageModel } from './report.trend.js';

const COLUMNS: readonly Column[] = [...SERIES, 'deliveryGap', 'alignmentGap'];

const COLUMN_LABEL: Record<Column, string> = {
  sellerImportance: 'report.series.sellerImportance',
  customerImportance: 'report.series.customerImportance',
  customerPerformance: 'report.series.customerPerformance',
  deliveryGap: 'report.deliveryGap',
  alignmentGap: 'report.alignmentGap',
};

const isSeries = (column: Column): column is Series => (SERIES as readonly string[]).includes(column);

const valueIn = (criterion: CriterionResult, column: Column): number | null =>
  column === 'deliveryGap' || column === 'alignmentGap' ? criterion[column] : criterion[column].mean;

/** What a marked cell says; the alignment gap is judged by its size, the other columns by their value. */
export type CellMarker = 'lowest' | 'highest' | 'largestGap' | 'smallestGap';

/** Whether a marker is a warning (`bad`) or a good sign (`good`): the colour, never the only signal. */
export const MARKER_TONE: Record<CellMarker, 'bad' | 'good'> = {
  lowest: 'bad',
  highest: 'good',
  largestGap: 'bad',
  smallestGap: 'good',
};

const MARKER_CLASS: Record<CellMarker, string> = {
  lowest: 'lowest',
  highest: 'highest',
  largestGap: 'largest-gap',
  smallestGap: 'smallest-gap',
};

/** The marker of a criterion's cell in a column, or null; the one rule the page and the PDF share. */
export function markerOf(gap: GapReport, column: Column, criterionId: string): CellMarker | null {
  if (column === 'alignmentGap') {
    if (gap.largestAlignmentGap.includes(criterionId)) return 'largestGap';
    if (gap.smallestAlignmentGap.includes(criterionId)) return 'smallestGap';
    return null;
  }
  if (gap.extremes[column].lowest.includes(criterionId)) return 'lowest';
  if (gap.extremes[column].highest.includes(criterionId)) return 'highest';
  return null;
}

/** n of a mean, and its SD and 95 % CI as text (shown on demand), or null when nobody answered. */
export function spreadOf(lang: Lang, stat: Stat) {
  if (stat.n === 0) return null;
  return {
    n: stat.n,
    nText: translate(lang, 'report.spread.n', { n: stat.n }),
    spreadText:
      stat.sd === null || stat.ci95 === null
        ? translate(lang, 'report.spread.none')
        : translate(lang, 'report.spread.values', {
            sd: formatNumber(lang, stat.sd),
            low: formatNumber(lang, stat.ci95[0]),
            high: formatNumber(lang, stat.ci95[1]),
          }),
  };
}

/** What a reader is told instead of a suppressed cut's figures: "Færre enn 3 svar". */
export function suppressedText(lang: Lang, suppressed: Suppression): string {
  return translate(lang, `report.suppressed.${suppressed.reason}`, { k: suppressed.k });
}

/** One point of the quadrant chart: criteria at the same place share it, numbered for the legend table. */
export interface QuadrantPoint {
  number: number;
  x: number;
  y: number;
  quadrant: Quadrant;
  /** Some criterion at this point has an uncertain placement. */
  uncertain: boolean;
  criteria: Array<{ id: string; label: string; uncertain: boolean }>;
}

/** The quadrant chart's points, numbered 1… in the criteria's order; criteria with equal means share one. */
export function quadrantPoints(criteria: readonly CriterionResult[]): QuadrantPoint[] {
  const points: QuadrantPoint[] = [];
  for (const criterion of criteria) {
    const x = criterion.customerPerformance.mean;
    const y = criterion.customerImportance.mean;
    if (x === null || y === null || criterion.quadrant === null) continue;
    const member = { id: criterion.id, label: criterion.label, uncertain: criterion.quadrantUncertain };
    const same = points.find((point) => Math.abs(point.x - x) < 1e-9 && Math.abs(point.y - y) < 1e-9);
    if (same) {
      same.criteria.push(member);
      same.uncertain ||= member.uncertain;
      continue;
    }
    points.push({
      number: points.length + 1,
      x,
      y,
      quadrant: criterion.quadrant,
      uncertain: member.uncertain,
      criteria: [member],
    });
  }
  return points;
}

interface FilterOptions {
  accounts: Array<{ id: string; name: string }>;
  segments: string[];
  kams: Array<{ id: string; name: string }>;
  /** The organisation's other waves, to compare with; the wave's predecessor marked. */
  waves?: Array<{ id: string; name: string; isPrevious: boolean }>;
}

/** A change with its sign: "+1,30", "−0,25", "0,00". */
export function signedNumber(lang: Lang, value: number | null): string {
  const text = formatNumber(lang, value);
  return value !== null && value > 0 && text !== formatNumber(lang, 0) ? `+${text}` : text;
}

/** p as a reader sees it: three decimals, "p < 0,001" below that. */
export function pText(lang: Lang, p: number): string {
  return p < 0.001
    ? translate(lang, 'report.compare.pBelow')
    : translate(lang, 'report.compare.p', { p: formatNumber(lang, p, 3) });
}

/**
 * How a series' change reads, the one rule the page, the PDF and the CSV share: an arrow only for a
 * significant change with enough answers on both sides; "too few answers" instead when either wave is
 * below the small-sample threshold.
 */
export function changeCellOf(lang: Lang, change: SeriesChange | null) {
  if (change === null) return null;
  const arrow =
    change.significant && !change.fewAnswers && change.delta !== 0
      ? change.delta > 0
        ? 'rise'
        : 'fall'
      : null;
  return {
    previousMean: change.previousMean,
    delta: change.delta,
    deltaText: signedNumber(lang, change.delta),
    p: change.p,
    arrow,
    arrowSymbol: arrow === null ? null : translate(lang, `report.compare.${arrow}`),
    arrowText:
      arrow === null
        ? null
        : translate(
            lang,
            arrow === 'rise' ? 'report.compare.significantRise' : 'report.compare.significantFall',
          ),
    fewAnswers: change.fewAnswers,
    fewAnswersText: change.fewAnswers ? translate(lang, 'report.compare.fewAnswers') : null,
    // What the test says, for every change that has one; the reason when there is none.
    testText:
      change.p === null
        ? translate(lang, 'report.compare.noTest')
        : `${pText(lang, change.p)}${change.significant ? '' : `, ${translate(lang, 'report.compare.notSignificant')}`}`,
    nText: translate(lang, 'report.compare.n', { previous: change.previousN, n: change.n }),
  };
}

/** The comparison part of the page: null when the report compares with no wave. */
function comparisonModel(report: SurveyReport, lang: Lang) {
  const { comparison, gap } = report;
  if (comparison === null) return null;
  const { comparedTo, overall } = comparison;
  // Either wave's cut may be suppressed (each by its own sizes and promise): its customer changes are gone.
  const suppressedNotes = [
    ...(report.suppressed === null
      ? []
      : [
          translate(lang, 'report.suppressed.compared', {
            wave: report.survey.name,
            reason: suppressedText(lang, report.suppressed),
          }),
        ]),
    ...(comparedTo.suppressed === null
      ? []
      : [
          translate(lang, 'report.suppressed.compared', {
            wave: comparedTo.name,
            reason: suppressedText(lang, comparedTo.suppressed),
          }),
        ]),
  ];
  return {
    comparedTo,
    suppressedNotes,
    title: translate(lang, 'report.compare.title', { wave: comparedTo.name }),
    intro: translate(lang, 'report.compare.intro', { wave: comparedTo.name }),
    legend: translate(lang, 'report.compare.legend', { threshold: report.survey.smallSampleThreshold }),
    deliveryIndex:
      overall.delta === null
        ? null
        : translate(lang, 'report.compare.deliveryIndexValue', {
            delta: signedNumber(lang, overall.delta),
            previous: formatNumber(lang, overall.previousDeliveryIndex),
          }),
    series: SERIES.map((series) => ({ key: series, label: COLUMN_LABEL[series] })),
    rows: gap.criteria.map((criterion) => {
      const change = comparison.criteria.get(criterion.id) ?? null;
      return {
        id: criterion.id,
        label: criterion.label,
        notAskedThen: change === null,
        cells:
          change === null
            ? []
            : SERIES.map((series) => ({ series, change: changeCellOf(lang, change[series]) })),
      };
    }),
  };
}

/**
 * The compared wave's actions beside the criterion they concern, each with what was measured since:
 * "Fullført — levering +1,3, signifikant". Null without a comparison or without actions.
 */
function previousActionsModel(report: SurveyReport, lang: Lang) {
  const { comparison, gap } = report;
  if (comparison === null || comparison.actions.size === 0) return null;
  const rows = gap.criteria.flatMap((criterion) => {
    const actions = comparison.actions.get(criterion.id) ?? [];
    const delivery = comparison.criteria.get(criterion.id)?.customerPerformance ?? null;
    const cell = changeCellOf(lang, delivery);
    const measured =
      cell === null
        ? translate(lang, 'report.actions.noMeasure')
        : cell.fewAnswers
          ? translate(lang, 'report.actions.fewAnswers')
          : translate(lang, 'report.actions.measured', {
              delta: cell.deltaText,
              verdict: translate(
                lang,
                cell.arrow === null ? 'report.compare.notSignificant' : 'report.actions.significant',
              ),
            });
    return actions.map((action, index) => ({
      criterion: index === 0 ? criterion.label : null,
      span: actions.length,
      title: action.title,
      account: action.accountName,
      status: translate(lang, `actions.status.${action.status}`),
      summary: `${translate(lang, `actions.status.${action.status}`)} — ${measured}`,
      arrow: cell?.arrow ?? null,
      arrowSymbol: cell?.arrowSymbol ?? null,
    }));
  });
  return {
    title: translate(lang, 'report.actions.title', { wave: comparison.comparedTo.name }),
    rows,
  };
}

/**
 * Overall satisfaction, derived importance and reliability as the page and the PDF show them (issue 12),
 * with the quadrant chart's alternative: delivery against derived importance (r), crosshair at the mean r.
 */
function statisticsModel(report: SurveyReport, lang: Lang) {
  const { statistics, gap } = report;
  const { satisfaction, derivedImportance } = statistics;
  const rText = (r: number) => formatNumber(lang, r, 2);

  const derivedRows = gap.criteria.flatMap((criterion) => {
    const correlation = derivedImportance.get(criterion.id);
    if (correlation === undefined) return [];
    const disagreement =
      correlation.r === null
        ? null
        : importanceDisagreement(criterion.customerImportance.mean, gap.crosshair.importance, correlation.r);
    return [
      {
        id: criterion.id,
        label: criterion.label,
        stated: criterion.customerImportance.mean,
        r: correlation.r,
        rText: correlation.r === null ? null : rText(correlation.r),
        n: correlation.n,
        reading:
          correlation.r === null
            ? translate(lang, `analysis.derived.reason.${correlation.reason}`)
            : translate(lang, `analysis.derived.level.${derivedImportanceLevel(correlation.r)}`),
        disagreementKind: disagreement,
        disagreement: disagreement === null ? null : translate(lang, `analysis.derived.${disagreement}`),
      },
    ];
  });

  // The chart with derived importance on the vertical axis: the same criteria, the same delivery.
  const withR = derivedRows.filter((row): row is typeof row & { r: number } => row.r !== null);
  const meanR = withR.length === 0 ? null : withR.reduce((sum, row) => sum + row.r, 0) / withR.length;
  const derivedPoints: QuadrantPoint[] = [];
  for (const row of withR) {
    const criterion = gap.criteria.find((c) => c.id === row.id);
    const x = criterion?.customerPerformance.mean ?? null;
    const quadrant = quadrantOf(row.r, x, { ...gap.crosshair, importance: meanR });
    if (x === null || quadrant === null) continue;
    // Numbered as the stated chart numbers its points: criteria at the same place share one.
    const uncertain = row.n < report.survey.smallSampleThreshold;
    const member = { id: row.id, label: row.label, uncertain };
    const same = derivedPoints.find(
      (point) => Math.abs(point.x - x) < 1e-9 && Math.abs(point.y - row.r) < 1e-9,
    );
    if (same) {
      same.criteria.push(member);
      same.uncertain ||= uncertain;
    } else {
      derivedPoints.push({
        number: derivedPoints.length + 1,
        x,
        y: row.r,
        quadrant,
        uncertain,
        criteria: [member],
      });
    }
  }
  const pointNumber = new Map(
    derivedPoints.flatMap((point) => point.criteria.map((member) => [member.id, point.number] as const)),
  );

  const reliability = RELIABILITY_SERIES.map((series) => {
    const { result, criterionIds } = statistics.reliability[series];
    const label = translate(lang, COLUMN_LABEL[series]);
    if (report.suppressed !== null && series !== 'sellerImportance') {
      // A suppressed cut's customers: not even how many answered every criterion.
      return {
        series,
        label,
        alpha: null,
        k: result.k,
        n: '–',
        reading: suppressedText(lang, report.suppressed),
        items: [],
      };
    }
    if (result.alpha === null) {
      return {
        series,
        label,
        alpha: null,
        k: result.k,
        n: result.n,
        reading: translate(lang, `analysis.alpha.reason.${result.reason}`),
        items: [],
      };
    }
    const ifDeleted = result.ifDeleted;
    return {
      series,
      label,
      alpha: result.alpha,
      alphaText: formatNumber(lang, result.alpha, 2),
      k: result.k,
      n: result.n,
      reading: translate(lang, `analysis.alpha.${alphaReading(result.alpha)}`),
      items: criterionIds.map((id, index) => {
        const value = ifDeleted[index] ?? null;
        return {
          label: gap.criteria.find((criterion) => criterion.id === id)?.label ?? '',
          ifDeleted: value === null ? null : formatNumber(lang, value, 2),
          // Deleting the criterion would raise α: it measures something else than the rest.
          raises: value !== null && value > result.alpha + 1e-9,
        };
      }),
    };
  });

  return {
    satisfaction:
      satisfaction === null
        ? null
        : {
            stat: satisfaction,
            mean: satisfaction.mean,
            n: satisfaction.n,
            spread: spreadOf(lang, satisfaction),
          },
    derived:
      report.survey.overallQuestion && report.suppressed === null
        ? {
            rows: derivedRows.map((row) => ({ ...row, number: pointNumber.get(row.id) ?? null })),
            statedNotDriving: derivedRows
              .filter((row) => row.disagreementKind === 'stated_not_driving')
              .map((row) => row.label),
            hiddenDrivers: derivedRows
              .filter((row) => row.disagreementKind === 'hidden_driver')
              .map((row) => row.label),
            chart:
              derivedPoints.length === 0
                ? null
                : {
                    points: derivedPoints,
                    crosshair: { x: gap.crosshair.performance, y: meanR },
                    axes: {
                      x: translate(lang, 'report.axis.performance'),
                      y: translate(lang, 'report.derived.axis'),
                    },
                    yRange: { min: -1, max: 1 },
                  },
          }
        : null,
    reliability,
  };
}

/** Everything the report page shows, precomputed: the template only lays it out. */
/** A download of the report a page shows (the PDF, the CSV export): the same wave, the same filters. */
export function reportFileHref(
  surveyId: string,
  file: 'report.pdf' | 'export.csv',
  filter: ReportQuery,
  extra: Record<string, string> = {},
): string {
  const query = new URLSearchParams();
  for (const key of ['accountId', 'segment', 'kamUserId'] as const) {
    const value = filter[key];
    if (value !== undefined) query.set(key, value);
  }
  if (filter.compareTo !== undefined) query.set('compareTo', filter.compareTo);
  for (const [key, value] of Object.entries(extra)) query.set(key, value);
  const search = query.toString();
  return `/surveys/${surveyId}/${file}${search ? `?${search}` : ''}`;
}

export function reportPageModel(
  report: SurveyReport,
  lang: Lang,
  options: FilterOptions,
  query: ReportQuery,
) {
  const { survey, gap, responseRate } = report;
  const threshold = survey.smallSampleThreshold;
  const hidden = report.suppressed !== null;
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
      cells: COLUMNS.map((column) => {
        const marker = markerOf(gap, column, criterion.id);
        return {
          column,
          value: valueIn(criterion, column),
          marker,
          markerClass: marker === null ? null : MARKER_CLASS[marker],
          markerText: marker === null ? null : translate(lang, `report.marker.${marker}`),
          tone: marker === null ? null : MARKER_TONE[marker],
          spread: isSeries(column) ? spreadOf(lang, criterion[column]) : null,
        };
      }),
      customerN,
      customerHidden: hidden,
      customerNLow: !hidden && customerN !== null && customerN > 0 && customerN < threshold,
      sellerN: criterion.sellerImportance.n,
      sellerNLow: criterion.sellerImportance.n > 0 && criterion.sellerImportance.n < threshold,
      quadrant: criterion.quadrant,
    };
  });

  const byId = new Map(gap.criteria.map((criterion) => [criterion.id, criterion]));
  const concentrate = gap.concentrate.flatMap((id) => {
    const criterion = byId.get(id);
    if (!criterion) return [];
    const n = Math.min(criterion.customerImportance.n, criterion.customerPerformance.n);
    return [
      {
        id,
        label: criterion.label,
        // Where an action on it is recorded: the wave's actions page, the criterion chosen.
        actionHref: `/surveys/${survey.id}/actions?criterion=${encodeURIComponent(criterion.key ?? criterion.id)}`,
        deliveryGap: criterion.deliveryGap,
        n,
        nLow: n < threshold,
        uncertain: criterion.quadrantUncertain,
      },
    ];
  });
  const fewestConcentrate = Math.min(...concentrate.map((item) => item.n));
  const concentrateFewAnswers =
    concentrate.length > 0 && fewestConcentrate < threshold
      ? translate(lang, 'report.concentrate.fewAnswers', { threshold, n: fewestConcentrate })
      : null;
  const plotted = gap.criteria.filter(
    (criterion) => criterion.customerImportance.mean !== null && criterion.customerPerformance.mean !== null,
  );
  const points = quadrantPoints(gap.criteria);

  const hasResponses = responseRate.customer.responded + responseRate.seller.responded > 0;
  const hasCustomerData = maxN('customerImportance') + maxN('customerPerformance') > 0;

  // What static/js/report.js draws; the page's tables carry the same numbers for those who cannot see it.
  const statistics = statisticsModel(report, lang);
  const chartData = {
    lang,
    derived: statistics.derived?.chart ?? null,
    labels: gap.criteria.map((criterion) => criterion.label),
    series: SERIES.map((series) => ({
      key: series,
      label: translate(lang, COLUMN_LABEL[series]),
      values: gap.criteria.map((criterion) => criterion[series].mean),
    })),
    points,
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
    uncertain: translate(lang, 'report.uncertain'),
  };

  return {
    title: `${translate(lang, 'report.title')}: ${survey.name}`,
    survey,
    suppressed:
      report.suppressed === null
        ? null
        : {
            ...report.suppressed,
            text: suppressedText(lang, report.suppressed),
            explain: translate(lang, 'report.suppressed.explain', { k: report.suppressed.k }),
          },
    confidentialNote:
      survey.confidential && !hidden
        ? translate(lang, 'report.confidential.note', { k: survey.minGroupSize })
        : null,
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
    points: points.map((point) => ({
      ...point,
      quadrantText: translate(lang, `report.quadrant.${point.quadrant}`),
    })),
    concentrate,
    concentrateFewAnswers,
    // A confidential wave's customer comments come without their account (report.queries.ts).
    comments: (report.comments ?? []).map((comment) => ({
      ...comment,
      from:
        comment.role === 'seller'
          ? translate(lang, 'report.comments.seller')
          : (comment.accountName ?? translate(lang, 'report.comments.customer')),
    })),
    filters: {
      accounts: options.accounts.map((account) => ({ ...account, selected: account.id === query.accountId })),
      segments: options.segments.map((segment) => ({ value: segment, selected: segment === query.segment })),
      kams: options.kams.map((kam) => ({ ...kam, selected: kam.id === query.kamUserId })),
      waves: (options.waves ?? []).map((wave) => ({
        id: wave.id,
        name: wave.isPrevious ? translate(lang, 'report.compare.previous', { name: wave.name }) : wave.name,
        selected: wave.id === report.comparison?.comparedTo.id,
      })),
      compareNone: report.comparison === null,
    },
    comparison: comparisonModel(report, lang),
    previousActions: previousActionsModel(report, lang),
    trend: trendPageModel(report.trend, lang, threshold),
    statistics,
    // Every reader downloads what they see: a KAM's files hold their own accounts only.
    downloads: {
      pdf: reportFileHref(survey.id, 'report.pdf', query),
      csv: reportFileHref(survey.id, 'export.csv', query),
      csvWide: reportFileHref(survey.id, 'export.csv', query, { layout: 'wide' }),
      csvComparison:
        report.comparison === null
          ? null
          : reportFileHref(survey.id, 'export.csv', query, { layout: 'comparison' }),
    },
    chartData,
  };
}
