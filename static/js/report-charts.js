// @ts-check
// The report's two charts as chart.js configurations: ONE definition for the page (static/js/report.js, in
// the browser, no bundler) and the PDF (server/features/reports/report.charts.ts, chart.js on
// @napi-rs/canvas). Only plain data in, plain config out: nothing here touches the DOM or imports chart.js.

/**
 * What the report page model (server/features/reports/report.page.ts, `chartData`) hands the charts.
 * @typedef {object} ReportChartData
 * @property {'nb' | 'en'} lang
 * @property {string[]} labels
 * @property {Array<{ key: string, label: string, values: Array<number | null> }>} series
 * @property {QuadrantPoint[]} points
 * @property {{ x: number | null, y: number | null }} crosshair
 * @property {{ concentrate: string, keep: string, low: string, overkill: string }} quadrants
 * @property {{ x: string, y: string }} axes
 */

/**
 * A point of the quadrant chart: one criterion (`label`), or several at one place, numbered for a legend.
 * @typedef {object} QuadrantPoint
 * @property {number | null} x
 * @property {number | null} y
 * @property {string} [label]
 * @property {number} [number]
 * @property {Array<{ label: string }>} [criteria]
 */

/**
 * What is written beside a point, and what its tooltip names.
 * @param {QuadrantPoint | undefined} point
 */
function pointName(point) {
  if (!point) return { short: '', long: '' };
  const names = point.criteria?.map((criterion) => criterion.label).join(', ') ?? point.label ?? '';
  return { short: point.number === undefined ? names : String(point.number), long: names };
}

/**
 * Where the configuration is drawn: the page's system font, or the font the server registered.
 * @typedef {object} ChartTarget
 * @property {string} fontFamily
 */

export const COLOURS = ['#1f5fbf', '#b05a00', '#1d6b34'];
export const POINT_STYLES = ['circle', 'rect', 'triangle'];

/**
 * A number as the report prints it: two decimals in the reader's locale, a real minus sign.
 * @param {'nb' | 'en'} lang
 */
export function numberFormatter(lang) {
  const numberFormat = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nb-NO', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  /** @param {number | null | undefined} value */
  return (value) =>
    value === null || value === undefined ? '–' : numberFormat.format(value).replace('-', '−');
}

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

/**
 * Crosshair lines, quadrant names in the corners and a label beside each point.
 * @param {ReportChartData} data
 * @param {ChartTarget} target
 * @returns {import('chart.js').Plugin<'scatter'>}
 */
function quadrantDecorations(data, target) {
  return {
    id: 'quadrantDecorations',
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales } = chart;
      const { x: crossX, y: crossY } = data.crosshair;
      ctx.save();
      if (crossX !== null && crossY !== null) {
        const x = scales.x?.getPixelForValue(crossX) ?? area.left;
        const y = scales.y?.getPixelForValue(crossY) ?? area.top;
        ctx.strokeStyle = '#566074';
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.moveTo(area.left, y);
        ctx.lineTo(area.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
      }
      ctx.fillStyle = '#566074';
      ctx.font = `600 12px ${target.fontFamily}`;
      const pad = 6;
      ctx.textBaseline = 'top';
      ctx.textAlign = 'left';
      ctx.fillText(data.quadrants.concentrate, area.left + pad, area.top + pad);
      ctx.textAlign = 'right';
      ctx.fillText(data.quadrants.keep, area.right - pad, area.top + pad);
      ctx.textBaseline = 'bottom';
      ctx.textAlign = 'left';
      ctx.fillText(data.quadrants.low, area.left + pad, area.bottom - pad);
      ctx.textAlign = 'right';
      ctx.fillText(data.quadrants.overkill, area.right - pad, area.bottom - pad);

      ctx.fillStyle = '#1d2330';
      ctx.font = `11px ${target.fontFamily}`;
      ctx.textAlign = 'left';
      ctx.textBaseline = 'middle';
      const meta = chart.getDatasetMeta(0);
      meta.data.forEach((element, index) => {
        ctx.fillText(pointName(data.points[index]).short, element.x + 7, element.y);
      });
      ctx.restore();
    },
  };
}

/**
 * Customer performance (x) against customer importance (y), crosshairs and quadrant names.
 * @param {ReportChartData} data
 * @param {ChartTarget} target
 * @returns {import('chart.js').ChartConfiguration<'scatter'>}
 */
export function quadrantChartConfig(data, target) {
  const format = numberFormatter(data.lang);
  const values = data.points.flatMap((point) => [point.x ?? 5.5, point.y ?? 5.5]);
  const min = Math.max(1, Math.floor(Math.min(...values) - 0.5));
  const max = Math.min(10, Math.ceil(Math.max(...values) + 0.5));
  return {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: data.axes.y,
          data: data.points.map((point) => ({ x: point.x ?? Number.NaN, y: point.y ?? Number.NaN })),
          backgroundColor: COLOURS[0],
          pointRadius: 5,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      scales: {
        x: { min, max, title: { display: true, text: data.axes.x } },
        y: { min, max, title: { display: true, text: data.axes.y } },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            label: (item) =>
              `${pointName(data.points[item.dataIndex]).long}: ${data.axes.x} ${format(item.parsed.x)}, ${data.axes.y} ${format(item.parsed.y)}`,
          },
        },
      },
    },
    plugins: [quadrantDecorations(data, target)],
  };
}
