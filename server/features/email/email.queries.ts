import { type RawBuilder, sql } from 'kysely';
import type { Db, EmailKind, EmailStatus, Language, RespondentRole } from '../../db/database.js';

// Conditions on an invitation `i` of a wave `s`, shared by the queries that queue email.
/** The invitation is not revoked nor erased, and its wave is open (and not past its close date). */
const liveInvitationOfOpenWave = sql<boolean>`i.revoked_at is null and i.erased_at is null and s.status = 'open'
  and (s.closes_at is null or s.closes_at > now())`;
/**
 * Whether `address` (an SQL expression) has opted out of the email of the organisation of the invitation
 * aliased `i`; the one opt-out test of the queues, the wave page and "Run again".
 */
export const optedOut = (address: RawBuilder<string> = sql<string>`i.email`) =>
  sql<boolean>`exists (select 1 from email_opt_outs oo
    where oo.organization_id = i.organization_id and oo.email = lower(${address}))`;
/** The invitee's address has not opted out of the organisation's email. */
const optedOutSql = optedOut();
const notOptedOut = sql<boolean>`not ${optedOutSql}`;

/** Invitations of open waves that have no invitation email yet, and whose address has not opted out. */
export function insertMissingInvitationEmails(
  db: Db,
  scope: { organizationId?: string; surveyId?: string },
): Promise<Array<{ organizationId: string; id: string }>> {
  return db
    .insertInto('email_messages')
    .columns(['organization_id', 'kind', 'survey_id', 'invitation_id'])
    .expression((eb) =>
      eb
        .selectFrom('invitations as i')
        .innerJoin('surveys as s', (join) =>
          join.onRef('s.organization_id', '=', 'i.organization_id').onRef('s.id', '=', 'i.survey_id'),
        )
        .select(['i.organization_id', sql.lit('invitation').as('kind'), 'i.survey_id', 'i.id'])
        .where(liveInvitationOfOpenWave)
        .$if(scope.organizationId !== undefined, (q) =>
          q.where('i.organization_id', '=', scope.organizationId ?? ''),
        )
        .$if(scope.surveyId !== undefined, (q) => q.where('i.survey_id', '=', scope.surveyId ?? ''))
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('email_messages as m')
                .select(sql.lit(1).as('one'))
                .whereRef('m.organization_id', '=', 'i.organization_id')
                .whereRef('m.invitation_id', '=', 'i.id')
                .where('m.kind', '=', 'invitation'),
            ),
          ),
        )
        .where(notOptedOut),
    )
    .onConflict((oc) =>
      oc.columns(['organization_id', 'invitation_id']).where('kind', '=', 'invitation').doNothing(),
    )
    .returning(['organization_id as organizationId', 'id'])
    .execute();
}

/**
 * Reminders for the invitations of one open wave (or of every wave due an automatic reminder) that have
 * not submitted, have not opted out, already had their invitation email, and have nothing queued now.
 */
export function insertReminders(
  db: Db,
  scope: { organizationId: string; surveyId: string } | { automaticDue: true },
): Promise<Array<{ organizationId: string; id: string }>> {
  const automatic = 'automaticDue' in scope;
  return db
    .insertInto('email_messages')
    .columns(['organization_id', 'kind', 'survey_id', 'invitation_id', 'automatic'])
    .expression((eb) =>
      eb
        .selectFrom('invitations as i')
        .innerJoin('surveys as s', (join) =>
          join.onRef('s.organization_id', '=', 'i.organization_id').onRef('s.id', '=', 'i.survey_id'),
        )
        .leftJoin('responses as r', (join) =>
          join.onRef('r.organization_id', '=', 'i.organization_id').onRef('r.invitation_id', '=', 'i.id'),
        )
        .select([
          'i.organization_id',
          sql.lit('reminder').as('kind'),
          'i.survey_id',
          'i.id',
          sql.lit(automatic).as('automatic'),
        ])
        .where(liveInvitationOfOpenWave)
        .where((w) => w.or([w('r.status', 'is', null), w('r.status', '<>', 'submitted')]))
        .$if(!automatic, (q) =>
          'organizationId' in scope
            ? q
                .where('i.organization_id', '=', scope.organizationId)
                .where('i.survey_id', '=', scope.surveyId)
            : q,
        )
        // The invitation itself went out (or is in the outbox); nothing for this person is waiting now.
        .where(({ exists, selectFrom }) =>
          exists(
            selectFrom('email_messages as m')
              .select(sql.lit(1).as('one'))
              .whereRef('m.organization_id', '=', 'i.organization_id')
              .whereRef('m.invitation_id', '=', 'i.id')
              .where('m.kind', '=', 'invitation')
              .where('m.status', 'in', ['sent', 'outbox']),
          ),
        )
        .where(({ not, exists, selectFrom }) =>
          not(
            exists(
              selectFrom('email_messages as m')
                .select(sql.lit(1).as('one'))
                .whereRef('m.organization_id', '=', 'i.organization_id')
                .whereRef('m.invitation_id', '=', 'i.id')
                .where('m.status', 'in', ['queued', 'sending']),
            ),
          ),
        )
        .where(notOptedOut)
        .$if(automatic, (q) =>
          q
            .where('s.reminder_after_days', 'is not', null)
            // Fewer automatic reminders than the wave allows…
            .where(
              (eb2) =>
                eb2
                  .selectFrom('email_messages as m')
                  .select((c) => c.fn.countAll<number>().as('n'))
                  .whereRef('m.organization_id', '=', 'i.organization_id')
                  .whereRef('m.invitation_id', '=', 'i.id')
                  .where('m.automatic', '=', true),
              '<',
              sql<number>`s.max_reminders`,
            )
            // …and the last email to this person is at least reminder_after_days old.
            .where(
              (eb2) =>
                eb2
                  .selectFrom('email_messages as m')
                  .select((c) => c.fn.max('m.sent_at').as('last'))
                  .whereRef('m.organization_id', '=', 'i.organization_id')
                  .whereRef('m.invitation_id', '=', 'i.id'),
              '<=',
              sql<Date>`now() - make_interval(days => s.reminder_after_days)`,
            ),
        ),
    )
    .returning(['organization_id as organizationId', 'id'])
    .execute();
}

export interface ClaimedMessage {
  kind: EmailKind;
  automatic: boolean;
  attempts: number;
  invitationId: string;
}

/** Takes a queued message for sending; undefined when it was sent, failed or skipped already. */
export function claimMessage(
  db: Db,
  organizationId: string,
  id: string,
): Promise<ClaimedMessage | undefined> {
  return (
    db
      .updateTable('email_messages')
      .set((eb) => ({ status: 'sending', attempts: eb('attempts', '+', 1) }))
      .where('organization_id', '=', organizationId)
      .where('id', '=', id)
      // 'sending': a worker died mid-send and the queue handed the job out again.
      .where('status', 'in', ['queued', 'sending'])
      .returning(['kind', 'automatic', 'attempts', 'invitation_id as invitationId'])
      .executeTakeFirst()
  );
}

export function finishMessage(
  db: Db,
  organizationId: string,
  id: string,
  outcome: { status: Exclude<EmailStatus, 'sending'>; error?: string },
) {
  const delivered = outcome.status === 'sent' || outcome.status === 'outbox';
  return db
    .updateTable('email_messages')
    .set({
      status: outcome.status,
      last_error: outcome.error ? outcome.error.slice(0, 1000) : delivered ? null : undefined,
      sent_at: delivered ? new Date() : null,
    })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .execute();
}

/** A failed message back in the queue (the wave page's retry button). */
export function requeueFailedMessage(db: Db, organizationId: string, id: string) {
  return db
    .updateTable('email_messages')
    .set({ status: 'queued', attempts: 0 })
    .where('organization_id', '=', organizationId)
    .where('id', '=', id)
    .where('status', '=', 'failed')
    .returning(['id', 'survey_id as surveyId'])
    .executeTakeFirst();
}

/** Everything a message needs to be written: the invitation, its wave, supplier, account's KAM, answers so far. */
export interface MessageContext {
  organizationId: string;
  messageId: string;
  kind: EmailKind;
  status: EmailStatus;
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
  role: RespondentRole;
  email: string;
  name: string | null;
  language: Language;
  tokenSalt: Buffer;
  revoked: boolean;
  /** Its person was erased: the address is a placeholder (migration privacy). */
  erased: boolean;
  surveyId: string;
  surveyName: string;
  surveyStatus: string;
  intro: string | null;
  closesAt: Date | null;
  supplierName: string;
  kamName: string | null;
  kamEmail: string | null;
  responseStatus: string | null;
  criteriaCount: number;
  /** The wave asks customers overall satisfaction: one more rating in the time the email promises. */
  overallQuestion: boolean;
  /** What the respondent is promised (issue 13): the wave's mode, k and whom to ask about their data. */
  confidential: boolean;
  minGroupSize: number;
  privacyContact: string | null;
  optedOut: boolean;
}

function messageContextQuery(db: Db, organizationId: string) {
  return db
    .selectFrom('email_messages as m')
    .innerJoin('invitations as i', (join) =>
      join.onRef('i.organization_id', '=', 'm.organization_id').onRef('i.id', '=', 'm.invitation_id'),
    )
    .innerJoin('surveys as s', (join) =>
      join.onRef('s.organization_id', '=', 'm.organization_id').onRef('s.id', '=', 'm.survey_id'),
    )
    .innerJoin('organizations as o', 'o.id', 'm.organization_id')
    .leftJoin('accounts as a', (join) =>
      join.onRef('a.organization_id', '=', 'i.organization_id').onRef('a.id', '=', 'i.account_id'),
    )
    .leftJoin('users as kam', (join) =>
      join.onRef('kam.organization_id', '=', 'a.organization_id').onRef('kam.id', '=', 'a.kam_user_id'),
    )
    .leftJoin('responses as r', (join) =>
      join.onRef('r.organization_id', '=', 'i.organization_id').onRef('r.invitation_id', '=', 'i.id'),
    )
    .where('m.organization_id', '=', organizationId)
    .select([
      'm.organization_id as organizationId',
      'm.id as messageId',
      'm.kind',
      'm.status',
      'm.last_error as lastError',
      'm.created_at as createdAt',
      'm.sent_at as sentAt',
      'i.role',
      'i.email',
      'i.name',
      'i.language',
      'i.token_salt as tokenSalt',
      sql<boolean>`i.revoked_at is not null`.as('revoked'),
      sql<boolean>`i.erased_at is not null`.as('erased'),
      's.id as surveyId',
      's.name as surveyName',
      's.status as surveyStatus',
      's.intro',
      's.closes_at as closesAt',
      's.overall_question as overallQuestion',
      's.confidential',
      'o.name as supplierName',
      'o.min_group_size as minGroupSize',
      'o.privacy_contact as privacyContact',
      'kam.name as kamName',
      'kam.email as kamEmail',
      'r.status as responseStatus',
      // The criteria this respondent rates: sellers also rate the seller-only ones.
      sql<number>`(select count(*) from survey_criteria c
                   where c.organization_id = s.organization_id and c.survey_id = s.id
                     and (c.audience = 'both' or i.role = 'seller'))`.as('criteriaCount'),
      optedOutSql.as('optedOut'),
    ]);
}

export async function findMessageContext(
  db: Db,
  organizationId: string,
  id: string,
): Promise<MessageContext | undefined> {
  const row = await messageContextQuery(db, organizationId).where('m.id', '=', id).executeTakeFirst();
  return row && { ...row, criteriaCount: Number(row.criteriaCount ?? 0) };
}

/** The outbox: the organisation's most recent messages, newest first. */
export async function listMessages(db: Db, organizationId: string, limit = 200): Promise<MessageContext[]> {
  const rows = await messageContextQuery(db, organizationId)
    .orderBy('m.created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((row) => ({ ...row, criteriaCount: Number(row.criteriaCount ?? 0) }));
}

/** The latest message per invitation of a wave, for the wave page. */
export function latestMessagePerInvitation(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('email_messages as m')
    .distinctOn('m.invitation_id')
    .select([
      'm.invitation_id as invitationId',
      'm.id',
      'm.kind',
      'm.status',
      'm.last_error as lastError',
      'm.sent_at as sentAt',
    ])
    .where('m.organization_id', '=', organizationId)
    .where('m.survey_id', '=', surveyId)
    .orderBy('m.invitation_id')
    .orderBy('m.created_at', 'desc')
    .execute();
}

export function optOut(db: Db, organizationId: string, email: string) {
  return db
    .insertInto('email_opt_outs')
    .values({ organization_id: organizationId, email: email.toLowerCase() })
    .onConflict((oc) => oc.columns(['organization_id', 'email']).doNothing())
    .execute();
}

/** Whether an erased address opted out: after erasure an opt-out is kept as a keyed hash of the address. */
export async function optedOutByHash(db: Db, organizationId: string, emailHash: Buffer): Promise<boolean> {
  const row = await db
    .selectFrom('email_opt_outs')
    .select('created_at')
    .where('organization_id', '=', organizationId)
    .where('email_hash', '=', emailHash)
    .executeTakeFirst();
  return row !== undefined;
}

/** Lower-cased addresses of the organisation that opted out, among `emails`. */
export async function optedOutAmong(
  db: Db,
  organizationId: string,
  emails: readonly string[],
): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const rows = await db
    .selectFrom('email_opt_outs')
    .select('email')
    .where('organization_id', '=', organizationId)
    .where(
      'email',
      'in',
      emails.map((email) => email.toLowerCase()),
    )
    .execute();
  return new Set(rows.flatMap((row) => (row.email === null ? [] : [row.email])));
}
