import { createRequire } from 'node:module';
import path from 'node:path';
import { createCanvas, GlobalFonts } from '@napi-rs/canvas';
import {
  Chart,
  type ChartConfiguration,
  type ChartItem,
  type ChartType,
  type Plugin,
  registerables,
} from 'chart.js';
import {
  lineChartConfig,
  quadrantChartConfig,
  type ReportChartData,
} from '../../../static/js/report-charts.js';

// The page's charts drawn on the server for the PDF: the same configurations (static/js/report-charts.js),
// chart.js on @napi-rs/canvas, a font from npm so the output never depends on the machine's fonts.

const fontDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')),
  'ttf',
);
export const FONT_FILES = {
  regular: path.join(fontDir, 'DejaVuSans.ttf'),
  bold: path.join(fontDir, 'DejaVuSans-Bold.ttf'),
};
const FONT_FAMILY = 'DejaVu Sans';

let registered = false;
function registerOnce() {
  if (registered) return;
  GlobalFonts.registerFromPath(FONT_FILES.regular, FONT_FAMILY);
  GlobalFonts.registerFromPath(FONT_FILES.bold, FONT_FAMILY);
  Chart.register(...registerables);
  Chart.defaults.font.family = FONT_FAMILY;
  registered = true;
}

/** chart.js leaves the canvas transparent; a PDF page wants white behind the chart. */
const whiteBackground: Plugin = {
  id: 'whiteBackground',
  beforeDraw(chart) {
    const { ctx, width, height } = chart;
    ctx.save();
    ctx.globalCompositeOperation = 'destination-over';
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.restore();
  },
};

/** Size in CSS pixels; the image has twice as many (devicePixelRatio 2) so it prints sharply. */
export interface ChartSize {
  width: number;
  height: number;
}

function render<T extends ChartType>(config: ChartConfiguration<T>, size: ChartSize): Buffer {
  registerOnce();
  const canvas = createCanvas(size.width, size.height);
  const chart = new Chart(
    canvas as unknown as ChartItem,
    {
      ...config,
      options: {
        ...config.options,
        responsive: false,
        animation: false,
        devicePixelRatio: 2,
      },
      plugins: [...(config.plugins ?? []), whiteBackground as Plugin<T>],
    } as ChartConfiguration<T>,
  );
  try {
    // JPEG rather than PNG: pdfkit embeds a JPEG as it is, while a PNG with an alpha channel (which the
    // canvas always writes) is decoded pixel by pixel in JavaScript — most of a PDF's time. At twice the
    // printed resolution and quality 92 the lines and text stay sharp on paper.
    return canvas.toBuffer('image/jpeg', 92);
  } finally {
    chart.destroy();
  }
}

const target = { fontFamily: `"${FONT_FAMILY}"` };

export function renderLineChart(data: ReportChartData, size: ChartSize): Buffer {
  return render(lineChartConfig(data, target), size);
}

export function renderQuadrantChart(data: ReportChartData, size: ChartSize): Buffer {
  return render(quadrantChartConfig(data, target), size);
}
