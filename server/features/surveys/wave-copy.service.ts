import { type Kysely, sql } from 'kysely';
import type { Database, Language, RespondentRole } from '../../db/database.js';
import { isUniqueViolation } from '../auth/auth.queries.js';
import { optedOut } from '../email/email.queries.js';
import { writeInvitations } from './invitations.service.js';
import { findSuccessor, writeSurvey } from './surveys.queries.js';
import type { InvitationInput } from './surveys.schemas.js';

/**
 * "Run again": a new draft wave that follows a wave in its series — the same frozen questions (so the two
 * can be compared criterion by criterion), the same invitees with fresh links, the same settings.
 */

export interface CopyContext {
  organizationId: string;
  linkKey: Buffer;
  publicUrl: string;
}

/** Why an invitee of the earlier wave is not invited to the copy. */
export type SkipReason = 'optedOut' | 'userInactive' | 'repeated' | 'erased';

export interface SkippedInvitee {
  /** The earlier wave's invitation. */
  invitationId: string;
  role: RespondentRole;
  email: string;
  reason: SkipReason;
}

export interface LeftOutCriterion {
  key: string | null;
  labelNb: string;
  labelEn: string;
}

export type CopyResult =
  | {
      outcome: 'copied';
      surveyId: string;
      invitations: Awaited<ReturnType<typeof writeInvitations>>;
      leftOut: LeftOutCriterion[];
      skipped: SkippedInvitee[];
    }
  | { outcome: 'notFound' }
  | { outcome: 'alreadyFollowedUp'; successorId: string }
  | { outcome: 'noActiveCriteria'; leftOut: LeftOutCriterion[] };

/** The copy's default name: the original's with a suffix in the wave's language, within 200 characters. */
export function followUpName(name: string, suffix: string, max = 200): string {
  const room = max - [...suffix].length - 1;
  return `${[...name].slice(0, room).join('').trimEnd()} ${suffix}`;
}

/**
 * Copies wave `sourceId` in one transaction; nothing is written unless everything is.
 *
 * - Criteria: the wave's own frozen rows (key, library criterion, labels, audience, order), except those
 *   whose library criterion has been retired since — they are left out and named in `leftOut`.
 * - Invitees: every invitation not revoked, as a new invitation (same role, name, language, account, contact,
 *   user) with a fresh link, through the same path as any invitation. The address is the contact's or user's
 *   current one (a corrected address is used). Left out and named in `skipped`: an address that opted out of
 *   email, a seller whose user is deactivated, and an address that now repeats an earlier one. Accounts and
 *   contacts cannot disappear under an invitation (their foreign keys refuse the delete).
 * - One successor per wave: the source row is locked, so a parallel copy waits and then sees this one; the
 *   unique index surveys_previous_key settles any race that gets past that.
 */
export async function copyWave(
  db: Kysely<Database>,
  context: CopyContext,
  sourceId: string,
  naming: { name?: string; suffixFor: (language: Language) => string },
): Promise<CopyResult> {
  const { organizationId } = context;
  try {
    return await db.transaction().execute(async (trx): Promise<CopyResult> => {
      const source = await trx
        .selectFrom('surveys')
        .select([
          'id',
          'name',
          'language',
          'intro',
          'overall_question as overallQuestion',
          'confidential',
          'crosshair',
          'reminder_after_days as reminderAfterDays',
          'max_reminders as maxReminders',
        ])
        .where('organization_id', '=', organizationId)
        .where('id', '=', sourceId)
        .forUpdate()
        .executeTakeFirst();
      if (!source) return { outcome: 'notFound' };
      const successor = await findSuccessor(trx, organizationId, source.id);
      if (successor) return { outcome: 'alreadyFollowedUp', successorId: successor.id };

      const criteria = await trx
        .selectFrom('survey_criteria as sc')
        .leftJoin('criteria as c', (join) =>
          join.onRef('c.organization_id', '=', 'sc.organization_id').onRef('c.id', '=', 'sc.criterion_id'),
        )
        .select([
          'sc.criterion_id as criterionId',
          'sc.key',
          'sc.label_nb as labelNb',
          'sc.label_en as labelEn',
          'sc.audience',
          sql<boolean>`c.retired_at is not null`.as('retired'),
        ])
        .where('sc.organization_id', '=', organizationId)
        .where('sc.survey_id', '=', source.id)
        .orderBy('sc.position')
        .execute();
      const kept = criteria.filter((criterion) => !criterion.retired);
      const leftOut = criteria
        .filter((criterion) => criterion.retired)
        .map(({ key, labelNb, labelEn }) => ({ key, labelNb, labelEn }));
      if (kept.length === 0) return { outcome: 'noActiveCriteria', leftOut };

      const surveyId = await writeSurvey(
        trx,
        organizationId,
        {
          name: naming.name ?? followUpName(source.name, naming.suffixFor(source.language)),
          language: source.language,
          closesAt: null,
          intro: source.intro,
          overallQuestion: source.overallQuestion,
          confidential: source.confidential,
          previousSurveyId: source.id,
          crosshair: source.crosshair,
          reminderAfterDays: source.reminderAfterDays,
          maxReminders: source.maxReminders,
        },
        kept.map(({ criterionId, key, labelNb, labelEn, audience }) => ({
          criterionId,
          key,
          labelNb,
          labelEn,
          audience,
        })),
      );

      const invitees = await trx
        .selectFrom('invitations as i')
        .leftJoin('contacts as ct', (join) =>
          join.onRef('ct.organization_id', '=', 'i.organization_id').onRef('ct.id', '=', 'i.contact_id'),
        )
        .leftJoin('users as u', (join) =>
          join.onRef('u.organization_id', '=', 'i.organization_id').onRef('u.id', '=', 'i.user_id'),
        )
        .select([
          'i.id',
          'i.role',
          'i.name',
          'i.language',
          'i.account_id as accountId',
          'i.contact_id as contactId',
          'i.user_id as userId',
          sql<string>`coalesce(ct.email, u.email, i.email)`.as('email'),
          sql<string>`lower(coalesce(ct.email, u.email, i.email))`.as('emailKey'),
          sql<boolean>`coalesce(u.active, true)`.as('userActive'),
          sql<boolean>`i.erased_at is not null`.as('erased'),
          optedOut(sql<string>`coalesce(ct.email, u.email, i.email)`).as('optedOut'),
        ])
        .where('i.organization_id', '=', organizationId)
        .where('i.survey_id', '=', source.id)
        .where('i.revoked_at', 'is', null)
        .orderBy('i.created_at')
        .orderBy('i.id')
        .execute();

      const skipped: SkippedInvitee[] = [];
      const inputs: InvitationInput[] = [];
      const seen = new Set<string>();
      for (const invitee of invitees) {
        // An erased person (privacy request or retention) is never invited again: their address is gone.
        const reason: SkipReason | null = invitee.erased
          ? 'erased'
          : invitee.optedOut
            ? 'optedOut'
            : !invitee.userActive
              ? 'userInactive'
              : seen.has(invitee.emailKey)
                ? 'repeated'
                : null;
        seen.add(invitee.emailKey);
        if (reason) {
          skipped.push({ invitationId: invitee.id, role: invitee.role, email: invitee.email, reason });
          continue;
        }
        const common = { name: invitee.name ?? undefined, language: invitee.language };
        if (invitee.role === 'customer') {
          inputs.push(
            invitee.contactId
              ? { role: 'customer', contactId: invitee.contactId, ...common }
              : {
                  role: 'customer',
                  accountId: invitee.accountId ?? undefined,
                  email: invitee.email,
                  ...common,
                },
          );
        } else {
          inputs.push(
            invitee.userId
              ? { role: 'seller', userId: invitee.userId, ...common }
              : { role: 'seller', email: invitee.email, ...common },
          );
        }
      }
      const invitations = await writeInvitations(
        trx,
        {
          organizationId,
          surveyId,
          surveyLanguage: source.language,
          linkKey: context.linkKey,
          publicUrl: context.publicUrl,
        },
        inputs,
      );
      return { outcome: 'copied', surveyId, invitations, leftOut, skipped };
    });
  } catch (error) {
    // A parallel copy of the same wave won the race past the row lock.
    if (
      isUniqueViolation(error) &&
      (error as { constraint?: string }).constraint === 'surveys_previous_key'
    ) {
      const successor = await findSuccessor(db, organizationId, sourceId);
      if (successor) return { outcome: 'alreadyFollowedUp', successorId: successor.id };
    }
    throw error;
  }
}

/**
 * The earlier wave's criteria that a later one does not ask: the same criterion is the same key, else (no
 * key) the same library criterion.
 */
export function notAskedAgain<T extends { key: string | null; criterionId: string | null }>(
  earlier: readonly T[],
  later: readonly { key: string | null; criterionId: string | null }[],
): T[] {
  const keys = new Set(later.flatMap((c) => (c.key ? [c.key] : [])));
  const libraryIds = new Set(later.flatMap((c) => (c.criterionId ? [c.criterionId] : [])));
  return earlier.filter((c) =>
    c.key ? !keys.has(c.key) : !(c.criterionId !== null && libraryIds.has(c.criterionId)),
  );
}
