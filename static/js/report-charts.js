// @ts-check
// The report's two charts as chart.js configurations: ONE definition for the page (static/js/report.js, in
// the browser, no bundler) and the PDF (server/features/reports/report.charts.ts, chart.js on
// @napi-rs/canvas). Only plain data in, plain config out: nothing here touches the DOM or imports chart.js.
import { numberFormatter } from './report-quadrant.js';

export { numberFormatter };

/**
 * What the report page model (server/features/reports/report.page.ts, `chartData`) hands the charts.
 * @typedef {object} ReportChartData
 * @property {'nb' | 'en'} lang
 * @property {string[]} labels
 * @property {Array<{ key: string, label: string, values: Array<number | null> }>} series
 * @property {import('./report-quadrant.js').QuadrantPoint[]} points
 * @property {{ x: number | null, y: number | null }} crosshair
 * @property {{ concentrate: string, keep: string, low: string, overkill: string }} quadrants
 * @property {{ x: string, y: string }} axes
 * @property {string} uncertain
 */

/**
 * Where the configuration is drawn: the page's system font, or the font the server registered.
 * @typedef {object} ChartTarget
 * @property {string} fontFamily
 */

export const COLOURS = ['#1f5fbf', '#b05a00', '#1d6b34'];
export const POINT_STYLES = ['circle', 'rect', 'triangle'];

/**
 * The three series over the criteria; each series has its own line style and point shape, not only colour.
 * @param {ReportChartData} data
 * @param {ChartTarget} _target
 * @returns {import('chart.js').ChartConfiguration<'line', Array<number | null>, string>}
 */
export function lineChartConfig(data, _target) {
  const format = numberFormatter(data.lang);
  return {
    type: 'line',
    data: {
      labels: data.labels,
      datasets: data.series.map((series, index) => ({
        label: series.label,
        data: series.values,
        borderColor: COLOURS[index],
        backgroundColor: COLOURS[index],
        pointStyle: /** @type {import('chart.js').PointStyle} */ (POINT_STYLES[index]),
        pointRadius: 5,
        borderDash: index === 0 ? [6, 4] : [],
        spanGaps: false,
      })),
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { suggestedMin: 1, suggestedMax: 10 } },
      plugins: {
        tooltip: {
          callbacks: {
            label: (item) => `${item.dataset.label}: ${format(/** @type {number} */ (item.raw))}`,
          },
        },
      },
    },
  };
}

// The quadrant chart (numbered points, labels that never overlap, colours and shapes by quadrant) lives in
// its own module; re-exported here so both callers keep one import.
export { quadrantChartConfig } from './report-quadrant.js';
