import { sql } from 'kysely';
import type { Db } from '../../db/database.js';

// Everything stored about one address in one organisation (the export of a privacy request). Every
// query is scoped by the caller's organisation and matches the address case-insensitively.

export const sameAddress = (column: string, email: string) =>
  sql<boolean>`lower(${sql.ref(column)}) = ${email}`;

export function contactsOf(db: Db, organizationId: string, email: string) {
  return db
    .selectFrom('contacts as c')
    .innerJoin('accounts as a', (join) =>
      join.onRef('a.organization_id', '=', 'c.organization_id').onRef('a.id', '=', 'c.account_id'),
    )
    .select([
      'c.id',
      'c.name',
      'c.email',
      'c.language',
      'c.account_id as accountId',
      'a.name as accountName',
      'c.created_at as createdAt',
    ])
    .where('c.organization_id', '=', organizationId)
    .where(sameAddress('c.email', email))
    .orderBy('c.created_at')
    .execute();
}

/** Invitations without their link: no token, salt or hash ever leaves. */
export function invitationsOf(db: Db, organizationId: string, email: string) {
  return db
    .selectFrom('invitations as i')
    .innerJoin('surveys as s', (join) =>
      join.onRef('s.organization_id', '=', 'i.organization_id').onRef('s.id', '=', 'i.survey_id'),
    )
    .leftJoin('accounts as a', (join) =>
      join.onRef('a.organization_id', '=', 'i.organization_id').onRef('a.id', '=', 'i.account_id'),
    )
    .select([
      'i.id',
      'i.survey_id as surveyId',
      's.name as surveyName',
      'i.role',
      'i.name',
      'i.email',
      'i.language',
      'i.account_id as accountId',
      'a.name as accountName',
      'i.contact_id as contactId',
      'i.user_id as userId',
      'i.created_at as createdAt',
      'i.opened_at as openedAt',
      'i.revoked_at as revokedAt',
    ])
    .where('i.organization_id', '=', organizationId)
    .where(sameAddress('i.email', email))
    .orderBy('i.created_at')
    .execute();
}

export function responsesOf(db: Db, organizationId: string, invitationIds: readonly string[]) {
  if (invitationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('responses as r')
    .select([
      'r.id',
      'r.invitation_id as invitationId',
      'r.survey_id as surveyId',
      'r.role',
      'r.status',
      'r.account_id as accountId',
      'r.comment',
      'r.overall_answered as overallAnswered',
      'r.overall_score as overallScore',
      'r.version',
      'r.created_at as createdAt',
      'r.updated_at as updatedAt',
      'r.submitted_at as submittedAt',
    ])
    .where('r.organization_id', '=', organizationId)
    .where('r.invitation_id', 'in', invitationIds)
    .orderBy('r.created_at')
    .execute();
}

export function answersOf(db: Db, organizationId: string, responseIds: readonly string[]) {
  if (responseIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('answers as x')
    .innerJoin('survey_criteria as c', (join) =>
      join.onRef('c.organization_id', '=', 'x.organization_id').onRef('c.id', '=', 'x.survey_criterion_id'),
    )
    .select([
      'x.response_id as responseId',
      'x.survey_criterion_id as criterionId',
      'c.key as criterionKey',
      'c.label_nb as labelNb',
      'c.label_en as labelEn',
      'x.dimension',
      'x.score',
    ])
    .where('x.organization_id', '=', organizationId)
    .where('x.response_id', 'in', responseIds)
    .orderBy('x.response_id')
    .orderBy('c.position')
    .orderBy('x.dimension')
    .execute();
}

export function revisionsOf(db: Db, organizationId: string, responseIds: readonly string[]) {
  if (responseIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('response_revisions as v')
    .select([
      'v.response_id as responseId',
      'v.version',
      'v.status',
      'v.comment',
      'v.answers',
      'v.overall_answered as overallAnswered',
      'v.overall_score as overallScore',
      'v.created_at as createdAt',
    ])
    .where('v.organization_id', '=', organizationId)
    .where('v.response_id', 'in', responseIds)
    .orderBy('v.response_id')
    .orderBy('v.version')
    .execute();
}

/** The email log of the invitations: what was sent when, and how it went (no body is ever stored). */
export function emailMessagesOf(db: Db, organizationId: string, invitationIds: readonly string[]) {
  if (invitationIds.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('email_messages as m')
    .select([
      'm.id',
      'm.kind',
      'm.survey_id as surveyId',
      'm.invitation_id as invitationId',
      'm.automatic',
      'm.status',
      'm.attempts',
      'm.last_error as lastError',
      'm.created_at as createdAt',
      'm.sent_at as sentAt',
    ])
    .where('m.organization_id', '=', organizationId)
    .where('m.invitation_id', 'in', invitationIds)
    .orderBy('m.created_at')
    .execute();
}

/** Account emails (welcome, password reset …) to the address in this organisation; never their link. */
export function accountEmailsOf(db: Db, organizationId: string, email: string) {
  return db
    .selectFrom('account_emails as e')
    .select([
      'e.id',
      'e.kind',
      'e.email',
      'e.name',
      'e.language',
      'e.status',
      'e.last_error as lastError',
      'e.created_at as createdAt',
      'e.sent_at as sentAt',
      'e.used_at as usedAt',
    ])
    .where('e.organization_id', '=', organizationId)
    .where(sameAddress('e.email', email))
    .orderBy('e.created_at')
    .execute();
}

/** The address's opt-out: kept as the address, or (after an erasure) as a keyed hash of it. */
export function optOutsOf(db: Db, organizationId: string, email: string, hash: Buffer) {
  return db
    .selectFrom('email_opt_outs as o')
    .select([
      'o.created_at as createdAt',
      sql<'address' | 'keyed_hash'>`case when o.email is null then 'keyed_hash' else 'address' end`.as(
        'storedAs',
      ),
    ])
    .where('o.organization_id', '=', organizationId)
    .where((eb) => eb.or([eb('o.email', '=', email), eb('o.email_hash', '=', hash)]))
    .execute();
}

export function userOf(db: Db, organizationId: string, email: string) {
  return db
    .selectFrom('users as u')
    .select(['u.id', 'u.name', 'u.email', 'u.role', 'u.active', 'u.created_at as createdAt'])
    .where('u.organization_id', '=', organizationId)
    .where('u.email', '=', email)
    .executeTakeFirst();
}
