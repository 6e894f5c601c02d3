import { readFileSync } from 'node:fs';
import * as fontkit from 'fontkit';
import PDFDocument from 'pdfkit';
import { formatNumber, type Lang, translate } from '../../lib/i18n.js';
import { FONT_FILES, renderLineChart, renderQuadrantChart } from './report.charts.js';
import type { reportPageModel } from './report.page.js';
import type { CustomerFilter } from './report.queries.js';
import './report.messages.js';
import './report.pdf.messages.js';

// The gap report as an A4 PDF: the page's model (numbers, markers, ranking) laid out with pdfkit, the
// page's charts drawn by chart.js on the server. Every glyph comes from an embedded DejaVu Sans (npm), so
// æøå, ▲▼ and − render everywhere; nothing in a report is fetched, parsed as markup or run.

type ReportPageModel = ReturnType<typeof reportPageModel>;

export interface PdfContext {
  organizationName: string;
  generatedAt: Date;
  /** The filters in force as the reader names them ("Kunde: Kunde 00"); none: the whole organisation. */
  filters: string[];
}

// Parsed once: fontkit reads a table when first asked and keeps it, and pdfkit accepts a parsed font, so each
// document only subsets the glyphs it uses instead of parsing 700 kB of font again.
const FONTS = {
  regular: fontkit.create(readFileSync(FONT_FILES.regular)) as fontkit.Font,
  bold: fontkit.create(readFileSync(FONT_FILES.bold)) as fontkit.Font,
};
const hasGlyphs = (text: string) =>
  [...text].every((char) => FONTS.regular.hasGlyphForCodePoint(char.codePointAt(0) ?? 0));
const graphemes = new Intl.Segmenter('nb', { granularity: 'grapheme' });

const A4 = { width: 595.28, height: 841.89 };
const MARGIN = 48;
const FOOTER = 28;
const WIDTH = A4.width - 2 * MARGIN;

const INK = '#1d2330';
const MUTED = '#566074';
const LINE = '#c9cfda';
const CELL = {
  bad: { fill: '#fbeaea', ink: '#a3261b' },
  good: { fill: '#e7f4ea', ink: '#1d6b34' },
  uncertain: { fill: '#fff6dd', ink: INK },
};

/** Direction overrides, embeddings and isolates would let a comment disguise itself; they are shown, not obeyed. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u061c\ufeff]/g;

/**
 * A respondent's comment as plain text for the page: line breaks kept, controls made visible or dropped,
 * and a character the embedded font cannot draw (most emoji) printed as one "�" rather than an empty box.
 */
export function printableComment(lang: Lang, text: string): string {
  const plain = text
    .replace(/\r\n?/g, '\n')
    .replace(/\t/g, ' ')
    .replace(BIDI_CONTROLS, (char) =>
      translate(lang, 'report.pdf.hiddenControl', {
        code: `U+${char.codePointAt(0)?.toString(16).toUpperCase().padStart(4, '0')}`,
      }),
    )
    .replace(INVISIBLE, '')
    .trim();
  return [...graphemes.segment(plain)]
    .map(({ segment }) => (/^\s+$/.test(segment) || hasGlyphs(segment) ? segment : '\ufffd'))
    .join('');
}

/** "Kunde: Kunde 00 Æøå", "Segment: A", "KAM: Kari" — the filters of a report, named for a reader. */
export function describeFilters(
  lang: Lang,
  filter: CustomerFilter,
  names: { accounts: Array<{ id: string; name: string }>; kams: Array<{ id: string; name: string }> },
): string[] {
  const nameOf = (list: Array<{ id: string; name: string }>, id: string) =>
    list.find((item) => item.id === id)?.name ?? id;
  const described: string[] = [];
  if (filter.accountId !== undefined)
    described.push(
      `${translate(lang, 'report.filter.account')}: ${nameOf(names.accounts, filter.accountId)}`,
    );
  if (filter.segment !== undefined)
    described.push(`${translate(lang, 'report.filter.segment')}: ${filter.segment}`);
  if (filter.kamUserId !== undefined)
    described.push(`${translate(lang, 'report.filter.kam')}: ${nameOf(names.kams, filter.kamUserId)}`);
  return described;
}

function formatDate(lang: Lang, date: Date, withTime = false): string {
  return new Intl.DateTimeFormat(lang === 'en' ? 'en-GB' : 'nb-NO', {
    timeZone: 'Europe/Oslo',
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  }).format(date);
}

/** The report of `model` as a PDF, in `lang`. */
export function renderReportPdf(model: ReportPageModel, lang: Lang, context: PdfContext): Promise<Buffer> {
  const t = (key: string, params?: Record<string, unknown>) => translate(lang, key, params);
  const num = (value: number | null | undefined) => formatNumber(lang, value);
  const doc = new PDFDocument({
    size: 'A4',
    margins: { top: MARGIN, bottom: MARGIN + FOOTER, left: MARGIN, right: MARGIN },
    bufferPages: true,
    font: FONTS.regular as unknown as string, // a parsed font, which pdfkit takes as is
    lang: lang === 'en' ? 'en-GB' : 'nb-NO',
    displayTitle: true,
    info: {
      Title: model.title,
      Author: context.organizationName,
      Creator: 'Viktig/Dyktig',
      CreationDate: context.generatedAt,
    },
  });
  doc.registerFont('regular', FONTS.regular as unknown as string);
  doc.registerFont('bold', FONTS.bold as unknown as string);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });

  const bottom = () => doc.page.height - doc.page.margins.bottom;
  const ensureSpace = (height: number) => {
    if (doc.y + height > bottom()) doc.addPage();
  };
  const heading = (text: string) => {
    ensureSpace(60);
    doc.moveDown(0.8).font('bold').fontSize(12.5).fillColor(INK).text(text, MARGIN, doc.y, { width: WIDTH });
    doc.moveDown(0.3);
  };
  const paragraph = (text: string, options: { size?: number; color?: string; bold?: boolean } = {}) => {
    doc
      .font(options.bold ? 'bold' : 'regular')
      .fontSize(options.size ?? 9.5)
      .fillColor(options.color ?? INK)
      .text(text, MARGIN, doc.y, { width: WIDTH });
  };

  // Title and what the report covers.
  doc.font('bold').fontSize(18).fillColor(INK).text(model.title, MARGIN, MARGIN, { width: WIDTH });
  doc.moveDown(0.5);
  const survey = model.survey;
  const facts: Array<[string, string]> = [
    [t('report.pdf.organization'), context.organizationName],
    [t('report.pdf.wave'), `${survey.name} (${t(`report.status.${survey.status}`)})`],
  ];
  if (survey.openedAt) facts.push([t('report.opened'), formatDate(lang, survey.openedAt)]);
  if (survey.closedAt) facts.push([t('report.closed'), formatDate(lang, survey.closedAt)]);
  else if (survey.closesAt) facts.push([t('report.closes'), formatDate(lang, survey.closesAt)]);
  facts.push([t('report.pdf.generated'), formatDate(lang, context.generatedAt, true)]);
  facts.push([
    t('report.pdf.selection'),
    context.filters.length > 0 ? context.filters.join('; ') : t('report.pdf.wholeOrganization'),
  ]);
  facts.push([t('report.responseRate'), `${model.customerRate}; ${model.sellerRate}`]);
  if (model.hasCustomerData) facts.push([t('report.deliveryIndex'), num(model.deliveryIndex)]);
  const satisfaction = model.statistics.satisfaction;
  if (satisfaction?.spread) {
    facts.push([
      t('report.satisfaction.title'),
      `${num(satisfaction.mean)} (${satisfaction.spread.nText}; ${satisfaction.spread.spreadText})`,
    ]);
  }
  if (model.comparison) {
    facts.push([t('report.compare.comparedTo'), model.comparison.comparedTo.name]);
    if (model.comparison.deliveryIndex)
      facts.push([t('report.compare.deliveryIndexChange'), model.comparison.deliveryIndex]);
  }
  for (const [label, value] of facts) {
    const y = doc.y;
    doc.font('bold').fontSize(9.5).fillColor(MUTED).text(label, MARGIN, y, { width: 120 });
    const labelBottom = doc.y;
    doc
      .font('regular')
      .fillColor(INK)
      .text(value, MARGIN + 125, y, { width: WIDTH - 125 });
    doc.y = Math.max(doc.y, labelBottom) + 2;
  }
  doc.moveDown(0.3);
  paragraph(t('report.sellerNote'), { size: 8.5, color: MUTED });

  if (model.smallSamples.length > 0) {
    doc.moveDown(0.6);
    const top = doc.y;
    const text = [t('report.smallSample.title'), ...model.smallSamples.map((line) => `• ${line}`)];
    doc.font('regular').fontSize(9.5);
    const height = doc.heightOfString(text.join('\n'), { width: WIDTH - 16 }) + 12;
    doc.rect(MARGIN, top, WIDTH, height).fill(CELL.uncertain.fill);
    doc.rect(MARGIN, top, 3, height).fill('#b05a00');
    doc.y = top + 6;
    doc
      .font('bold')
      .fontSize(9.5)
      .fillColor(INK)
      .text(text[0] ?? '', MARGIN + 10, doc.y, { width: WIDTH - 16 });
    doc.font('regular').text(text.slice(1).join('\n'), MARGIN + 10, doc.y, { width: WIDTH - 16 });
    doc.y = top + height;
  }

  // What is missing, said plainly, so that an empty section is never mistaken for a zero.
  const missing: string[] = [];
  if (model.criteria.length === 0) missing.push(t('report.pdf.missing.criteria'));
  else if (!model.hasResponses) missing.push(t('report.pdf.missing.responses'));
  else {
    // A suppressed cut (issue 13) says why its customers' figures are missing, not that there are none.
    if (model.suppressed) missing.push(model.suppressed.text, model.suppressed.explain);
    else if (!model.hasCustomerData) missing.push(t('report.pdf.missing.customers'));
    if (model.criteria.every((criterion) => criterion.sellerImportance.n === 0))
      missing.push(t('report.pdf.missing.sellers'));
  }
  if (missing.length > 0) {
    doc.moveDown(0.6);
    for (const line of missing) {
      paragraph(line, { bold: true });
      doc.moveDown(0.2);
    }
  }
  if (model.confidentialNote) {
    doc.moveDown(0.4);
    paragraph(model.confidentialNote, { size: 8.5, color: MUTED });
  }

  if (model.hasResponses && model.criteria.length > 0) {
    gapTable();
    changeTable();
    previousActions();
    concentrateList();
    charts();
    drivers();
    reliability();
    trend();
  }
  comments();
  pageNumbers();
  doc.end();
  return done;

  /** A table's header row (the gap table, the change table): shaded, bold, on a new page when it must. */
  function tableHeader(headers: readonly string[], widths: readonly number[], pad: number) {
    doc.font('bold').fontSize(6.5);
    const height =
      Math.max(...headers.map((text, i) => doc.heightOfString(text, { width: (widths[i] ?? 0) - 2 * pad }))) +
      2 * pad;
    ensureSpace(height + 30);
    const top = doc.y;
    doc.rect(MARGIN, top, WIDTH, height).fill('#eef1f6');
    let x = MARGIN;
    headers.forEach((text, i) => {
      const width = widths[i] ?? 0;
      doc
        .font('bold')
        .fontSize(6.5)
        .fillColor(INK)
        .text(text, x + pad, top + pad, { width: width - 2 * pad, align: i === 0 ? 'left' : 'right' });
      x += width;
    });
    doc.y = top + height;
  }

  function gapTable() {
    heading(t('report.table.title'));
    const valueWidth = 61;
    const countWidth = 46;
    const widths = [
      WIDTH - model.columns.length * valueWidth - 2 * countWidth,
      ...model.columns.map(() => valueWidth),
      countWidth,
      countWidth,
    ];
    const pad = 3;
    const headers = [
      t('report.criterion'),
      ...model.columns.map((column) => t(column.label)),
      t('report.nCustomers'),
      t('report.nSellers'),
    ];

    interface Cell {
      text: string;
      marker?: string;
      tone?: keyof typeof CELL;
    }
    const rowCells = (row: ReportPageModel['rows'][number]): Cell[] => [
      { text: row.sellersOnly ? `${row.label} (${t('report.sellersOnly')})` : row.label },
      // The page model's markers (report.page.ts decides which cell is marked, and how it reads).
      ...row.cells.map(
        (cell): Cell => ({
          text: num(cell.value),
          ...(cell.markerText ? { marker: cell.markerText } : {}),
          ...(cell.tone ? { tone: cell.tone } : {}),
        }),
      ),
      // n below the threshold: a star (explained under the table) on the warning colour.
      row.sellersOnly || row.customerHidden
        ? { text: '–' }
        : {
            text: `${row.customerN ?? 0}${row.customerNLow ? ' *' : ''}`,
            ...(row.customerNLow ? { tone: 'uncertain' as const } : {}),
          },
      {
        text: `${row.sellerN}${row.sellerNLow ? ' *' : ''}`,
        ...(row.sellerNLow ? { tone: 'uncertain' as const } : {}),
      },
    ];

    const cellHeight = (cell: Cell, width: number) => {
      doc.font('regular').fontSize(8);
      let height = doc.heightOfString(cell.text, { width: width - 2 * pad });
      if (cell.marker) {
        doc.font('bold').fontSize(6.5);
        height += doc.heightOfString(cell.marker, { width: width - 2 * pad });
      }
      return height + 2 * pad;
    };

    const drawHeader = () => tableHeader(headers, widths, pad);

    drawHeader();
    for (const row of model.rows) {
      const cells = rowCells(row);
      const height = Math.max(...cells.map((cell, i) => cellHeight(cell, widths[i] ?? 0)));
      if (doc.y + height > bottom()) {
        doc.addPage();
        drawHeader();
      }
      const top = doc.y;
      let x = MARGIN;
      cells.forEach((cell, i) => {
        const width = widths[i] ?? 0;
        const tone = cell.tone ? CELL[cell.tone] : null;
        if (tone) doc.rect(x, top, width, height).fill(tone.fill);
        const align = i === 0 ? 'left' : 'right';
        doc
          .font('regular')
          .fontSize(8)
          .fillColor(tone?.ink ?? INK)
          .text(cell.text, x + pad, top + pad, { width: width - 2 * pad, align });
        if (cell.marker)
          doc
            .font('bold')
            .fontSize(7)
            .text(cell.marker, x + pad, doc.y, { width: width - 2 * pad, align });
        x += width;
      });
      doc
        .moveTo(MARGIN, top + height)
        .lineTo(MARGIN + WIDTH, top + height)
        .lineWidth(0.5)
        .strokeColor(LINE)
        .stroke();
      doc.y = top + height;
    }
    doc.moveDown(0.4);
    paragraph(t('report.table.caption'), { size: 7.5, color: MUTED });
    // The page's legend: what ▼ ▲ and ⚠ ✓ mean, ties included.
    paragraph(t('report.table.legend'), { size: 7.5, color: MUTED });
    paragraph(t('report.pdf.markers', { threshold: survey.smallSampleThreshold }), {
      size: 7.5,
      color: MUTED,
    });
  }

  /** The page's change table: per criterion and series the earlier mean, the change, its arrow or why none. */
  function changeTable() {
    const comparison = model.comparison;
    if (!comparison) return;
    heading(comparison.title);
    paragraph(comparison.intro, { size: 8.5, color: MUTED });
    for (const note of comparison.suppressedNotes) paragraph(note, { size: 8.5, bold: true });
    doc.moveDown(0.3);
    const seriesWidth = 118;
    const widths = [
      WIDTH - comparison.series.length * seriesWidth,
      ...comparison.series.map(() => seriesWidth),
    ];
    const pad = 3;
    const headers = [
      t('report.criterion'),
      ...comparison.series.map(
        (series) => `${t(series.label)}: ${t('report.compare.before')} → ${t('report.compare.change')}`,
      ),
    ];
    type ChangeRow = NonNullable<ReportPageModel['comparison']>['rows'][number];
    const linesOf = (cell: ChangeRow['cells'][number]): string[] => {
      const change = cell.change;
      if (change === null) return ['–'];
      const arrow = change.arrowSymbol ? ` ${change.arrowSymbol}` : '';
      return [
        `${num(change.previousMean)} → ${change.deltaText}${arrow}`,
        ...(change.arrowText ? [change.arrowText] : []),
        ...(change.fewAnswersText ? [change.fewAnswersText] : []),
        change.testText,
      ];
    };

    const drawHeader = () => tableHeader(headers, widths, pad);

    drawHeader();
    for (const row of comparison.rows) {
      // A criterion the compared wave did not ask reads so across the three series.
      const cells: Array<{ lines: string[]; width: number }> = row.notAskedThen
        ? [
            { lines: [row.label], width: widths[0] ?? 0 },
            { lines: [t('report.compare.notAskedThen')], width: WIDTH - (widths[0] ?? 0) },
          ]
        : [
            { lines: [row.label], width: widths[0] ?? 0 },
            ...row.cells.map((cell, i) => ({ lines: linesOf(cell), width: widths[i + 1] ?? 0 })),
          ];
      doc.font('regular').fontSize(8);
      const height =
        Math.max(
          ...cells.map((cell) => doc.heightOfString(cell.lines.join('\n'), { width: cell.width - 2 * pad })),
        ) +
        2 * pad;
      if (doc.y + height > bottom()) {
        doc.addPage();
        drawHeader();
      }
      const top = doc.y;
      let x = MARGIN;
      cells.forEach((cell, i) => {
        doc
          .font('regular')
          .fontSize(8)
          .fillColor(INK)
          .text(cell.lines.join('\n'), x + pad, top + pad, {
            width: cell.width - 2 * pad,
            align: i === 0 ? 'left' : 'right',
          });
        x += cell.width;
      });
      doc
        .moveTo(MARGIN, top + height)
        .lineTo(MARGIN + WIDTH, top + height)
        .lineWidth(0.5)
        .strokeColor(LINE)
        .stroke();
      doc.y = top + height;
    }
    doc.moveDown(0.4);
    paragraph(t('report.compare.caption'), { size: 7.5, color: MUTED });
    paragraph(comparison.legend, { size: 7.5, color: MUTED });
  }

  function previousActions() {
    const actions = model.previousActions;
    if (!actions) return;
    heading(actions.title);
    paragraph(t('report.actions.caption'), { size: 8.5, color: MUTED });
    doc.moveDown(0.3);
    let criterion = '';
    for (const row of actions.rows) {
      if (row.criterion !== null) criterion = row.criterion;
      const account = row.account ?? t('report.actions.wholeWave');
      const arrow = row.arrowSymbol ? ` ${row.arrowSymbol}` : '';
      paragraph(`${criterion}: ${row.title} (${account}) — ${row.summary}${arrow}`, { size: 9 });
    }
  }

  /** Derived importance beside stated importance, with where they disagree (issue 12). */
  function drivers() {
    const derived = model.statistics.derived;
    if (!derived) return;
    ensureSpace(80);
    heading(t('report.derived.title'));
    paragraph(t('report.derived.intro'), { size: 8.5, color: MUTED });
    doc.moveDown(0.3);
    for (const row of derived.rows) {
      const r = row.rText === null ? '–' : `r = ${row.rText}`;
      const disagreement = row.disagreement ? ` — ${row.disagreement}` : '';
      paragraph(
        `${row.label}: ${t('report.derived.stated')} ${num(row.stated)}, ${r}, n = ${row.n} — ${row.reading}${disagreement}`,
        { size: 9 },
      );
    }
  }

  /** Cronbach's α per series with α-if-deleted (issue 12). */
  function reliability() {
    ensureSpace(80);
    heading(t('report.reliability.title'));
    paragraph(t('report.reliability.intro'), { size: 8.5, color: MUTED });
    doc.moveDown(0.3);
    for (const series of model.statistics.reliability) {
      const alpha = series.alphaText === undefined ? '–' : series.alphaText;
      paragraph(`${series.label}: α = ${alpha}, k = ${series.k}, n = ${series.n} — ${series.reading}`, {
        size: 9,
        bold: true,
      });
      if (series.items.length > 0) {
        const items = series.items
          .map(
            (item) =>
              `${item.label} ${item.ifDeleted ?? '–'}${item.raises ? ` (${t('report.reliability.raises')})` : ''}`,
          )
          .join('; ');
        paragraph(`${t('report.reliability.ifDeleted')}: ${items}`, { size: 8, color: MUTED });
      }
    }
  }

  /** The trend across the series as a text table: per criterion, its mean and n in each wave. */
  function trend() {
    const trendModel = model.trend;
    if (!trendModel?.comparable) return;
    ensureSpace(80);
    heading(t('report.trend.title'));
    paragraph(t('report.trend.caption'), { size: 8.5, color: MUTED });
    doc.moveDown(0.3);
    const waves = trendModel.waves.map((wave) =>
      wave.current ? `${wave.name} ${t('report.trend.current')}` : wave.name,
    );
    paragraph(waves.join(' → '), { size: 8.5, bold: true });
    const index = trendModel.deliveryIndexCells
      .map((cell) => cell.suppressedText ?? (cell.value === null ? '–' : num(cell.value)))
      .join(' → ');
    paragraph(`${t('report.deliveryIndex')}: ${index}`, { size: 9 });
    for (const row of trendModel.rows) {
      const cells = row.cells
        .map((cell) =>
          cell.suppressedText !== undefined
            ? cell.suppressedText
            : cell.asked
              ? `${cell.mean === null || cell.mean === undefined ? '–' : num(cell.mean)} (${cell.nText})`
              : t('report.trend.notAsked'),
        )
        .join(' → ');
      paragraph(`${row.label}: ${cells}`, { size: 9 });
    }
  }

  function concentrateList() {
    heading(t('report.concentrate.title'));
    paragraph(t('report.concentrate.intro'), { size: 8.5, color: MUTED });
    doc.moveDown(0.3);
    if (model.concentrate.length === 0) {
      paragraph(model.suppressed ? model.suppressed.text : t('report.concentrate.none'));
      return;
    }
    model.concentrate.forEach((criterion, index) => {
      const uncertain = criterion.uncertain ? ` (${model.chartData.uncertain})` : '';
      paragraph(
        `${index + 1}. ${criterion.label}: ${t('report.deliveryGap')} ${num(criterion.deliveryGap)}, n = ${criterion.n}${uncertain}`,
      );
    });
    if (model.concentrateFewAnswers) paragraph(model.concentrateFewAnswers, { size: 8.5, color: MUTED });
  }

  function charts() {
    const lineHeight = WIDTH * 0.5;
    ensureSpace(lineHeight + 50); // the heading stays with its chart
    heading(t('report.lineChart.title'));
    doc.image(renderLineChart(model.chartData, { width: 720, height: 360 }), MARGIN, doc.y, {
      width: WIDTH,
      height: lineHeight,
    });
    doc.y += lineHeight;

    if (!model.hasCustomerData || model.chartData.points.length === 0) return;
    // As large as the rest of the page allows, down to a readable minimum; else on a page of its own.
    const room = bottom() - doc.y - 70;
    if (room < 300) doc.addPage();
    const side = Math.min(WIDTH * 0.8, Math.max(room, 300));
    heading(t('report.quadrantChart.title'));
    paragraph(model.crosshairText, { size: 8.5, color: MUTED });
    doc.moveDown(0.3);
    doc.image(renderQuadrantChart(model.chartData, { width: 560, height: 560 }), MARGIN, doc.y, {
      width: side,
      height: side,
    });
    doc.y += side + 6;
    // The chart numbers its points; this says which criteria each number stands for.
    for (const point of model.points) {
      const names = point.criteria
        .map((criterion) =>
          criterion.uncertain ? `${criterion.label} (${model.chartData.uncertain})` : criterion.label,
        )
        .join(', ');
      paragraph(`${point.number}. ${names} — ${point.quadrantText}`, { size: 8 });
    }
  }

  function comments() {
    heading(t('report.comments.title'));
    if (model.suppressed) {
      paragraph(model.suppressed.text, { bold: true });
      doc.moveDown(0.2);
    }
    if (model.comments.length === 0) {
      paragraph(t('report.comments.none'));
      return;
    }
    for (const comment of model.comments) {
      ensureSpace(40);
      doc.moveDown(0.3);
      paragraph(printableComment(lang, comment.comment));
      paragraph(`— ${comment.from}`, { size: 8, color: MUTED });
    }
  }

  function pageNumbers() {
    const range = doc.bufferedPageRange();
    for (let index = range.start; index < range.start + range.count; index++) {
      doc.switchToPage(index);
      const margins = doc.page.margins;
      doc.page.margins = { ...margins, bottom: 0 };
      doc
        .font('regular')
        .fontSize(8)
        .fillColor(MUTED)
        .text(t('report.pdf.page', { page: index + 1, pages: range.count }), MARGIN, A4.height - MARGIN, {
          width: WIDTH,
          align: 'center',
          lineBreak: false,
        });
      doc.page.margins = margins;
    }
  }
}
