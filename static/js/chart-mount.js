// Mounting a chart on a page: its data from a <script type="application/json"> element (no inline scripts:
// CSP), its box shown in place of the "needs JavaScript" note. Browser only (the PDF draws its charts itself).

/**
 * Draws a chart from the JSON in `<script type="application/json" id={dataId}>` on the canvas `canvasId`.
 * Does nothing without a page, data, the canvas or chart.js.
 * @param {string} dataId
 * @param {string} canvasId
 * @param {(data: any) => object} configOf
 */
export function mountChart(dataId, canvasId, configOf) {
  if (typeof document === 'undefined') return;
  const data = JSON.parse(document.getElementById(dataId)?.textContent ?? 'null');
  const canvas = document.getElementById(canvasId);
  const Chart = window.Chart;
  if (!data || !canvas || !Chart) return;
  const box = canvas.closest('.chart-box');
  if (box instanceof HTMLElement) {
    const fallback = box.previousElementSibling;
    if (fallback?.classList.contains('chart-fallback')) fallback.remove();
    box.hidden = false;
  }
  new Chart(canvas, configOf(data));
}
