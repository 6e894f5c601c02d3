// The gap report page: a sortable table and two charts. The page reads fully without this module;
// chart data comes from <script type="application/json" id="report-data"> (no inline scripts: CSP).

import { lineChartConfig, quadrantChartConfig } from './report-charts.js';

const data = JSON.parse(document.getElementById('report-data')?.textContent ?? 'null');

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
const page = { fontFamily: 'system-ui, sans-serif' };

if (data && Chart) {
  const line = document.getElementById('line-chart');
  if (line) new Chart(line, lineChartConfig(data, page));
  const quadrant = document.getElementById('quadrant-chart');
  if (quadrant && data.points.length > 0) {
    let chart = new Chart(quadrant, quadrantChartConfig(data, page));
    // The vertical axis switches between stated and derived importance (r): the same criteria, redrawn.
    const axisSwitch = document.getElementById('quadrant-axis');
    if (axisSwitch && data.derived) {
      axisSwitch.hidden = false;
      axisSwitch.addEventListener('change', (event) => {
        const derived = event.target.value === 'derived';
        chart.destroy();
        chart = new Chart(quadrant, quadrantChartConfig(derived ? { ...data, ...data.derived } : data, page));
        quadrant.dataset.axis = derived ? 'derived' : 'stated';
      });
    }
  }
}
