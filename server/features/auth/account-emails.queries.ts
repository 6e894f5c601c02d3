import { sql } from 'kysely';
import type { AccountEmailKind, Db, EmailStatus, Language } from '../../db/database.js';

export interface NewAccountEmail {
  kind: AccountEmailKind;
  organizationId: string | null;
  userId: string | null;
  email: string;
  name: string | null;
  organizationName?: string | null;
  language: Language;
  token?: { salt: Buffer; hash: Buffer; expiresAt: Date };
}

export async function insertAccountEmail(db: Db, email: NewAccountEmail): Promise<string> {
  const { id } = await db
    .insertInto('account_emails')
    .values({
      kind: email.kind,
      organization_id: email.organizationId,
      user_id: email.userId,
      email: email.email,
      name: email.name,
      organization_name: email.organizationName ?? null,
      language: email.language,
      token_salt: email.token?.salt ?? null,
      token_hash: email.token?.hash ?? null,
      expires_at: email.token?.expiresAt ?? null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/** How many emails of `kind` went to `email` since `since`: a cap on what one address can be sent. */
export async function countRecentAccountEmails(
  db: Db,
  email: string,
  kind: AccountEmailKind,
  since: Date,
): Promise<number> {
  const row = await db
    .selectFrom('account_emails')
    .select((eb) => eb.fn.countAll<string>().as('n'))
    .where('email', '=', email)
    .where('kind', '=', kind)
    .where('created_at', '>', since)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The user a login email names (active or not). */
export function findUserByLoginEmail(db: Db, email: string) {
  return db
    .selectFrom('login_identities as l')
    .innerJoin('users as u', (join) =>
      join.onRef('u.organization_id', '=', 'l.organization_id').onRef('u.id', '=', 'l.user_id'),
    )
    .select(['u.organization_id as organizationId', 'u.id as userId', 'u.name', 'u.active'])
    .where('l.email', '=', email)
    .executeTakeFirst();
}

/** A link that still works: unused, unexpired, and (for users) naming an active user. */
export function findUsableLink(db: Db, tokenHash: Buffer) {
  return db
    .selectFrom('account_emails as a')
    .leftJoin('users as u', (join) =>
      join.onRef('u.organization_id', '=', 'a.organization_id').onRef('u.id', '=', 'a.user_id'),
    )
    .leftJoin('organizations as o', 'o.id', 'a.organization_id')
    .select([
      'a.id',
      'a.kind',
      'a.email',
      'a.language',
      'a.organization_id as organizationId',
      'a.user_id as userId',
      sql<string | null>`coalesce(a.organization_name, o.name)`.as('organizationName'),
    ])
    .where('a.token_hash', '=', tokenHash)
    .where('a.used_at', 'is', null)
    .where('a.expires_at', '>', sql<Date>`now()`)
    .where((eb) => eb.or([eb('a.user_id', 'is', null), eb('u.active', '=', true)]))
    .executeTakeFirst();
}

/**
 * Uses a link up: marks it used if it is still unused and unexpired, and returns it. Of two requests
 * racing with one link, exactly one gets it back.
 */
export function claimLink(db: Db, tokenHash: Buffer, kinds: readonly AccountEmailKind[]) {
  return db
    .updateTable('account_emails')
    .set({ used_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('kind', 'in', kinds)
    .where('used_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .returning([
      'id',
      'kind',
      'email',
      'name',
      'organization_name as organizationName',
      'organization_id as organizationId',
      'user_id as userId',
    ])
    .executeTakeFirst();
}

/** Every other link of a user (or of a pending sign-up's address) stops working. */
export function expireLinksOfUser(db: Db, organizationId: string, userId: string) {
  return db
    .updateTable('account_emails')
    .set({ used_at: sql<Date>`now()` })
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .where('token_hash', 'is not', null)
    .where('used_at', 'is', null)
    .execute();
}

export function expireSignupLinksOf(db: Db, email: string) {
  return db
    .updateTable('account_emails')
    .set({ used_at: sql<Date>`now()` })
    .where('kind', '=', 'signup')
    .where('email', '=', email)
    .where('used_at', 'is', null)
    .execute();
}

/** Sets a user's password and ends every session they have. */
export async function setPasswordAndEndSessions(
  db: Db,
  organizationId: string,
  userId: string,
  passwordHash: string,
): Promise<boolean> {
  const updated = await db
    .updateTable('users')
    .set({ password_hash: passwordHash })
    .where('organization_id', '=', organizationId)
    .where('id', '=', userId)
    .where('active', '=', true)
    .executeTakeFirst();
  await db
    .deleteFrom('sessions')
    .where('organization_id', '=', organizationId)
    .where('user_id', '=', userId)
    .execute();
  return updated.numUpdatedRows > 0n;
}

// Delivery (the email worker, server/features/email/email.service.ts)

/** Takes a queued account email for sending; undefined when it was sent, failed or skipped already. */
export function claimAccountEmail(db: Db, id: string) {
  return db
    .updateTable('account_emails')
    .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
    .where('id', '=', id)
    .where('status', 'in', ['queued', 'sending'])
    .returning(['attempts'])
    .executeTakeFirst();
}

export function finishAccountEmail(
  db: Db,
  id: string,
  outcome: { status: Exclude<EmailStatus, 'sending'>; error?: string },
) {
  const delivered = outcome.status === 'sent' || outcome.status === 'outbox';
  return db
    .updateTable('account_emails')
    .set({
      status: outcome.status,
      last_error: outcome.error ? outcome.error.slice(0, 1000) : delivered ? null : undefined,
      sent_at: delivered ? new Date() : null,
    })
    .where('id', '=', id)
    .execute();
}

/** Everything an account email needs to be written. */
export interface AccountEmailContext {
  id: string;
  kind: AccountEmailKind;
  status: EmailStatus;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  organizationId: string | null;
  email: string;
  name: string | null;
  organizationName: string | null;
  language: Language;
  tokenSalt: Buffer | null;
  expiresAt: Date | null;
  usedAt: Date | null;
  userActive: boolean | null;
}

function accountEmailQuery(db: Db) {
  return db
    .selectFrom('account_emails as a')
    .leftJoin('users as u', (join) =>
      join.onRef('u.organization_id', '=', 'a.organization_id').onRef('u.id', '=', 'a.user_id'),
    )
    .leftJoin('organizations as o', 'o.id', 'a.organization_id')
    .select([
      'a.id',
      'a.kind',
      'a.status',
      'a.last_error as lastError',
      'a.created_at as createdAt',
      'a.sent_at as sentAt',
      'a.organization_id as organizationId',
      'a.email',
      sql<string | null>`coalesce(u.name, a.name)`.as('name'),
      sql<string | null>`coalesce(a.organization_name, o.name)`.as('organizationName'),
      'a.language',
      'a.token_salt as tokenSalt',
      'a.expires_at as expiresAt',
      'a.used_at as usedAt',
      'u.active as userActive',
    ]);
}

export function findAccountEmail(db: Db, id: string): Promise<AccountEmailContext | undefined> {
  return accountEmailQuery(db).where('a.id', '=', id).executeTakeFirst();
}

/** One account email of an organisation (the outbox). */
export function findOrganizationAccountEmail(
  db: Db,
  organizationId: string,
  id: string,
): Promise<AccountEmailContext | undefined> {
  return accountEmailQuery(db)
    .where('a.organization_id', '=', organizationId)
    .where('a.id', '=', id)
    .executeTakeFirst();
}

/** The organisation's most recent account emails, newest first (the outbox). */
export function listAccountEmails(
  db: Db,
  organizationId: string,
  limit = 200,
): Promise<AccountEmailContext[]> {
  return accountEmailQuery(db)
    .where('a.organization_id', '=', organizationId)
    .orderBy('a.created_at', 'desc')
    .limit(limit)
    .execute();
}
