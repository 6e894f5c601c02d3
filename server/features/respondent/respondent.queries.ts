import type { Kysely } from 'kysely';
import type { Database, Db, Dimension, RespondentRole } from '../../db/database.js';
import { effectiveStatus } from '../surveys/surveys.queries.js';

/**
 * The invitation behind a token, with its wave, its response (if any) and, for a customer, the name of the
 * account's KAM while that user is active; revoked links are not found.
 */
export function findInvitationByTokenHash(db: Db, tokenHash: Buffer) {
  return db
    .selectFrom('invitations')
    .innerJoin('surveys', (join) =>
      join
        .onRef('surveys.organization_id', '=', 'invitations.organization_id')
        .onRef('surveys.id', '=', 'invitations.survey_id'),
    )
    .innerJoin('organizations', 'organizations.id', 'invitations.organization_id')
    .leftJoin('responses', (join) =>
      join
        .onRef('responses.organization_id', '=', 'invitations.organization_id')
        .onRef('responses.invitation_id', '=', 'invitations.id'),
    )
    .leftJoin('accounts', (join) =>
      join
        .onRef('accounts.organization_id', '=', 'invitations.organization_id')
        .onRef('accounts.id', '=', 'invitations.account_id'),
    )
    .leftJoin('users as kam', (join) =>
      join
        .onRef('kam.organization_id', '=', 'accounts.organization_id')
        .onRef('kam.id', '=', 'accounts.kam_user_id')
        .on('kam.active', '=', true),
    )
    .select([
      'invitations.organization_id as organizationId',
      'invitations.id as invitationId',
      'invitations.survey_id as surveyId',
      'invitations.role',
      'invitations.account_id as accountId',
      'invitations.language',
      'invitations.name',
      'invitations.opened_at as openedAt',
      effectiveStatus.as('surveyStatus'),
      'surveys.name as surveyName',
      'surveys.intro as surveyIntro',
      'surveys.closes_at as closesAt',
      'organizations.name as supplierName',
      'kam.name as kamName',
      'responses.id as responseId',
      'responses.status as responseStatus',
      'responses.comment as responseComment',
    ])
    .where('invitations.token_hash', '=', tokenHash)
    .where('invitations.revoked_at', 'is', null)
    .executeTakeFirst();
}

export type RespondentInvitation = NonNullable<Awaited<ReturnType<typeof findInvitationByTokenHash>>>;

export async function markOpened(db: Db, organizationId: string, invitationId: string) {
  await db
    .updateTable('invitations')
    .set({ opened_at: new Date() })
    .where('organization_id', '=', organizationId)
    .where('id', '=', invitationId)
    .where('opened_at', 'is', null)
    .execute();
}

/** Ratings by survey criterion id; a present null is "don't know", an absent key is unanswered. */
export type Ratings = Record<string, { importance?: number | null; performance?: number | null }>;

/** The stored ratings of a response (the invitation lookup already brought its id, status and comment). */
export async function loadRatings(
  db: Db,
  organizationId: string,
  responseId: string | null,
): Promise<Ratings> {
  const ratings: Ratings = {};
  if (responseId === null) return ratings;
  const answers = await db
    .selectFrom('answers')
    .select(['survey_criterion_id as criterionId', 'dimension', 'score'])
    .where('organization_id', '=', organizationId)
    .where('response_id', '=', responseId)
    .execute();
  for (const answer of answers) {
    ratings[answer.criterionId] ??= {};
    (ratings[answer.criterionId] as Record<Dimension, number | null>)[answer.dimension] = answer.score;
  }
  return ratings;
}

export class WaveNotOpenError extends Error {}

/**
 * Stores a response atomically: locks the invitation (parallel posts on one link queue up), re-checks that
 * the wave is open, replaces the answers, bumps the version and appends the new version to the audit trail.
 */
export async function saveResponse(
  db: Kysely<Database>,
  invitation: {
    organizationId: string;
    invitationId: string;
    surveyId: string;
    role: RespondentRole;
    accountId: string | null;
  },
  input: { ratings: Ratings; comment: string | null; submit: boolean },
  audienceOf: (criterionId: string) => 'both' | 'seller',
): Promise<'saved' | 'submitted'> {
  const { organizationId, invitationId, surveyId, role, accountId } = invitation;
  return db.transaction().execute(async (trx) => {
    const locked = await trx
      .selectFrom('invitations')
      .innerJoin('surveys', (join) =>
        join
          .onRef('surveys.organization_id', '=', 'invitations.organization_id')
          .onRef('surveys.id', '=', 'invitations.survey_id'),
      )
      .select([effectiveStatus.as('surveyStatus'), 'invitations.revoked_at as revokedAt'])
      .where('invitations.organization_id', '=', organizationId)
      .where('invitations.id', '=', invitationId)
      .forUpdate('invitations')
      .executeTakeFirst();
    if (!locked || locked.revokedAt || locked.surveyStatus !== 'open') throw new WaveNotOpenError();

    const existing = await trx
      .selectFrom('responses')
      .select(['id', 'status', 'version'])
      .where('organization_id', '=', organizationId)
      .where('invitation_id', '=', invitationId)
      .executeTakeFirst();
    const status: 'submitted' | 'in_progress' =
      input.submit || existing?.status === 'submitted' ? 'submitted' : 'in_progress';
    const now = new Date();
    const submittedAt = status === 'submitted' ? now : null;
    let responseId: string;
    let version: number;
    if (existing) {
      responseId = existing.id;
      version = existing.version + 1;
      await trx
        .updateTable('responses')
        .set({ status, comment: input.comment, version, updated_at: now, submitted_at: submittedAt })
        .where('organization_id', '=', organizationId)
        .where('id', '=', responseId)
        .execute();
      await trx
        .deleteFrom('answers')
        .where('organization_id', '=', organizationId)
        .where('response_id', '=', responseId)
        .execute();
    } else {
      version = 1;
      ({ id: responseId } = await trx
        .insertInto('responses')
        .values({
          organization_id: organizationId,
          survey_id: surveyId,
          invitation_id: invitationId,
          role,
          account_id: accountId,
          status,
          comment: input.comment,
          updated_at: now,
          submitted_at: submittedAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow());
    }

    const rows = Object.entries(input.ratings).flatMap(([criterionId, rating]) =>
      (['importance', 'performance'] as const)
        .filter((dimension) => rating[dimension] !== undefined)
        .map((dimension) => ({
          organization_id: organizationId,
          survey_id: surveyId,
          response_id: responseId,
          role,
          survey_criterion_id: criterionId,
          audience: audienceOf(criterionId),
          dimension,
          score: rating[dimension] ?? null,
          response_status: status,
          account_id: accountId,
        })),
    );
    if (rows.length > 0) await trx.insertInto('answers').values(rows).execute();
    await trx
      .insertInto('response_revisions')
      .values({
        organization_id: organizationId,
        response_id: responseId,
        version,
        status,
        comment: input.comment,
        answers: JSON.stringify(input.ratings),
      })
      .execute();
    return status === 'submitted' ? 'submitted' : 'saved';
  });
}

export function listCriteriaForRole(db: Db, organizationId: string, surveyId: string, role: RespondentRole) {
  let query = db
    .selectFrom('survey_criteria')
    .select(['id', 'label_nb as labelNb', 'label_en as labelEn', 'audience'])
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId);
  if (role === 'customer') query = query.where('audience', '=', 'both');
  return query.orderBy('position').execute();
}
