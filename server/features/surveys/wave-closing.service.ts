import { type Kysely, sql } from 'kysely';
import type { Database, Db } from '../../db/database.js';

/**
 * A closed wave can be reopened for this many days after it closed; after that its results are final. The
 * database holds the same rule (migration wave-intro-and-reopen), so no writer can stretch it.
 */
export const REOPEN_WINDOW_DAYS = 30;

const DAY_MS = 24 * 3600 * 1000;

/**
 * When the wave stopped taking answers: when it was closed, or when its close date passed (an open wave
 * past its close date counts as closed). Null while it takes answers, and for a draft.
 */
const closedSince = sql<Date | null>`case
  when surveys.status = 'closed' then surveys.closed_at
  when surveys.status = 'open' and surveys.closes_at <= now() then surveys.closes_at
end`;

/** The last moment a wave that is closed (as `findSurvey` reports it) can be reopened; null when not closed. */
export function reopenableUntil(survey: {
  status: string;
  closedAt: Date | null;
  closesAt: Date | null;
}): Date | null {
  if (survey.status !== 'closed') return null;
  const since = survey.closedAt ?? survey.closesAt;
  return since ? new Date(since.getTime() + REOPEN_WINDOW_DAYS * DAY_MS) : null;
}

/**
 * What closing the wave now leaves out of its results: responses saved but not submitted (on links not
 * revoked, which count for nothing anyway).
 */
export async function countUnsubmitted(db: Db, organizationId: string, surveyId: string): Promise<number> {
  const row = await db
    .selectFrom('responses')
    .innerJoin('invitations', (join) =>
      join
        .onRef('invitations.organization_id', '=', 'responses.organization_id')
        .onRef('invitations.id', '=', 'responses.invitation_id'),
    )
    .select(sql<number>`count(*)::int`.as('n'))
    .where('responses.organization_id', '=', organizationId)
    .where('responses.survey_id', '=', surveyId)
    .where('responses.status', '=', 'in_progress')
    .where('invitations.revoked_at', 'is', null)
    .executeTakeFirstOrThrow();
  return row.n;
}

export type CloseResult = 'closed' | 'notFound' | 'notOpen' | 'alreadyClosed';

/**
 * open → closed. A wave already past its close date is already closed: closing it again is refused rather
 * than restarting its reopen window.
 */
export async function closeWave(db: Db, organizationId: string, surveyId: string): Promise<CloseResult> {
  const closed = await db
    .updateTable('surveys')
    .set({ status: 'closed', closed_at: sql`now()` })
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .where('status', '=', 'open')
    .where((eb) => eb.or([eb('closes_at', 'is', null), eb('closes_at', '>', sql<Date>`now()`)]))
    .executeTakeFirst();
  if (closed.numUpdatedRows > 0n) return 'closed';
  const survey = await db
    .selectFrom('surveys')
    .select('status')
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .executeTakeFirst();
  if (!survey) return 'notFound';
  return survey.status === 'draft' ? 'notOpen' : 'alreadyClosed';
}

export type ReopenResult = 'reopened' | 'notFound' | 'notClosed' | 'windowPassed';

/**
 * closed → open, within REOPEN_WINDOW_DAYS of closing. A close date that has passed is removed (the wave
 * stays open until closed by hand), so the reopened wave really takes answers. The row is locked, so a
 * parallel close or reopen waits for this one.
 */
export async function reopenWave(
  db: Kysely<Database>,
  organizationId: string,
  surveyId: string,
): Promise<ReopenResult> {
  return db.transaction().execute(async (trx) => {
    const survey = await trx
      .selectFrom('surveys')
      .select([
        closedSince.as('closedSince'),
        sql<boolean>`${closedSince} > now() - make_interval(days => ${REOPEN_WINDOW_DAYS})`.as('inWindow'),
      ])
      .where('organization_id', '=', organizationId)
      .where('id', '=', surveyId)
      .forUpdate()
      .executeTakeFirst();
    if (!survey) return 'notFound';
    if (survey.closedSince === null) return 'notClosed';
    if (!survey.inWindow) return 'windowPassed';
    await trx
      .updateTable('surveys')
      .set({
        status: 'open',
        closed_at: null,
        closes_at: sql`case when closes_at <= now() then null else closes_at end`,
      })
      .where('organization_id', '=', organizationId)
      .where('id', '=', surveyId)
      .execute();
    return 'reopened';
  });
}
