// The gap report page: a sortable table and two charts. The page reads fully without this module;
// chart data comes from <script type="application/json" id="report-data"> (no inline scripts: CSP).

const data = JSON.parse(document.getElementById('report-data')?.textContent ?? 'null');

const numberFormat = new Intl.NumberFormat(data?.lang === 'en' ? 'en-GB' : 'nb-NO', {
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});
const format = (value) =>
  value === null || value === undefined ? '–' : numberFormat.format(value).replace('-', '−');

/** Sorts a table's body rows by a column; empty values sort last either way. */
function makeSortable(table) {
  const headers = [...table.tHead.rows[0].cells];
  headers.forEach((th, column) => {
    const button = th.querySelector('button');
    if (!button) return;
    button.addEventListener('click', () => {
      const descending = th.getAttribute('aria-sort') === 'ascending';
      for (const other of headers) other.removeAttribute('aria-sort');
      th.setAttribute('aria-sort', descending ? 'descending' : 'ascending');
      const numeric = th.dataset.sortType === 'number';
      const body = table.tBodies[0];
      const rows = [...body.rows].map((row) => {
        const raw = row.cells[column]?.dataset.value ?? '';
        return { row, raw, value: numeric ? Number(raw) : raw };
      });
      rows.sort((a, b) => {
        if (a.raw === '' || b.raw === '') return (a.raw === '') - (b.raw === '');
        const order = numeric ? a.value - b.value : a.value.localeCompare(b.value, data?.lang ?? 'nb');
        return descending ? -order : order;
      });
      for (const { row } of rows) body.append(row);
    });
  });
  // The hint appears only once sorting works, i.e. here.
  if (table.dataset.sortHint) {
    const hint = document.createElement('p');
    hint.className = 'hint';
    hint.textContent = table.dataset.sortHint;
    (table.closest('.table-wrap') ?? table).before(hint);
  }
}

for (const table of document.querySelectorAll('table[data-sortable]')) makeSortable(table);

// The charts can be drawn: show their boxes in place of the "needs JavaScript" notes.
if (data && window.Chart) {
  for (const box of document.querySelectorAll('.chart-box[hidden]')) {
    const fallback = box.previousElementSibling;
    if (fallback?.classList.contains('chart-fallback')) fallback.remove();
    box.hidden = false;
  }
}

const Chart = window.Chart;
const COLOURS = ['#1f5fbf', '#b05a00', '#1d6b34'];
const POINT_STYLES = ['circle', 'rect', 'triangle'];

function lineChart(canvas) {
  new Chart(canvas, {
    type: 'line',
    data: {
      labels: data.labels,
      datasets: data.series.map((series, index) => ({
        label: series.label,
        data: series.values,
        borderColor: COLOURS[index],
        backgroundColor: COLOURS[index],
        pointStyle: POINT_STYLES[index],
        pointRadius: 5,
        borderDash: index === 0 ? [6, 4] : [],
        spanGaps: false,
      })),
    },
    options: {
      maintainAspectRatio: false,
      scales: { y: { suggestedMin: 1, suggestedMax: 10 } },
      plugins: { tooltip: { callbacks: { label: (item) => `${item.dataset.label}: ${format(item.raw)}` } } },
    },
  });
}

/** Crosshair lines, quadrant names in the corners and a label beside each point. */
const quadrantDecorations = {
  id: 'quadrantDecorations',
  afterDatasetsDraw(chart) {
    const { ctx, chartArea: area, scales } = chart;
    const { x: crossX, y: crossY } = data.crosshair;
    ctx.save();
    if (crossX !== null && crossY !== null) {
      const x = scales.x.getPixelForValue(crossX);
      const y = scales.y.getPixelForValue(crossY);
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
    ctx.font = '600 12px system-ui, sans-serif';
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
    ctx.font = '11px system-ui, sans-serif';
    ctx.textAlign = 'left';
    ctx.textBaseline = 'middle';
    const meta = chart.getDatasetMeta(0);
    meta.data.forEach((element, index) => {
      ctx.fillText(data.points[index].label, element.x + 7, element.y);
    });
    ctx.restore();
  },
};

function quadrantChart(canvas) {
  const values = data.points.flatMap((point) => [point.x, point.y]);
  const min = Math.max(1, Math.floor(Math.min(...values) - 0.5));
  const max = Math.min(10, Math.ceil(Math.max(...values) + 0.5));
  new Chart(canvas, {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: data.axes.y,
          data: data.points.map((point) => ({ x: point.x, y: point.y })),
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
              `${data.points[item.dataIndex].label}: ${data.axes.x} ${format(item.parsed.x)}, ${data.axes.y} ${format(item.parsed.y)}`,
          },
        },
      },
    },
    plugins: [quadrantDecorations],
  });
}

if (data && Chart) {
  const line = document.getElementById('line-chart');
  if (line) lineChart(line);
  const quadrant = document.getElementById('quadrant-chart');
  if (quadrant && data.points.length > 0) quadrantChart(quadrant);
}
