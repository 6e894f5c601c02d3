// The report by segment: customer performance per criterion, one line per segment. Data from
// <script type="application/json" id="report-segments-data"> (server/features/reports/report.segments.ts,
// segmentsPageModel); the table on the page has every number, so the page reads fully without this module.

import { mountChart } from './chart-mount.js';
import { numberFormatter } from './report-charts.js';

/**
 * @typedef {object} SegmentsChartData
 * @property {'nb' | 'en'} lang
 * @property {string[]} labels the criteria asked of customers
 * @property {Array<{ label: string, values: Array<number | null>, n: number[] }>} datasets one per segment
 * @property {string} axis
 * @property {string} noAnswer
 * @property {string} nLabel "n = {n}"
 */

// Okabe–Ito; the lines also differ by point shape and dash, so colour is never the only signal.
const COLOURS = ['#0072b2', '#d55e00', '#009e73', '#cc79a7', '#e69f00', '#56b4e9', '#000000'];
const POINT_STYLES = ['circle', 'rect', 'triangle', 'rectRot', 'crossRot', 'star', 'rectRounded'];
const DASHES = [[], [6, 4], [2, 3], [10, 3, 2, 3]];

/**
 * @param {SegmentsChartData} data
 * @returns {import('chart.js').ChartConfiguration<'line', Array<number | null>, string>}
 */
export function segmentsChartConfig(data) {
  const format = numberFormatter(data.lang);
  return {
    type: 'line',
    data: {
      labels: data.labels,
      datasets: data.datasets.map((dataset, index) => ({
        label: dataset.label,
        data: dataset.values,
        borderColor: COLOURS[index % COLOURS.length],
        backgroundColor: COLOURS[index % COLOURS.length],
        pointStyle: /** @type {import('chart.js').PointStyle} */ (POINT_STYLES[index % POINT_STYLES.length]),
        pointRadius: 5,
        borderWidth: 2,
        borderDash: DASHES[index % DASHES.length],
        // A criterion nobody in the segment answered leaves a gap, never a line drawn across it.
        spanGaps: false,
      })),
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        y: { suggestedMin: 1, suggestedMax: 10, title: { display: true, text: data.axis } },
      },
      plugins: {
        legend: { labels: { usePointStyle: true } },
        tooltip: {
          callbacks: {
            label: (item) => {
              const n = data.datasets[item.datasetIndex]?.n[item.dataIndex] ?? 0;
              const value = item.raw === null ? data.noAnswer : format(/** @type {number} */ (item.raw));
              return `${item.dataset.label}: ${value} (${data.nLabel.replace('{n}', String(n))})`;
            },
          },
        },
      },
    },
  };
}

mountChart('report-segments-data', 'segments-chart', segmentsChartConfig);
