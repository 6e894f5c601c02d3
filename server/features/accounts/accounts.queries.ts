import { sql } from 'kysely';
import type { Db, Language } from '../../db/database.js';

export interface AccountFields {
  name: string;
  segment: string | null;
  kamUserId: string | null;
}

export interface NewContact {
  email: string;
  name: string | null;
  /** null: not known; an invitation then uses its wave's language. */
  language: Language | null;
}

export function listAccounts(db: Db, organizationId: string) {
  return db
    .selectFrom('accounts')
    .leftJoin('users', (join) =>
      join
        .onRef('users.organization_id', '=', 'accounts.organization_id')
        .onRef('users.id', '=', 'accounts.kam_user_id'),
    )
    .select((eb) => [
      'accounts.id',
      'accounts.name',
      'accounts.segment',
      'accounts.kam_user_id as kamUserId',
      'users.name as kamName',
      eb
        .selectFrom('contacts')
        .select((inner) => inner.fn.countAll<string>().as('count'))
        .whereRef('contacts.organization_id', '=', 'accounts.organization_id')
        .whereRef('contacts.account_id', '=', 'accounts.id')
        .as('contactCount'),
    ])
    .where('accounts.organization_id', '=', organizationId)
    .orderBy(sql`lower(accounts.name)`)
    .execute()
    .then((rows) => rows.map((row) => ({ ...row, contactCount: Number(row.contactCount ?? 0) })));
}

export function findAccount(db: Db, organizationId: string, accountId: string) {
  return db
    .selectFrom('accounts')
    .select(['id', 'name', 'segment', 'kam_user_id as kamUserId'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', accountId)
    .executeTakeFirst();
}

/** Users who may be an account's responsible KAM: the organisation's active users. */
export function listKamCandidates(db: Db, organizationId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'role'])
    .where('organization_id', '=', organizationId)
    .where('active', '=', true)
    .where('role', 'in', ['kam', 'manager', 'admin'])
    .orderBy('name')
    .execute();
}

export async function isKamCandidate(db: Db, organizationId: string, userId: string): Promise<boolean> {
  const row = await db
    .selectFrom('users')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('id', '=', userId)
    .where('active', '=', true)
    .where('role', 'in', ['kam', 'manager', 'admin'])
    .executeTakeFirst();
  return row !== undefined;
}

/** Throws a unique violation when the organisation has an account of that name (case-insensitive). */
export async function insertAccount(db: Db, organizationId: string, account: AccountFields): Promise<string> {
  const { id } = await db
    .insertInto('accounts')
    .values({
      organization_id: organizationId,
      name: account.name,
      segment: account.segment,
      kam_user_id: account.kamUserId,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

export async function updateAccount(
  db: Db,
  organizationId: string,
  accountId: string,
  account: AccountFields,
): Promise<boolean> {
  const result = await db
    .updateTable('accounts')
    .set({ name: account.name, segment: account.segment, kam_user_id: account.kamUserId })
    .where('organization_id', '=', organizationId)
    .where('id', '=', accountId)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

export function listContacts(db: Db, organizationId: string, accountId: string) {
  return db
    .selectFrom('contacts')
    .select(['id', 'name', 'email', 'language'])
    .where('organization_id', '=', organizationId)
    .where('account_id', '=', accountId)
    .orderBy(sql`lower(coalesce(name, email))`)
    .execute();
}

/** The organisation's contact with this id, with its account. */
export function findContact(db: Db, organizationId: string, contactId: string) {
  return db
    .selectFrom('contacts')
    .select(['id', 'account_id as accountId', 'name', 'email', 'language'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', contactId)
    .executeTakeFirst();
}

/** The account's contact with this email (case-insensitive, as the unique index compares). */
export function findContactByEmail(db: Db, organizationId: string, accountId: string, email: string) {
  return db
    .selectFrom('contacts')
    .select(['id', 'account_id as accountId', 'name', 'email', 'language'])
    .where('organization_id', '=', organizationId)
    .where('account_id', '=', accountId)
    .where(sql<boolean>`lower(email) = lower(${email})`)
    .executeTakeFirst();
}

/** Throws a unique violation when the account already has this email (case-insensitive). */
export async function insertContact(
  db: Db,
  organizationId: string,
  accountId: string,
  contact: NewContact,
): Promise<string> {
  const { id } = await db
    .insertInto('contacts')
    .values({
      organization_id: organizationId,
      account_id: accountId,
      name: contact.name,
      email: contact.email,
      language: contact.language,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/**
 * The account's contact with this email (case-insensitive), added to the account when missing; an
 * existing contact keeps its name and language. Safe inside a transaction and against concurrent calls.
 */
export async function findOrCreateContact(
  db: Db,
  organizationId: string,
  accountId: string,
  contact: NewContact,
): Promise<string> {
  const existing = () =>
    db
      .selectFrom('contacts')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('account_id', '=', accountId)
      .where(sql<boolean>`lower(email) = lower(${contact.email})`)
      .executeTakeFirst();
  const found = await existing();
  if (found) return found.id;
  const inserted = await db
    .insertInto('contacts')
    .values({
      organization_id: organizationId,
      account_id: accountId,
      name: contact.name,
      email: contact.email,
      language: contact.language,
    })
    .onConflict((oc) => oc.expression(sql`organization_id, account_id, lower(email)`).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted) return inserted.id;
  // Another transaction added it between the select and the insert.
  const raced = await existing();
  if (!raced) throw new Error('contact vanished after a conflicting insert');
  return raced.id;
}

export type DeleteContactResult = 'deleted' | 'notFound' | 'inUse';

/** Removes a contact unless an invitation refers to it: invitations keep their history. */
export async function deleteContact(
  db: Db,
  organizationId: string,
  accountId: string,
  contactId: string,
): Promise<DeleteContactResult> {
  const invited = await db
    .selectFrom('invitations')
    .select('id')
    .where('organization_id', '=', organizationId)
    .where('contact_id', '=', contactId)
    .limit(1)
    .executeTakeFirst();
  if (invited) return 'inUse';
  try {
    const result = await db
      .deleteFrom('contacts')
      .where('organization_id', '=', organizationId)
      .where('account_id', '=', accountId)
      .where('id', '=', contactId)
      .executeTakeFirst();
    return result.numDeletedRows > 0n ? 'deleted' : 'notFound';
  } catch (error) {
    // An invitation created since the check above: the foreign key refuses the delete.
    if (isForeignKeyViolation(error)) return 'inUse';
    throw error;
  }
}

function isForeignKeyViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23503';
}

/** Each value with its PostgreSQL lower(): the same folding the unique indexes on names and emails use. */
export async function lowerInDatabase(db: Db, values: readonly string[]): Promise<Map<string, string>> {
  if (values.length === 0) return new Map();
  const { rows } = await sql<{ input: string; key: string }>`
    select input, lower(input) as key from unnest(${[...values]}::text[]) as t(input)`.execute(db);
  return new Map(rows.map((row) => [row.input, row.key]));
}

/** The organisation's accounts whose lower(name) is one of `keys`. */
export function findAccountsByNameKeys(db: Db, organizationId: string, keys: readonly string[]) {
  if (keys.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('accounts')
    .select(['id', sql<string>`lower(name)`.as('key')])
    .where('organization_id', '=', organizationId)
    .where(sql<boolean>`lower(name) = any(${[...keys]}::text[])`)
    .execute();
}

/** lower(email) of every contact on these accounts. */
export function listContactEmailKeys(db: Db, organizationId: string, accountIds: readonly string[]) {
  if (accountIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('contacts')
    .select(['account_id as accountId', sql<string>`lower(email)`.as('key')])
    .where('organization_id', '=', organizationId)
    .where('account_id', 'in', accountIds)
    .execute();
}

/** Active users of the organisation whose lower(email) is one of `keys`. */
export function findUsersByEmailKeys(db: Db, organizationId: string, keys: readonly string[]) {
  if (keys.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('users')
    .select(['id', sql<string>`lower(email)`.as('key')])
    .where('organization_id', '=', organizationId)
    .where('active', '=', true)
    .where(sql<boolean>`lower(email) = any(${[...keys]}::text[])`)
    .execute();
}
