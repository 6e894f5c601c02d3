// The report's trend across the waves of a series: one line per criterion's customer performance and a
// heavier one for the delivery index. Data from <script type="application/json" id="report-trend-data">
// (server/features/reports/report.trend.ts, trendPageModel); the table beside the chart has every number,
// so the page reads fully without this module.

import { mountChart } from './chart-mount.js';
import { numberFormatter } from './report-charts.js';

/**
 * @typedef {object} TrendChartData
 * @property {'nb' | 'en'} lang
 * @property {string[]} labels the waves, oldest first
 * @property {{ label: string, values: Array<number | null> }} deliveryIndex
 * @property {Array<{ label: string, values: Array<number | null> }>} criteria
 * @property {string} notAsked
 */

// Okabe–Ito and a few more; lines also differ by point shape and dash, so colour is never the only signal.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#8c564b', '#7f3fbf'];
const POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star'];
const DASHES = [[], [6, 4], [2, 3]];

/**
 * @param {TrendChartData} data
 * @returns {import('chart.js').ChartConfiguration<'line', Array<number | null>, string>}
 */
export function trendChartConfig(data) {
  const format = numberFormatter(data.lang);
  const criteria = data.criteria.map((criterion, index) => ({
    label: criterion.label,
    data: criterion.values,
    borderColor: COLOURS[index % COLOURS.length],
    backgroundColor: COLOURS[index % COLOURS.length],
    pointStyle: /** @type {import('chart.js').PointStyle} */ (POINT_STYLES[index % POINT_STYLES.length]),
    pointRadius: 4,
    borderWidth: 2,
    borderDash: DASHES[Math.floor(index / COLOURS.length) % DASHES.length],
    // A wave that did not ask the criterion leaves a gap, never a line drawn across it.
    spanGaps: false,
  }));
  return {
    type: 'line',
    data: {
      labels: data.labels,
      datasets: [
        {
          label: data.deliveryIndex.label,
          data: data.deliveryIndex.values,
          borderColor: '#111111',
          backgroundColor: '#111111',
          pointStyle: 'rect',
          pointRadius: 6,
          borderWidth: 4,
          spanGaps: false,
        },
        ...criteria,
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { suggestedMin: 1, suggestedMax: 10 } },
      plugins: {
        // The legend shows each line's point shape too, so lines are told apart without colour.
        legend: { labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item) =>
              `${item.dataset.label}: ${item.raw === null ? data.notAsked : format(/** @type {number} */ (item.raw))}`,
          },
        },
      },
    },
  };
}

mountChart('report-trend-data', 'trend-chart', trendChartConfig);
