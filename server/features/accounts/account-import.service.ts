import type { Kysely } from 'kysely';
import type { Database, Db } from '../../db/database.js';
import { isRoleAddress, normalizeEmail } from '../../lib/email.js';
import { type Lang, translate } from '../../lib/i18n.js';
import { type ImportRow, parseAccountCsv } from './account-import.js';
import {
  findAccountsByNameKeys,
  findUsersByEmailKeys,
  insertAccount,
  insertContact,
  listContactEmailKeys,
  lowerInDatabase,
} from './accounts.queries.js';

export interface CheckedRow extends ImportRow {
  /** Facts worth knowing that change nothing (the account exists already). */
  notes: string[];
  roleAddress: boolean;
  /** lower(accountName) as the database folds it: rows with the same key go to one account. */
  accountKey: string;
  existingAccountId: string | null;
  kamUserId: string | null;
}

export interface CheckedImport {
  fileErrors: string[];
  rows: CheckedRow[];
  validCount: number;
  invalidCount: number;
}

/** True when the whole file may be written: rows, and none with an error. */
export const isImportable = (checked: CheckedImport) =>
  checked.fileErrors.length === 0 && checked.rows.length > 0 && checked.invalidCount === 0;

/** The parser's preview, checked against the organisation's accounts, contacts and users. Writes nothing. */
export async function checkImport(
  db: Db,
  organizationId: string,
  csv: string,
  lang: Lang,
): Promise<CheckedImport> {
  const preview = parseAccountCsv(csv);
  if (preview.fileErrors.length > 0) {
    return { fileErrors: preview.fileErrors, rows: [], validCount: 0, invalidCount: 0 };
  }
  if (preview.rows.length === 0) {
    return { fileErrors: [translate(lang, 'import.noRows')], rows: [], validCount: 0, invalidCount: 0 };
  }

  // A cell with a NUL byte is already a row error, and PostgreSQL refuses NUL in text: keep it out of lookups.
  const storable = (value: string) => !value.includes('\u0000');
  const validKamEmails = preview.rows
    .map((row) => row.kamEmail)
    .filter((email): email is string => email !== null && normalizeEmail(email) !== null);
  const contactEmails = preview.rows.flatMap((row) => (row.contactEmail === null ? [] : [row.contactEmail]));
  const keys = await lowerInDatabase(
    db,
    [...preview.rows.map((row) => row.accountName), ...validKamEmails, ...contactEmails].filter(storable),
  );
  const keyOf = (value: string) => keys.get(value) ?? value.toLowerCase();

  const accounts = await findAccountsByNameKeys(
    db,
    organizationId,
    preview.rows.map((row) => keyOf(row.accountName)).filter(storable),
  );
  const accountIdByKey = new Map(accounts.map((account) => [account.key, account.id]));
  const existingContacts = await listContactEmailKeys(
    db,
    organizationId,
    accounts.map((account) => account.id),
  );
  const contactKeys = new Set(existingContacts.map((contact) => `${contact.accountId} ${contact.key}`));
  const users = await findUsersByEmailKeys(db, organizationId, validKamEmails.map(keyOf));
  const userIdByKey = new Map(users.map((user) => [user.key, user.id]));

  const rows = preview.rows.map((row): CheckedRow => {
    const errors = [...row.errors];
    const notes: string[] = [];
    const accountKey = keyOf(row.accountName);
    const existingAccountId = row.accountName === '' ? null : (accountIdByKey.get(accountKey) ?? null);
    if (existingAccountId !== null) {
      notes.push(translate(lang, 'import.existingAccount'));
      const email = row.contactEmail;
      if (email !== null && contactKeys.has(`${existingAccountId} ${keyOf(email)}`)) {
        errors.push(translate(lang, 'import.contactExists', { email }));
      }
    }
    let kamUserId: string | null = null;
    if (row.kamEmail !== null && validKamEmails.includes(row.kamEmail)) {
      kamUserId = userIdByKey.get(keyOf(row.kamEmail)) ?? null;
      if (kamUserId === null) errors.push(translate(lang, 'import.unknownKam', { email: row.kamEmail }));
    }
    const roleAddress = row.contactEmail !== null && isRoleAddress(row.contactEmail);
    return { ...row, errors, notes, roleAddress, accountKey, existingAccountId, kamUserId };
  });
  const invalidCount = rows.filter((row) => row.errors.length > 0).length;
  return { fileErrors: [], rows, validCount: rows.length - invalidCount, invalidCount };
}

export type CommitResult = { imported: number } | { refused: CheckedImport };

/**
 * Checks the file again and, only when every row is valid, writes all of it in one transaction: missing
 * accounts (segment and KAM from their first row), then the contacts. Existing accounts are not changed.
 */
export async function commitImport(
  db: Kysely<Database>,
  organizationId: string,
  csv: string,
  lang: Lang,
): Promise<CommitResult> {
  return db.transaction().execute(async (trx) => {
    const checked = await checkImport(trx, organizationId, csv, lang);
    if (!isImportable(checked)) return { refused: checked };
    const accountIds = new Map<string, string>();
    for (const row of checked.rows) {
      let accountId = row.existingAccountId ?? accountIds.get(row.accountKey);
      if (accountId === undefined) {
        accountId = await insertAccount(trx, organizationId, {
          name: row.accountName,
          segment: row.segment,
          kamUserId: row.kamUserId,
        });
        accountIds.set(row.accountKey, accountId);
      }
      if (row.contactEmail !== null) {
        await insertContact(trx, organizationId, accountId, {
          email: row.contactEmail,
          name: row.contactName,
          language: row.language,
        });
      }
    }
    return { imported: checked.rows.length };
  });
}
