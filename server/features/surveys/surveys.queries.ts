import { type Kysely, sql, type Transaction } from 'kysely';
import type { Audience, Database, Db, Language, RespondentRole, SurveyStatus } from '../../db/database.js';

export interface FrozenCriterion {
  criterionId: string | null;
  key: string | null;
  labelNb: string;
  labelEn: string;
  audience: Audience;
}

/** A wave's status as respondents see it: an open wave past its close date is closed. */
export const effectiveStatus = sql<SurveyStatus>`case when surveys.status = 'open' and surveys.closes_at <= now() then 'closed' else surveys.status end`;

/** A new wave's settings; a copy of a wave also carries its predecessor and the settings it keeps. */
export interface NewSurvey {
  name: string;
  language: Language;
  closesAt: Date | null;
  intro?: string | null;
  /** Ask customers overall satisfaction; the database's default (true) when left out. */
  overallQuestion?: boolean;
  /** Show customers' answers only in groups of at least k; the database's default (true) when left out. */
  confidential?: boolean;
  previousSurveyId?: string | null;
  crosshair?: 'grand_mean' | 'midpoint';
  reminderAfterDays?: number | null;
  maxReminders?: number;
}

export async function insertSurvey(
  db: Kysely<Database>,
  organizationId: string,
  survey: NewSurvey,
  criteria: readonly FrozenCriterion[],
): Promise<string> {
  return db.transaction().execute((trx) => writeSurvey(trx, organizationId, survey, criteria));
}

/** insertSurvey inside the caller's transaction: the wave and its frozen criteria, positions 0, 1, 2 … */
export async function writeSurvey(
  trx: Transaction<Database>,
  organizationId: string,
  survey: NewSurvey,
  criteria: readonly FrozenCriterion[],
): Promise<string> {
  const { id } = await trx
    .insertInto('surveys')
    .values({
      organization_id: organizationId,
      name: survey.name,
      language: survey.language,
      closes_at: survey.closesAt,
      intro: survey.intro ?? null,
      previous_survey_id: survey.previousSurveyId ?? null,
      ...(survey.overallQuestion !== undefined ? { overall_question: survey.overallQuestion } : {}),
      ...(survey.confidential !== undefined ? { confidential: survey.confidential } : {}),
      ...(survey.crosshair ? { crosshair: survey.crosshair } : {}),
      ...(survey.reminderAfterDays !== undefined ? { reminder_after_days: survey.reminderAfterDays } : {}),
      ...(survey.maxReminders !== undefined ? { max_reminders: survey.maxReminders } : {}),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  if (criteria.length > 0) {
    await trx
      .insertInto('survey_criteria')
      .values(
        criteria.map((criterion, position) => ({
          organization_id: organizationId,
          survey_id: id,
          criterion_id: criterion.criterionId,
          key: criterion.key,
          label_nb: criterion.labelNb,
          label_en: criterion.labelEn,
          audience: criterion.audience,
          position,
        })),
      )
      .execute();
  }
  return id;
}

export function findSurvey(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('surveys')
    .select([
      'id',
      'name',
      'language',
      effectiveStatus.as('status'),
      'closes_at as closesAt',
      'opened_at as openedAt',
      'closed_at as closedAt',
      'created_at as createdAt',
      'crosshair',
      'intro',
      'overall_question as overallQuestion',
      'confidential',
      'previous_survey_id as previousSurveyId',
    ])
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .executeTakeFirst();
}

/** The wave that follows this one in its series (its copy), if any: at most one (index surveys_previous_key). */
export function findSuccessor(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('surveys')
    .select(['id', 'name'])
    .where('organization_id', '=', organizationId)
    .where('previous_survey_id', '=', surveyId)
    .executeTakeFirst();
}

export function listSurveys(db: Db, organizationId: string) {
  return db
    .selectFrom('surveys')
    .select(['id', 'name', effectiveStatus.as('status'), 'created_at as createdAt', 'closes_at as closesAt'])
    .where('organization_id', '=', organizationId)
    .orderBy('created_at', 'desc')
    .execute();
}

export function listSurveyCriteria(db: Db, organizationId: string, surveyId: string) {
  return db
    .selectFrom('survey_criteria')
    .select([
      'id',
      'key',
      'criterion_id as criterionId',
      'label_nb as labelNb',
      'label_en as labelEn',
      'audience',
      'position',
    ])
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .orderBy('position')
    .execute();
}

/** draft → open, open → closed; anything else changes nothing and returns false. */
export async function transitionSurvey(
  db: Db,
  organizationId: string,
  surveyId: string,
  to: 'open' | 'closed',
) {
  const result = await db
    .updateTable('surveys')
    .set(
      to === 'open' ? { status: 'open', opened_at: new Date() } : { status: 'closed', closed_at: new Date() },
    )
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .where('status', '=', to === 'open' ? 'draft' : 'open')
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** `erased`: its person's data was erased (privacy request or retention); its answers count, anonymously. */
export type InvitationStatus = 'not_opened' | 'opened' | 'in_progress' | 'submitted' | 'revoked' | 'erased';

export async function listInvitations(db: Db, organizationId: string, surveyId: string) {
  const rows = await db
    .selectFrom('invitations')
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
    .select([
      'invitations.id',
      'invitations.role',
      'invitations.email',
      'invitations.name',
      'invitations.language',
      'invitations.account_id as accountId',
      'invitations.contact_id as contactId',
      'invitations.user_id as userId',
      'invitations.token_salt as tokenSalt',
      'invitations.opened_at as openedAt',
      'invitations.revoked_at as revokedAt',
      'invitations.erased_at as erasedAt',
      'accounts.name as accountName',
      'responses.status as responseStatus',
    ])
    .where('invitations.organization_id', '=', organizationId)
    .where('invitations.survey_id', '=', surveyId)
    .orderBy('invitations.role')
    .orderBy('accounts.name')
    .orderBy('invitations.email')
    .execute();
  return rows.map(({ responseStatus, openedAt, revokedAt, erasedAt, ...row }) => {
    const status: InvitationStatus = erasedAt
      ? 'erased'
      : revokedAt
        ? 'revoked'
        : responseStatus === 'submitted'
          ? 'submitted'
          : responseStatus === 'in_progress'
            ? 'in_progress'
            : openedAt
              ? 'opened'
              : 'not_opened';
    return { ...row, status };
  });
}

export interface NewInvitation {
  role: RespondentRole;
  email: string;
  name: string | null;
  language: Language;
  accountId: string | null;
  contactId: string | null;
  userId: string | null;
  tokenSalt: Buffer;
  tokenHash: Buffer;
}

export async function insertInvitation(
  db: Db,
  organizationId: string,
  surveyId: string,
  invitation: NewInvitation,
) {
  const { id } = await db
    .insertInto('invitations')
    .values({
      organization_id: organizationId,
      survey_id: surveyId,
      role: invitation.role,
      email: invitation.email,
      name: invitation.name,
      language: invitation.language,
      account_id: invitation.accountId,
      contact_id: invitation.contactId,
      user_id: invitation.userId,
      token_salt: invitation.tokenSalt,
      token_hash: invitation.tokenHash,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return id;
}

/**
 * Revokes a link that has not been answered: the link stops working and the invitation no longer counts as
 * invited. A submitted response stays in the results, so its link cannot be revoked ('answered'). The
 * invitation row is locked first, as saving a response does, so a submit and a revoke cannot cross.
 */
export async function revokeInvitation(
  db: Kysely<Database>,
  organizationId: string,
  surveyId: string,
  invitationId: string,
): Promise<'revoked' | 'notFound' | 'answered'> {
  return db.transaction().execute(async (trx) => {
    const invitation = await trx
      .selectFrom('invitations')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('survey_id', '=', surveyId)
      .where('id', '=', invitationId)
      .where('revoked_at', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!invitation) return 'notFound';
    const submitted = await trx
      .selectFrom('responses')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('invitation_id', '=', invitationId)
      .where('status', '=', 'submitted')
      .executeTakeFirst();
    if (submitted) return 'answered';
    await trx
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('organization_id', '=', organizationId)
      .where('id', '=', invitationId)
      .execute();
    return 'revoked';
  });
}

/** A fresh link for the same invitation: the old one stops working; answers stay. */
export async function renewInvitationToken(
  db: Db,
  organizationId: string,
  surveyId: string,
  invitationId: string,
  token: { salt: Buffer; hash: Buffer },
) {
  const result = await db
    .updateTable('invitations')
    .set({ token_salt: token.salt, token_hash: token.hash })
    .where('organization_id', '=', organizationId)
    .where('survey_id', '=', surveyId)
    .where('id', '=', invitationId)
    .where('revoked_at', 'is', null)
    // An erased person's invitation never gets a working link again.
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}

/** Where the report's quadrant crosshairs sit: the grand means (default) or the scale midpoint 5.5. */
export async function setCrosshair(
  db: Db,
  organizationId: string,
  surveyId: string,
  crosshair: 'grand_mean' | 'midpoint',
) {
  await db
    .updateTable('surveys')
    .set({ crosshair })
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .execute();
}

/** The wave's intro for respondents (plain text, null for none). */
export async function setIntro(db: Db, organizationId: string, surveyId: string, intro: string | null) {
  await db
    .updateTable('surveys')
    .set({ intro })
    .where('organization_id', '=', organizationId)
    .where('id', '=', surveyId)
    .execute();
}
