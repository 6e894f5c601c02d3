import { type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../../db/database.js';
import { insertAuditEntry } from './audit.queries.js';
import { eraseInvitations } from './privacy.service.js';

/** The daily retention job's queue (pg-boss, started with the email queue in server/plugins/mail.ts). */
export const RETENTION_QUEUE = 'privacy-retention';
/** Every night at 03:30 UTC. */
export const RETENTION_SCHEDULE = '30 3 * * *';

export interface RetentionRun {
  organizationId: string;
  surveyId: string;
  invitations: number;
  responses: number;
  responseRevisions: number;
  emailMessages: number;
  comments: number;
}

/**
 * Anonymises the personal data of every wave closed more than its organisation's `retention_days` ago
 * (organisations without a period keep theirs until erased). A wave counts as closed since closed_at, or
 * since its close date when it is open past it — as the reopen rule counts it; the period is at least 30
 * days, the reopen window, so an anonymised wave can never be reopened. Per wave, in one transaction: its
 * invitations lose address, name, contact, user and link (as an erasure does), their saved versions and
 * email log go, and in a confidential wave the comments move to survey_comments, without their response and
 * so without the account. An open wave's comments keep their account: its respondents were told their
 * answers are shown with their company's name, and the account is the supplier's, not a person's.
 * Answers and responses stay, so every report number stays the same. Contacts are the organisation's
 * address book, not the wave's: they are kept. Each wave's counts go to the audit log (no user: the job).
 */
export async function runRetention(db: Kysely<Database>, now: Date = new Date()): Promise<RetentionRun[]> {
  const due = await db
    .selectFrom('surveys as s')
    .innerJoin('organizations as o', 'o.id', 's.organization_id')
    .select(['s.organization_id as organizationId', 's.id as surveyId'])
    .where('o.retention_days', 'is not', null)
    .where('s.anonymised_at', 'is', null)
    .where(
      sql<boolean>`case when s.status = 'closed' then s.closed_at
                        when s.status = 'open' and s.closes_at <= ${now} then s.closes_at end
                   <= ${now}::timestamptz - make_interval(days => o.retention_days)`,
    )
    .orderBy('s.organization_id')
    .orderBy('s.closed_at')
    .execute();
  const runs: RetentionRun[] = [];
  for (const wave of due) {
    const run = await anonymiseWave(db, wave.organizationId, wave.surveyId);
    if (run) runs.push(run);
  }
  return runs;
}

async function anonymiseWave(
  db: Kysely<Database>,
  organizationId: string,
  surveyId: string,
): Promise<RetentionRun | null> {
  return db.transaction().execute(async (trx) => {
    // Another instance may have done it meanwhile: the row lock and the check make it once.
    const survey = await trx
      .selectFrom('surveys')
      .select(['anonymised_at', 'confidential'])
      .where('organization_id', '=', organizationId)
      .where('id', '=', surveyId)
      .forUpdate()
      .executeTakeFirst();
    if (!survey || survey.anonymised_at) return null;
    const invitations = await trx
      .selectFrom('invitations')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('survey_id', '=', surveyId)
      .where('erased_at', 'is', null)
      .orderBy('id')
      .forUpdate()
      .execute();
    const counts = await eraseInvitations(
      trx,
      organizationId,
      invitations.map((invitation) => invitation.id),
    );
    const comments = survey.confidential ? await cutCommentsFromAccounts(trx, organizationId, surveyId) : 0;
    await trx
      .updateTable('surveys')
      .set({ anonymised_at: sql`now()` })
      .where('organization_id', '=', organizationId)
      .where('id', '=', surveyId)
      .execute();
    const run = { ...counts, comments };
    await insertAuditEntry(trx, {
      organizationId,
      userId: null,
      action: 'retention_anonymise',
      surveyId,
      detail: run,
    });
    return { organizationId, surveyId, ...run };
  });
}

/** Moves a wave's submitted comments to survey_comments, away from their response and account; the count. */
async function cutCommentsFromAccounts(
  trx: Transaction<Database>,
  organizationId: string,
  surveyId: string,
): Promise<number> {
  const moved = await trx
    .insertInto('survey_comments')
    .columns(['organization_id', 'survey_id', 'role', 'comment'])
    .expression((eb) =>
      eb
        .selectFrom('responses')
        .select(['organization_id', 'survey_id', 'role', sql<string>`comment`.as('comment')])
        .where('organization_id', '=', organizationId)
        .where('survey_id', '=', surveyId)
        .where('status', '=', 'submitted')
        .where(sql<boolean>`btrim(coalesce(comment, '')) <> ''`)
        // Not in the responses' order: nothing may tie a comment back to its place.
        .orderBy(sql`random()`),
    )
    .executeTakeFirst();
  await trx
    .updateTable('responses')
    .set({ comment: null })
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .where('comment', 'is not', null)
    .execute();
  return Number(moved.numInsertedOrUpdatedRows ?? 0n);
}
