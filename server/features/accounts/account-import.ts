import { CsvError, parse } from 'csv-parse/sync';
import { z } from 'zod';
import { emailSchema, isRoleAddress, normalizeEmail } from '../../lib/email.js';

export type ImportLanguage = 'nb' | 'en';
export type CsvDelimiter = ';' | ',';

export interface ImportRow {
  /** 1-based line in the file where the row starts; the header is line 1. */
  line: number;
  accountName: string;
  segment: string | null;
  kamEmail: string | null;
  contactName: string | null;
  contactEmail: string | null;
  language: ImportLanguage;
  /** Block the row. */
  errors: string[];
  /** Shown, but do not block the row. */
  warnings: string[];
}

/** When fileErrors is not empty, rows is empty. */
export interface ImportPreview {
  delimiter: CsvDelimiter;
  rows: ImportRow[];
  fileErrors: string[];
}

export interface ParseAccountCsvOptions {
  maxRows?: number;
}

const DEFAULT_MAX_ROWS = 5000;
const MAX_ACCOUNT_NAME_LENGTH = 200;
const MAX_SEGMENT_LENGTH = 40;
const MAX_CONTACT_NAME_LENGTH = 200;

const NOT_UTF8_MESSAGE =
  'The file is not valid UTF-8 text (it was probably saved as Latin-1/Windows-1252). ' +
  'In Excel, choose Save as › "CSV UTF-8 (kommadelt)" / "CSV UTF-8 (Comma delimited)" and upload it again.';

const FIELDS = ['accountName', 'segment', 'kamEmail', 'contactName', 'contactEmail', 'language'] as const;
type Field = (typeof FIELDS)[number];

const FIELD_LABELS: Record<Field, string> = {
  accountName: 'account',
  segment: 'segment',
  kamEmail: 'KAM email',
  contactName: 'contact name',
  contactEmail: 'contact email',
  language: 'language',
};

// Header names after normalizeHeader: lower case, runs of space/'_'/'-' as one '_'.
const HEADER_ALIASES: Record<Field, readonly string[]> = {
  accountName: [
    'account',
    'account_name',
    'konto',
    'kontonavn',
    'kunde',
    'kundenavn',
    'firma',
    'firmanavn',
    'name',
    'navn',
  ],
  segment: ['segment'],
  kamEmail: ['kam', 'kam_email', 'kam_e_post', 'kam_epost', 'ansvarlig'],
  contactName: ['contact', 'contact_name', 'kontakt', 'kontaktperson', 'kontaktnavn'],
  contactEmail: ['email', 'e_mail', 'e_post', 'epost', 'contact_email', 'kontakt_e_post', 'kontakt_epost'],
  language: ['language', 'språk', 'sprak'],
};

const FIELD_BY_HEADER: ReadonlyMap<string, Field> = new Map(
  FIELDS.flatMap((field) => HEADER_ALIASES[field].map((alias): [string, Field] => [alias, field])),
);

const LANGUAGE_BY_VALUE: ReadonlyMap<string, ImportLanguage> = new Map([
  ['nb', 'nb'],
  ['no', 'nb'],
  ['norsk', 'nb'],
  ['bokmål', 'nb'],
  ['en', 'en'],
  ['english', 'en'],
  ['engelsk', 'en'],
]);

// csv-parse's types do not describe the output of `info: true`, so it is parsed, not cast.
const parsedRecordsSchema = z.array(
  z.object({ info: z.object({ lines: z.number() }), record: z.array(z.string()) }),
);

// CR, LF, NUL and the other C0/C1 controls except tab: a cell holding one is
// either a broken export or an attempt to inject mail headers.
const CONTROL_CHARACTER = /(?!\t)\p{Cc}/u;

const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

type ColumnMap = Partial<Record<Field, number>>;
interface DataRecord {
  line: number;
  cells: string[];
}

function fileError(message: string, delimiter: CsvDelimiter = ';'): ImportPreview {
  return { delimiter, rows: [], fileErrors: [message] };
}

/** The text without BOM and with '\n' line ends, or null when it is not UTF-8. */
function decode(input: Buffer | string): string | null {
  let text: string;
  if (typeof input === 'string') {
    // U+FFFD means an earlier decode already replaced bytes that were not UTF-8.
    if (input.includes('\uFFFD')) return null;
    text = input;
  } else {
    try {
      text = utf8Decoder.decode(input);
    } catch {
      return null;
    }
  }
  // Normalising line ends keeps csv-parse's line count right (it counts a
  // quoted CRLF as two lines); a line break inside a cell is an error anyway.
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
}

function normalizeHeader(name: string): string {
  return name
    .normalize('NFC')
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '_');
}

function detectDelimiter(text: string): CsvDelimiter {
  const headerLine = /^.*\S.*$/m.exec(text)?.[0] ?? '';
  const score = (delimiter: CsvDelimiter) => {
    const names = headerLine.split(delimiter).map(normalizeHeader);
    return { known: names.filter((name) => FIELD_BY_HEADER.has(name)).length, fields: names.length };
  };
  const semicolon = score(';');
  const comma = score(',');
  if (comma.known !== semicolon.known) return comma.known > semicolon.known ? ',' : ';';
  return comma.fields > semicolon.fields ? ',' : ';';
}

function readRecords(text: string, delimiter: CsvDelimiter): { records: DataRecord[] } | { error: string } {
  try {
    const output = parse(text, {
      delimiter,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: true,
    });
    const records = parsedRecordsSchema.parse(output).map(({ info, record }) => {
      // info.lines is the line where the record ends; quoted cells may span lines.
      const linesInside = record.reduce((sum, cell) => sum + cell.split('\n').length - 1, 0);
      return { line: info.lines - linesInside, cells: record };
    });
    return { records };
  } catch (error) {
    if (!(error instanceof CsvError)) throw error;
    const where = typeof error.lines === 'number' ? ` at line ${error.lines}` : '';
    return { error: `The file could not be read as CSV${where}: ${error.message}` };
  }
}

function mapColumns(header: readonly string[]): { columns: ColumnMap; errors: string[] } {
  const columns: ColumnMap = {};
  const errors: string[] = [];
  header.forEach((name, index) => {
    const field = FIELD_BY_HEADER.get(normalizeHeader(name));
    if (field === undefined) return;
    const earlier = columns[field];
    if (earlier === undefined) {
      columns[field] = index;
    } else {
      errors.push(
        `Columns "${header[earlier]}" and "${name}" both mean ${FIELD_LABELS[field]}: keep only one of them`,
      );
    }
  });
  if (columns.accountName === undefined) errors.unshift('Missing column: account');
  return { columns, errors };
}

function characterCount(value: string): number {
  return [...value].length;
}

function toImportRow({ line, cells }: DataRecord, columns: ColumnMap): ImportRow {
  const errors: string[] = [];
  const warnings: string[] = [];

  /** The trimmed cell, null when empty; records an error when it holds a control character. */
  const readCell = (field: Field): { value: string | null; safe: boolean } => {
    const index = columns[field];
    const value = (index === undefined ? '' : (cells[index] ?? '')).normalize('NFC').trim();
    const safe = !CONTROL_CHARACTER.test(value);
    if (!safe) errors.push(`Line break or control character in ${FIELD_LABELS[field]}`);
    return { value: value === '' ? null : value, safe };
  };
  const requireMaxLength = (value: string | null, max: number, label: string) => {
    if (value !== null && characterCount(value) > max)
      errors.push(`${label} is longer than ${max} characters`);
  };
  const readEmail = (field: 'kamEmail' | 'contactEmail', invalidMessage: string): string | null => {
    const { value, safe } = readCell(field);
    if (value === null || !safe) return value;
    const result = emailSchema.safeParse(value);
    if (result.success) return result.data;
    errors.push(`${invalidMessage}: ${value}`);
    return value;
  };

  const accountName = readCell('accountName');
  if (accountName.safe && accountName.value === null) errors.push('Account name is missing');
  requireMaxLength(accountName.value, MAX_ACCOUNT_NAME_LENGTH, 'Account name');

  const segment = readCell('segment');
  requireMaxLength(segment.value, MAX_SEGMENT_LENGTH, 'Segment');

  const kamEmail = readEmail('kamEmail', 'Invalid KAM email address');

  const contactName = readCell('contactName');
  requireMaxLength(contactName.value, MAX_CONTACT_NAME_LENGTH, 'Contact name');

  const contactEmail = readEmail('contactEmail', 'Invalid email address');
  if (contactName.value !== null && contactEmail === null) {
    errors.push('Contact name without an email address');
  }
  if (contactEmail !== null && isRoleAddress(contactEmail)) {
    warnings.push(
      `Generic role address (${contactEmail}): surveys sent to generic addresses lose validity; invite a named person`,
    );
  }

  const languageCell = readCell('language');
  const language =
    languageCell.value === null ? 'nb' : LANGUAGE_BY_VALUE.get(languageCell.value.toLowerCase());
  if (language === undefined && languageCell.safe) {
    errors.push(`Invalid language: ${languageCell.value} (use nb or en)`);
  }

  return {
    line,
    accountName: accountName.value ?? '',
    segment: segment.value,
    kamEmail,
    contactName: contactName.value,
    contactEmail,
    language: language ?? 'nb',
    errors,
    warnings,
  };
}

/** Identity of a row within one file, or null when the row is too broken to compare. */
function duplicateKey(row: ImportRow): string | null {
  const email = row.contactEmail === null ? '' : normalizeEmail(row.contactEmail);
  if (row.accountName === '' || email === null) return null;
  const account = row.accountName.toLowerCase().replace(/\s+/g, ' ');
  return `${account}\u0000${email.toLowerCase()}`;
}

function markDuplicates(rows: readonly ImportRow[]): ImportRow[] {
  const firstLineByKey = new Map<string, number>();
  return rows.map((row) => {
    const key = duplicateKey(row);
    if (key === null) return row;
    const firstLine = firstLineByKey.get(key);
    if (firstLine === undefined) {
      firstLineByKey.set(key, row.line);
      return row;
    }
    return { ...row, errors: [...row.errors, `Duplicate of line ${firstLine}`] };
  });
}

/**
 * Reads an uploaded account/contact CSV into a preview. Never throws on bad
 * input: problems with the whole file go to fileErrors, problems with a row to
 * that row's errors. Duplicates against the database are checked elsewhere.
 */
export function parseAccountCsv(input: Buffer | string, options: ParseAccountCsvOptions = {}): ImportPreview {
  const maxRows = options.maxRows ?? DEFAULT_MAX_ROWS;

  const text = decode(input);
  if (text === null) return fileError(NOT_UTF8_MESSAGE);

  const delimiter = detectDelimiter(text);
  const parsed = readRecords(text, delimiter);
  if ('error' in parsed) return fileError(parsed.error, delimiter);

  const [header, ...records] = parsed.records;
  if (header === undefined) return fileError('The file is empty', delimiter);

  const { columns, errors } = mapColumns(header.cells);
  if (errors.length > 0) return { delimiter, rows: [], fileErrors: errors };

  // Excel writes rows of bare delimiters (";;;") below the data.
  const dataRecords = records.filter((record) => record.cells.some((cell) => cell.trim() !== ''));
  if (dataRecords.length > maxRows) {
    return fileError(
      `The file has ${dataRecords.length} rows; at most ${maxRows} can be imported at once. Split it into smaller files.`,
      delimiter,
    );
  }

  const rows = markDuplicates(dataRecords.map((record) => toImportRow(record, columns)));
  return { delimiter, rows, fileErrors: [] };
}
