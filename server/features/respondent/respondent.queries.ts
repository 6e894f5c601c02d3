import { type InferResult, type Kysely, type QueryCreator, sql } from 'kysely';
import type pg from 'pg';
import type { Database, Db, Dimension, RespondentRole } from '../../db/database.js';
import { batchedHashLookup, preparedHashLookup } from '../../db/prepared.js';
import { effectiveStatus } from '../surveys/surveys.queries.js';

/**
 * The invitation lookups of the respondent routes, as prepared statements on the app's pool. `open`
 * (opening a link) also reads the response's stored ratings and marks the link opened, in the same
 * statement: opening a link is one round trip to the database (the wave's criteria come from WaveCriteria),
 * shared with the other links opened in the same turn of the event loop (batchedHashLookup).
 */
export function invitationLookups(db: Kysely<Database>, pool: pg.Pool) {
  const plain = preparedHashLookup(pool, 'respondent_invitation', (hash) =>
    invitationsByTokenHash(db, [hash]),
  );
  const opened = batchedHashLookup(
    pool,
    'respondent_open',
    (hashes) => openLinks(db, hashes),
    (row) => row.tokenHash,
  );
  return {
    async invitation(tokenHash: Buffer): Promise<RespondentInvitation | undefined> {
      return (await plain(tokenHash))[0];
    },
    /** The invitation with its stored ratings; marks the link opened the first time its wave is open. */
    async open(tokenHash: Buffer) {
      const row = await opened(tokenHash);
      if (!row) return undefined;
      const { answers, tokenHash: _, ...invitation } = row;
      return { invitation, ratings: ratingsOf(answers) };
    },
  };
}

/**
 * Opening links: each invitation with its token hash and the response's stored ratings, and — the first
 * time a link is opened while its wave is open — `opened_at` set by the statement's data-modifying CTE. A
 * link already opened, or whose wave is not open, is only read: when no link is marked nothing is written
 * and the commit has nothing to flush.
 *
 * The mark is committed asynchronously: the statement is its own transaction, and the update sets
 * `synchronous_commit` off for that transaction alone (`set_config(…, true)`; the next statement on the
 * connection is back to the server's setting). The response does not wait for the WAL to reach the disk. A
 * crash of PostgreSQL in the following fraction of a second (at most 3 × wal_writer_delay) can lose the
 * mark, never half of it and nothing else: the link then counts as unopened until it is opened again.
 * Answers are saved by other statements, always synchronously. See docs/decisions/0009-opening-a-link.md.
 */
export function openLinks(db: Kysely<Database>, tokenHashes: readonly Buffer[]) {
  const marking = db.with('opened', (qb) =>
    qb
      .updateTable('invitations')
      .set({ opened_at: sql`now()` })
      // The links to mark, locked without waiting: a link another transaction holds (another batch marking
      // it, a submission or an erasure in progress) is left to it, so no lookup of the batch waits on it and
      // no lock cycle can form. Such a link opened at that moment may stay unmarked, like a mark lost
      // with the asynchronous commit; it is read all the same.
      .from((eb) =>
        eb
          .selectFrom('invitations as unopened')
          .select(['unopened.organization_id', 'unopened.id'])
          .where('unopened.token_hash', 'in', tokenHashes)
          .where('unopened.revoked_at', 'is', null)
          .where('unopened.opened_at', 'is', null)
          .where((eb) =>
            eb.exists(
              eb
                .selectFrom('surveys')
                .select(sql.lit(1).as('one'))
                .whereRef('surveys.organization_id', '=', 'unopened.organization_id')
                .whereRef('surveys.id', '=', 'unopened.survey_id')
                .where(effectiveStatus, '=', 'open'),
            ),
          )
          .forNoKeyUpdate()
          .skipLocked()
          .as('unopened'),
      )
      .whereRef('invitations.organization_id', '=', 'unopened.organization_id')
      .whereRef('invitations.id', '=', 'unopened.id')
      // Last, so it runs for the rows being marked; a row it runs for and that is not marked changes nothing.
      .where(sql<string>`set_config('synchronous_commit', 'off', true)`, '=', 'off')
      .returning('invitations.id'),
  );
  // The select never reads the CTE (PostgreSQL runs a data-modifying CTE whether or not it is read), so it
  // is built on the plain schema.
  return invitationsByTokenHash(marking as unknown as QueryCreator<Database>, tokenHashes).select((eb) => [
    'invitations.token_hash as tokenHash',
    eb
      .selectFrom('answers')
      // The stored ratings as one short text, `<criterion id>:<i|p><score, or nothing for "don't know">`
      // joined by commas: on the busiest page, about half of what JSON objects cost to build and to read.
      .select(
        sql<
          string | null
        >`string_agg(answers.survey_criterion_id::text || ':' || left(answers.dimension, 1) || coalesce(answers.score::text, ''), ',')`.as(
          'ratings',
        ),
      )
      .whereRef('answers.organization_id', '=', 'invitations.organization_id')
      .whereRef('answers.response_id', '=', 'responses.id')
      .as('answers'),
  ]);
}

/**
 * The invitations behind tokens (given by their hashes), each with its wave, its response (if any) and, for
 * a customer, the name of the account's KAM while that user is active; revoked links are not found.
 */
function invitationsByTokenHash(db: QueryCreator<Database>, tokenHashes: readonly Buffer[]) {
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
      effectiveStatus.as('surveyStatus'),
      'surveys.name as surveyName',
      'surveys.intro as surveyIntro',
      'surveys.closes_at as closesAt',
      'surveys.overall_question as overallQuestion',
      'surveys.confidential',
      'organizations.name as supplierName',
      'organizations.min_group_size as minGroupSize',
      'organizations.privacy_contact as privacyContact',
      'kam.name as kamName',
      'responses.id as responseId',
      'responses.status as responseStatus',
      'responses.comment as responseComment',
      'responses.overall_answered as overallAnswered',
      'responses.overall_score as overallScore',
    ])
    .where('invitations.token_hash', 'in', tokenHashes)
    .where('invitations.revoked_at', 'is', null);
}

export type RespondentInvitation = InferResult<ReturnType<typeof invitationsByTokenHash>>[number];

/** Ratings by survey criterion id; a present null is "don't know", an absent key is unanswered. */
export type Ratings = Record<string, { importance?: number | null; performance?: number | null }>;

/** Ratings from openLink's text of them (null: none stored). */
function ratingsOf(stored: string | null): Ratings {
  const ratings: Ratings = {};
  for (const item of stored ? stored.split(',') : []) {
    const [criterionId = '', rating = ''] = item.split(':');
    const dimension: Dimension = rating.startsWith('i') ? 'importance' : 'performance';
    ratings[criterionId] ??= {};
    ratings[criterionId][dimension] = rating.length > 1 ? Number(rating.slice(1)) : null;
  }
  return ratings;
}

export class WaveNotOpenError extends Error {}

/**
 * Stores a response atomically: locks the invitation (parallel posts on one link queue up), re-checks that
 * the wave is open, replaces the answers and the overall answer (undefined: unanswered; null: "don't
 * know"), bumps the version and appends the new version to the audit trail.
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
  input: { ratings: Ratings; overall?: number | null; comment: string | null; submit: boolean },
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
    const overall = { overall_answered: input.overall !== undefined, overall_score: input.overall ?? null };
    let responseId: string;
    let version: number;
    if (existing) {
      responseId = existing.id;
      version = existing.version + 1;
      await trx
        .updateTable('responses')
        .set({
          status,
          comment: input.comment,
          ...overall,
          version,
          updated_at: now,
          submitted_at: submittedAt,
        })
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
          ...overall,
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
        ...overall,
      })
      .execute();
    return status === 'submitted' ? 'submitted' : 'saved';
  });
}

/** A wave's criteria in the order of the form, each with the audience that rates it. */
export function listWaveCriteria(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('survey_criteria')
    .select(['id', 'label_nb as labelNb', 'label_en as labelEn', 'audience'])
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .orderBy('position')
    .execute();
}

export type WaveCriterion = Awaited<ReturnType<typeof listWaveCriteria>>[number];

/**
 * Each wave's criteria, read from the database once per process. They are frozen when the wave is created
 * (insertSurvey writes them in the wave's transaction and nothing updates survey_criteria), so a copy never
 * goes stale. Keyed by organisation and wave; the oldest waves are dropped beyond `limit`.
 */
export class WaveCriteria {
  private readonly waves = new Map<string, Promise<Record<RespondentRole, WaveCriterion[]>>>();

  constructor(
    private readonly db: Db,
    private readonly limit = 1000,
  ) {}

  async forRole(organizationId: string, surveyId: string, role: RespondentRole): Promise<WaveCriterion[]> {
    const key = `${organizationId}:${surveyId}`;
    let wave = this.waves.get(key);
    if (wave) {
      // Least recently used goes first: a hit moves the wave to the end of the map's order.
      this.waves.delete(key);
      this.waves.set(key, wave);
    } else {
      // Forgets this read only, never a newer one made after it was evicted.
      const forget = () => {
        if (this.waves.get(key) === pending) this.waves.delete(key);
      };
      const pending: Promise<Record<RespondentRole, WaveCriterion[]>> = listWaveCriteria(
        this.db,
        organizationId,
        surveyId,
      ).then((criteria) => {
        // A wave without criteria is not a finished wave: ask again next time.
        if (criteria.length === 0) forget();
        return {
          seller: criteria,
          customer: criteria.filter((criterion) => criterion.audience === 'both'),
        };
      });
      const oldest = this.waves.keys().next();
      if (this.waves.size >= this.limit && !oldest.done) this.waves.delete(oldest.value);
      this.waves.set(key, pending);
      // A failed read is not remembered: the next request tries again.
      pending.catch(forget);
      wave = pending;
    }
    return (await wave)[role];
  }
}
