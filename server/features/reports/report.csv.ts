import type { CompiledQuery } from 'kysely';
import type pg from 'pg';
import { type Lang, translate } from '../../lib/i18n.js';
import type { ExportRow } from './report.queries.js';

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

/** The export as UTF-8 text with a BOM (so Excel reads æøå), `;`-separated as Norwegian Excel expects. */
export async function* csvLines(lang: Lang, rows: AsyncIterable<ExportRow>): AsyncGenerator<string> {
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
      row.submittedAt.toISOString(),
    ]);
    count += 1;
    if (count % 500 === 0) {
      yield batch;
      batch = '';
    }
  }
  if (batch) yield batch;
}

// A cell a spreadsheet would read as a formula (=, +, -, @, or a leading tab/CR) is kept as text.
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field, always quoted. */
export function csvField(value: string | number | null): string {
  if (value === null) return '""';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

export function csvLine(values: ReadonlyArray<string | number | null>): string {
  return `${values.map(csvField).join(';')}\r\n`;
}

/** An ASCII file name for every client, and the exact one (RFC 6266 filename*) for those that read it. */
export function contentDisposition(surveyName: string): string {
  const ascii =
    surveyName
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .replace(/[æÆ]/g, 'ae')
      .replace(/[øØ]/g, 'o')
      .replace(/[^A-Za-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .toLowerCase() || 'survey';
  return `attachment; filename="${ascii}.csv"; filename*=UTF-8''${encodeURIComponent(surveyName)}.csv`;
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
