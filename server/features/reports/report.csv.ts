import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { SERIES } from '../../analysis/index.js';
import type { Audience } from '../../db/database.js';
import { isoWithOffset } from '../../lib/dates.js';
import { type Lang, translate } from '../../lib/i18n.js';
import { suppressedText } from './report.page.js';
import type { ExportRow, ExportScore } from './report.queries.js';
import type { SurveyReport } from './report.service.js';

const CSV_HEADER = [
  'report.csv.wave',
  'report.csv.role',
  'report.csv.account',
  'report.csv.segment',
  'report.csv.kam',
  'report.csv.criterionKey',
  'report.csv.criterion',
  'report.csv.importance',
  'report.csv.performance',
  'report.csv.comment',
  'report.csv.submittedAt',
];

/**
 * Instead of a suppressed cut's customer rows (issue 13), one customer row without scores whose comment
 * column says why ("Færre enn 3 svar"), so the file never reads as if nobody answered.
 */
export interface SuppressedNote {
  wave: string;
  text: string;
}

/** The export as UTF-8 text with a BOM (so Excel reads æøå), `;`-separated as Norwegian Excel expects. */
export async function* csvLines(
  lang: Lang,
  rows: AsyncIterable<ExportRow>,
  suppressed: SuppressedNote | null = null,
): AsyncGenerator<string> {
  yield `\uFEFF${csvLine(CSV_HEADER.map((key) => translate(lang, key)))}`;
  let batch = '';
  let count = 0;
  for await (const row of rows) {
    batch += csvLine([
      row.wave,
      translate(lang, `report.role.${row.role}`),
      row.account,
      row.segment,
      row.kam,
      row.criterionKey,
      lang === 'en' ? row.labelEn : row.labelNb,
      row.importance,
      row.performance,
      row.comment,
      row.submittedAt?.toISOString() ?? null,
    ]);
    count += 1;
    if (count % 500 === 0) {
      yield batch;
      batch = '';
    }
  }
  if (suppressed !== null) {
    const role = translate(lang, 'report.role.customer');
    batch += csvLine([
      suppressed.wave,
      role,
      null,
      null,
      null,
      null,
      null,
      null,
      null,
      suppressed.text,
      null,
    ]);
  }
  if (batch) yield batch;
}

const COMPARISON_HEADER = [
  'report.csv.wave',
  'report.csv.comparedWave',
  'report.csv.criterionKey',
  'report.csv.criterion',
  'report.csv.series',
  'report.csv.n',
  'report.csv.mean',
  'report.csv.previousN',
  'report.csv.previousMean',
  'report.csv.delta',
  'report.csv.p',
  'report.csv.significant',
  'report.csv.note',
];

/**
 * The comparison as a table: one row per criterion × series asked (a sellers-only criterion has only the
 * seller series), numbers unrounded. Without a compared wave, or for a criterion the compared wave did not
 * ask, the earlier wave's columns stay empty; "significant" is empty when no test could be run.
 */
export function* comparisonCsvLines(lang: Lang, report: SurveyReport): Generator<string> {
  yield `\uFEFF${csvLine(COMPARISON_HEADER.map((key) => translate(lang, key)))}`;
  const comparison = report.comparison;
  // A suppressed cut of either wave (issue 13): its customer columns stay empty and the note says why.
  const hidden = report.suppressed;
  const hiddenBefore = comparison?.comparedTo.suppressed ?? null;
  for (const criterion of report.gap.criteria) {
    const change = comparison?.criteria.get(criterion.id) ?? null;
    const series = criterion.audience === 'both' ? SERIES : (['sellerImportance'] as const);
    for (const name of series) {
      const stat = criterion[name];
      const seriesChange = change?.[name] ?? null;
      const customers = name !== 'sellerImportance';
      let note: string | null = null;
      if (comparison && change === null) note = translate(lang, 'report.csv.notAskedThen');
      else if (customers && hidden !== null) note = suppressedText(lang, hidden);
      else if (customers && hiddenBefore !== null)
        note = `${comparison?.comparedTo.name}: ${suppressedText(lang, hiddenBefore)}`;
      else if (seriesChange?.fewAnswers) note = translate(lang, 'report.compare.fewAnswers');
      yield csvLine([
        report.survey.name,
        comparison?.comparedTo.name ?? null,
        criterion.key,
        criterion.label,
        translate(lang, `report.series.${name}`),
        customers && hidden !== null ? null : stat.n,
        customers && hidden !== null ? null : stat.mean,
        seriesChange?.previousN ?? null,
        seriesChange?.previousMean ?? null,
        seriesChange?.delta ?? null,
        seriesChange?.p ?? null,
        seriesChange === null || seriesChange.p === null
          ? null
          : translate(lang, seriesChange.significant ? 'report.csv.yes' : 'report.csv.no'),
        note,
      ]);
    }
  }
}

export interface WideCriterion {
  id: string;
  key: string | null;
  audience: Audience;
}

/**
 * The wide layout's column of a criterion: its key, or `criterion-<n>` (its 1-based place in the wave's
 * frozen order) when it has none — a hyphen no key may contain, so the two never collide.
 */
export function wideColumnName(criterion: WideCriterion, index: number): string {
  return criterion.key ?? `criterion-${index + 1}`;
}

/**
 * The analyst's layout: one row per submitted response, fixed English column names and role codes
 * (whatever the reader's language, so scripts keep working), the submitted time in `timeZone` with its
 * offset, then `<column>.importance` for every criterion and `<column>.performance` for those customers are
 * asked, then `overall` (customers' overall satisfaction; empty for sellers and in waves that do not ask it)
 * and `comment`. Scores as in the long layout: a number, `DK` for "don't know", empty when not asked or
 * unanswered.
 * `rows` come consecutive per response (exportRowsQuery's order), so only one response is held at a time.
 */
export async function* wideCsvLines(
  criteria: readonly WideCriterion[],
  rows: AsyncIterable<ExportRow>,
  timeZone: string,
  suppressed: SuppressedNote | null = null,
): AsyncGenerator<string> {
  const columns = new Map<string, { importance: number; performance: number | undefined }>();
  const header = ['respondent_id', 'role', 'account', 'segment', 'kam', 'submitted_at'];
  for (const [index, criterion] of criteria.entries()) {
    const name = wideColumnName(criterion, index);
    const importance = header.push(`${name}.importance`) - 1;
    const performance = criterion.audience === 'both' ? header.push(`${name}.performance`) - 1 : undefined;
    columns.set(criterion.id, { importance, performance });
  }
  header.push('overall', 'comment');
  yield `\uFEFF${csvLine(header)}`;

  let current: Array<string | number | null> | undefined;
  let currentId: string | undefined;
  let batch = '';
  let count = 0;
  const flush = () => {
    if (!current) return;
    batch += csvLine(current);
    count += 1;
  };
  for await (const row of rows) {
    if (row.responseId !== currentId) {
      flush();
      currentId = row.responseId;
      const submittedAt = row.submittedAt === null ? null : isoWithOffset(row.submittedAt, timeZone);
      const scores = new Array<ExportScore>(header.length - 8).fill(null);
      current = [
        row.respondentId,
        row.role,
        row.account,
        row.segment,
        row.kam,
        submittedAt,
        ...scores,
        row.overall,
        row.comment,
      ];
      if (count > 0 && count % 500 === 0) {
        yield batch;
        batch = '';
      }
    }
    const column = columns.get(row.criterionId);
    if (!column || !current) continue;
    current[column.importance] = row.importance;
    if (column.performance !== undefined) current[column.performance] = row.performance;
  }
  flush();
  if (suppressed !== null) {
    const empty = new Array<null>(header.length - 3).fill(null);
    batch += csvLine([null, 'customer', ...empty, suppressed.text]);
  }
  if (batch) yield batch;
}

// A cell a spreadsheet would read as a formula (=, +, -, @, or a leading tab/CR) is kept as text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field, always quoted. A number stays a number (a spreadsheet reads -2 as minus two). */
export function csvField(value: string | number | null): string {
  if (value === null) return '""';
  let text = String(value);
  if (typeof value !== 'number' && FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(';')}\r\n`;
}

/**
 * Rows of a query through a server-side cursor, a batch at a time, on a client of its own: a large wave
 * is never held in memory. Stopping early (an aborted download) ends the transaction and frees the client.
 */
export async function* cursorRows<Row>(
  pool: pg.Pool,
  query: CompiledQuery,
  batchSize = 1000,
): AsyncGenerator<Row> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let committed = false;
  try {
    await client.query('begin read only');
    await client.query({
      text: `declare export_rows no scroll cursor for ${query.sql}`,
      values: [...query.parameters],
    });
    for (;;) {
      const { rows } = await client.query(`fetch ${batchSize} from export_rows`);
      for (const row of rows) yield row as Row;
      if (rows.length < batchSize) break;
    }
    await client.query('commit');
    committed = true;
  } catch (error) {
    broken = error instanceof Error ? error : new Error(String(error));
    throw error;
  } finally {
    if (!broken && !committed) {
      await client.query('rollback').catch((error: Error) => {
        broken = error;
      });
    }
    client.release(broken);
  }
}
