import { type RawBuilder, sql } from 'kysely';
import type { Db } from '../../db/database.js';

/**
 * True when the wave already has a live invitation for the address in `emailColumn`: the rule of the unique
 * index invitations_email_key (lower(email), revoked invitations excluded).
 */
function invitedTo(organizationId: string, surveyId: string, emailColumn: string): RawBuilder<boolean> {
  return sql<boolean>`exists (
    select 1 from invitations
    where invitations.organization_id = ${organizationId}
      and invitations.survey_id = ${surveyId}
      and invitations.revoked_at is null
      and lower(invitations.email) = lower(${sql.ref(emailColumn)}))`;
}

/** The contacts of these accounts (of the organisation), each marked when already invited to the wave. */
export function listContactsForWave(
  db: Db,
  organizationId: string,
  surveyId: string,
  accountIds: readonly string[],
) {
  if (accountIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('contacts')
    .select([
      'contacts.id',
      'contacts.account_id as accountId',
      'contacts.name',
      'contacts.email',
      'contacts.language',
      invitedTo(organizationId, surveyId, 'contacts.email').as('invited'),
    ])
    .where('contacts.organization_id', '=', organizationId)
    .where('contacts.account_id', 'in', accountIds)
    .orderBy(sql`lower(coalesce(contacts.name, contacts.email))`)
    .execute();
}

/** The organisation's active users, each marked when already invited to the wave. */
export function listUsersForWave(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('users')
    .select([
      'users.id',
      'users.name',
      'users.email',
      invitedTo(organizationId, surveyId, 'users.email').as('invited'),
    ])
    .where('users.organization_id', '=', organizationId)
    .where('users.active', '=', true)
    .orderBy(sql`lower(users.name)`)
    .execute();
}

/** An active user of the organisation, to invite as a seller. */
export function findActiveUser(db: Db, organizationId: string, userId: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name', 'email', 'role'])
    .where('organization_id', '=', organizationId)
    .where('id', '=', userId)
    .where('active', '=', true)
    .executeTakeFirst();
}

/** The organisation's user with this login email, active or not (login emails are stored lower-cased). */
export function findUserByEmail(db: Db, organizationId: string, email: string) {
  return db
    .selectFrom('users')
    .select(['id', 'name'])
    .where('organization_id', '=', organizationId)
    .where('email', '=', email.toLowerCase())
    .executeTakeFirst();
}

/** Which of these lower(email) keys have a live invitation in the wave. */
export async function invitedEmailKeys(
  db: Db,
  organizationId: string,
  surveyId: string,
  keys: readonly string[],
): Promise<Set<string>> {
  if (keys.length === 0) return new Set();
  const rows = await db
    .selectFrom('invitations')
    .select(sql<string>`lower(email)`.as('key'))
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .where('revoked_at', 'is', null)
    .where(sql<boolean>`lower(email) = any(${[...keys]}::text[])`)
    .execute();
  return new Set(rows.map((row) => row.key));
}
