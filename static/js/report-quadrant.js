// @ts-check
// The quadrant chart's configuration, shared by the page (static/js/report.js, through report-charts.js) and
// the PDF (chart.js on @napi-rs/canvas). Plain data in, plain chart.js config out; no DOM, no chart.js import.
//
// Labels never overlap: each point carries its number (the legend table under the chart names its criteria),
// placed by a small greedy search around the point that avoids every other label, every point and the
// quadrant names; a label pushed away from its point gets a leader line. The boxes it settles on are written
// to the canvas's `data-label-boxes` (in the browser) so a test can measure them.

/** @typedef {'concentrate' | 'keep' | 'low' | 'overkill'} Quadrant */

/**
 * One point of the chart, as report.page.ts `quadrantPoints` builds it: criteria at the same place share it.
 * @typedef {object} QuadrantPoint
 * @property {number} number
 * @property {number} x
 * @property {number} y
 * @property {Quadrant} quadrant
 * @property {boolean} uncertain
 * @property {Array<{ id: string, label: string, uncertain: boolean }>} criteria
 */

/**
 * @typedef {object} QuadrantChartData
 * @property {'nb' | 'en'} lang
 * @property {QuadrantPoint[]} points
 * @property {{ x: number | null, y: number | null }} crosshair
 * @property {Record<Quadrant, string>} quadrants
 * @property {{ x: string, y: string }} axes
 * @property {string} uncertain
 * @property {{ min: number, max: number }} [yRange] the vertical axis's range when it is not a 1–10 score
 */

/**
 * A drawn label's box in CSS pixels of the canvas.
 * @typedef {{ kind: 'corner' | 'point', text: string, left: number, top: number, width: number, height: number }} LabelBox
 */

/** Colour per quadrant (each ≥ 4.5:1 on white); the shape says the same without colour. */
export const QUADRANT_COLOURS = {
  concentrate: '#b3261e',
  keep: '#1d6b34',
  low: '#566074',
  overkill: '#1f5fbf',
};

/** @type {Record<Quadrant, import('chart.js').PointStyle>} */
export const QUADRANT_POINT_STYLES = {
  concentrate: 'triangle',
  keep: 'circle',
  low: 'rect',
  overkill: 'rectRot',
};

const POINT_RADIUS = 6;
const INK = '#1d2330';
const MUTED = '#566074';

/**
 * A number as the report prints it: two decimals in the reader's locale, a real minus sign. Here, beside
 * the quadrant chart that uses it; report-charts.js re-exports it for the other charts.
 * @param {'nb' | 'en'} lang
 * @returns {(value: number | null | undefined) => string}
 */
export function numberFormatter(lang) {
  const numberFormat = new Intl.NumberFormat(lang === 'en' ? 'en-GB' : 'nb-NO', {
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  return (value) =>
    value === null || value === undefined ? '–' : numberFormat.format(value).replace('-', '−');
}

/**
 * @param {{ left: number, top: number, width: number, height: number }} a
 * @param {{ left: number, top: number, width: number, height: number }} b
 */
export function boxesOverlap(a, b) {
  return (
    a.left < b.left + b.width &&
    b.left < a.left + a.width &&
    a.top < b.top + b.height &&
    b.top < a.top + a.height
  );
}

/**
 * Splits a text into lines no wider than `maxWidth` (a word longer than that keeps a line of its own).
 * @param {(text: string) => number} measure
 * @param {string} text
 * @param {number} maxWidth
 */
export function wrapText(measure, text, maxWidth) {
  /** @type {string[]} */
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && measure(candidate) > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

// Directions tried around a point, right first (where readers look for a label), then the others.
const DIRECTIONS = [
  [1, 0],
  [1, -1],
  [0, -1],
  [-1, -1],
  [-1, 0],
  [-1, 1],
  [0, 1],
  [1, 1],
];

/**
 * Places one box of `width` × `height` beside each anchor so that no two boxes overlap, no box covers an
 * anchor's marker or an obstacle, and every box stays inside `area`. Tries eight directions at growing
 * distances; gives up (overlapping) only when the area has no room left.
 * @param {Array<{ x: number, y: number, width: number, height: number }>} anchors
 * @param {Array<{ left: number, top: number, width: number, height: number }>} obstacles
 * @param {{ left: number, top: number, right: number, bottom: number }} area
 * @param {number} markerRadius
 */
export function placeLabels(anchors, obstacles, area, markerRadius) {
  const markers = anchors.map(({ x, y }) => ({
    left: x - markerRadius,
    top: y - markerRadius,
    width: 2 * markerRadius,
    height: 2 * markerRadius,
  }));
  const taken = [...obstacles, ...markers];
  const maxDistance = Math.max(area.right - area.left, area.bottom - area.top);
  return anchors.map(({ x, y, width, height }) => {
    /** @type {{ left: number, top: number, width: number, height: number } | null} */
    let first = null;
    for (let distance = markerRadius + 2; distance <= maxDistance; distance += distance < 24 ? 4 : 8) {
      for (const [dx = 0, dy = 0] of DIRECTIONS) {
        const centreX = x + dx * (distance + width / 2);
        const centreY = y + dy * (distance + height / 2);
        const box = { left: centreX - width / 2, top: centreY - height / 2, width, height };
        first ??= box;
        const inside =
          box.left >= area.left &&
          box.top >= area.top &&
          box.left + width <= area.right &&
          box.top + height <= area.bottom;
        if (inside && !taken.some((other) => boxesOverlap(box, other))) {
          taken.push(box);
          return { ...box, leader: distance > markerRadius + 6 };
        }
      }
    }
    const fallback = first ?? { left: x, top: y, width, height };
    taken.push(fallback);
    return { ...fallback, leader: true };
  });
}

/**
 * Crosshair lines and the quadrant names (under the points), then each point's number (over them).
 * @param {QuadrantChartData} data
 * @param {{ fontFamily: string }} target
 * @returns {import('chart.js').Plugin<'scatter'>}
 */
function quadrantDecorations(data, target) {
  /** @type {LabelBox[]} */
  let corners = [];
  return {
    id: 'quadrantDecorations',
    beforeDatasetsDraw(chart) {
      const { ctx, chartArea: area, scales } = chart;
      const { x: crossX, y: crossY } = data.crosshair;
      ctx.save();
      if (crossX !== null && crossY !== null && scales.x && scales.y) {
        const x = scales.x.getPixelForValue(crossX);
        const y = scales.y.getPixelForValue(crossY);
        ctx.strokeStyle = MUTED;
        ctx.setLineDash([5, 4]);
        ctx.beginPath();
        ctx.moveTo(x, area.top);
        ctx.lineTo(x, area.bottom);
        ctx.moveTo(area.left, y);
        ctx.lineTo(area.right, y);
        ctx.stroke();
        ctx.setLineDash([]);
      }

      // Each name wraps within half the chart's width, so opposite corners never meet, even at 375 px.
      const pad = 6;
      const maxWidth = (area.right - area.left) / 2 - 2 * pad;
      const fontSize = area.right - area.left < 360 ? 11 : 12;
      const lineHeight = fontSize + 3;
      ctx.font = `600 ${fontSize}px ${target.fontFamily}`;
      ctx.textBaseline = 'top';
      const measure = (/** @type {string} */ text) => ctx.measureText(text).width;
      /** @type {Array<[Quadrant, 'left' | 'right', 'top' | 'bottom']>} */
      const places = [
        ['concentrate', 'left', 'top'],
        ['keep', 'right', 'top'],
        ['low', 'left', 'bottom'],
        ['overkill', 'right', 'bottom'],
      ];
      corners = places.map(([quadrant, side, edge]) => {
        const text = data.quadrants[quadrant];
        const lines = wrapText(measure, text, maxWidth);
        const width = Math.min(maxWidth, Math.max(...lines.map(measure)));
        const height = lines.length * lineHeight;
        const left = side === 'left' ? area.left + pad : area.right - pad - width;
        const top = edge === 'top' ? area.top + pad : area.bottom - pad - height;
        // A light backing keeps the name readable where a grid or crosshair line runs under it.
        ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
        ctx.fillRect(left - 2, top - 1, width + 4, height + 1);
        ctx.fillStyle = QUADRANT_COLOURS[quadrant];
        ctx.textAlign = side;
        lines.forEach((line, index) => {
          ctx.fillText(line, side === 'left' ? left : left + width, top + index * lineHeight, maxWidth);
        });
        return { kind: 'corner', text, left, top, width, height };
      });
      ctx.restore();
    },
    afterDatasetsDraw(chart) {
      const { ctx, chartArea: area } = chart;
      const meta = chart.getDatasetMeta(0);
      ctx.save();
      ctx.font = `700 11px ${target.fontFamily}`;
      const anchors = data.points.map((point, index) => {
        const element = meta.data[index];
        return {
          x: element?.x ?? 0,
          y: element?.y ?? 0,
          width: ctx.measureText(String(point.number)).width + 6,
          height: 14,
        };
      });
      const placed = placeLabels(anchors, corners, area, POINT_RADIUS + 1);
      ctx.textAlign = 'center';
      ctx.textBaseline = 'middle';
      /** @type {LabelBox[]} */
      const boxes = [...corners];
      placed.forEach((box, index) => {
        const point = data.points[index];
        const anchor = anchors[index];
        if (!point || !anchor) return;
        const colour = QUADRANT_COLOURS[point.quadrant];
        if (box.leader) {
          ctx.strokeStyle = colour;
          ctx.lineWidth = 1;
          ctx.beginPath();
          ctx.moveTo(anchor.x, anchor.y);
          ctx.lineTo(
            Math.max(box.left, Math.min(anchor.x, box.left + box.width)),
            Math.max(box.top, Math.min(anchor.y, box.top + box.height)),
          );
          ctx.stroke();
        }
        ctx.fillStyle = '#ffffff';
        ctx.fillRect(box.left, box.top, box.width, box.height);
        ctx.strokeStyle = colour;
        ctx.strokeRect(box.left + 0.5, box.top + 0.5, box.width - 1, box.height - 1);
        ctx.fillStyle = INK;
        ctx.fillText(String(point.number), box.left + box.width / 2, box.top + box.height / 2 + 0.5);
        boxes.push({
          kind: 'point',
          text: String(point.number),
          left: box.left,
          top: box.top,
          width: box.width,
          height: box.height,
        });
      });
      ctx.restore();
      // In the browser, for tests and tools: where every label went (CSS pixels of the canvas).
      const canvas = /** @type {{ dataset?: Record<string, string> }} */ (
        /** @type {unknown} */ (chart.canvas)
      );
      if (canvas.dataset) canvas.dataset.labelBoxes = JSON.stringify(boxes);
    },
  };
}

/**
 * Customer performance (x) against customer importance (y): crosshairs, quadrant names, one numbered point
 * per place, coloured and shaped by quadrant, hollow when a placement there is uncertain.
 * @param {QuadrantChartData} data
 * @param {{ fontFamily: string }} target
 * @returns {import('chart.js').ChartConfiguration<'scatter'>}
 */
export function quadrantChartConfig(data, target) {
  const format = numberFormatter(data.lang);
  // Both axes on the 1–10 scale share one range; a vertical axis of another kind (derived importance, r)
  // brings its own range and the horizontal one fits the delivery scores alone.
  /** @param {number[]} values */
  const scoreRange = (values) => ({
    min: Math.max(1, Math.floor(Math.min(...values) - 0.5)),
    max: Math.min(10, Math.ceil(Math.max(...values) + 0.5)),
  });
  const xs = data.points.map((point) => point.x);
  const xRange = data.yRange ? scoreRange(xs) : scoreRange([...xs, ...data.points.map((point) => point.y)]);
  const yRange = data.yRange ?? xRange;
  const colours = data.points.map((point) => QUADRANT_COLOURS[point.quadrant]);
  return {
    type: 'scatter',
    data: {
      datasets: [
        {
          label: data.axes.y,
          data: data.points.map((point) => ({ x: point.x, y: point.y })),
          pointStyle: data.points.map((point) => QUADRANT_POINT_STYLES[point.quadrant]),
          backgroundColor: data.points.map((point, index) =>
            point.uncertain ? '#ffffff' : (colours[index] ?? INK),
          ),
          borderColor: colours,
          borderWidth: 2,
          pointRadius: POINT_RADIUS,
          pointHoverRadius: POINT_RADIUS + 2,
          // A point on the scale's end (a 10) is drawn whole, not cut in half by the chart area.
          clip: POINT_RADIUS + 3,
        },
      ],
    },
    options: {
      maintainAspectRatio: false,
      layout: { padding: { right: POINT_RADIUS + 4, top: POINT_RADIUS + 4 } },
      scales: {
        x: { ...xRange, title: { display: true, text: data.axes.x } },
        y: { ...yRange, title: { display: true, text: data.axes.y } },
      },
      plugins: {
        legend: { display: false },
        tooltip: {
          callbacks: {
            title: (items) => {
              const point = data.points[items[0]?.dataIndex ?? -1];
              return point ? `${point.number}: ${data.quadrants[point.quadrant]}` : '';
            },
            label: (item) => {
              const point = data.points[item.dataIndex];
              if (!point) return '';
              return [
                ...point.criteria.map(
                  (criterion) => `${criterion.label}${criterion.uncertain ? ` (${data.uncertain})` : ''}`,
                ),
                `${data.axes.x} ${format(point.x)}, ${data.axes.y} ${format(point.y)}`,
              ];
            },
          },
        },
      },
    },
    plugins: [quadrantDecorations(data, target)],
  };
}
