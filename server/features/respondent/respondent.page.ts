import type { RespondentRole } from '../../db/database.js';
import { formatDeadline } from '../../lib/dates.js';
import { type Lang, translate } from '../../lib/i18n.js';
import type { Ratings } from './respondent.queries.js';
import { dimensionsFor, type FormCriterion } from './respondent.schemas.js';

/**
 * The time a respondent is told the form takes: half a minute per rating (reading the question and picking
 * a score), rounded up to whole minutes, at least one. A customer gives two ratings per criterion, a seller
 * one: 12 criteria take a customer about 12 minutes, 13 take a seller about 7. Overall satisfaction, when
 * the wave asks it, is one more rating for a customer (12 criteria: about 13 minutes). Rather long than
 * short: a form that takes longer than promised is the one people leave.
 */
export function estimatedMinutes(criteria: number, role: RespondentRole, overallQuestion = false): number {
  const ratings = criteria * dimensionsFor(role).length + (asksOverall(role, overallQuestion) ? 1 : 0);
  return Math.max(1, Math.ceil(ratings / 2));
}

/** Only customers are asked overall satisfaction, and only in a wave that asks it. */
export function asksOverall(role: RespondentRole, overallQuestion: boolean | undefined): boolean {
  return role === 'customer' && overallQuestion === true;
}

/** Criteria with every rating the respondent is asked for given; "don't know" counts as given. */
export function answeredCriteria(
  ratings: Ratings,
  criteria: readonly FormCriterion[],
  role: RespondentRole,
): number {
  return criteria.filter((criterion) =>
    dimensionsFor(role).every((dimension) => ratings[criterion.id]?.[dimension] !== undefined),
  ).length;
}

const plural = (lang: Lang, key: string, count: number) =>
  translate(lang, `${key}.${count === 1 ? 'one' : 'other'}`, { count });

/**
 * What the first screen says before any question: who asks (the supplier; for a customer, the account's
 * KAM by name when there is one), how long it takes, until when, and who sees the answers.
 */
export function aboutTheSurvey(
  lang: Lang,
  invitation: {
    role: RespondentRole;
    supplierName: string;
    kamName: string | null;
    closesAt: Date | null;
    overallQuestion?: boolean;
  },
  criteria: number,
) {
  const { role, supplierName: supplier, kamName: kam, closesAt, overallQuestion } = invitation;
  const who = role === 'seller' ? 'seller' : kam ? 'kam' : 'customer';
  return {
    askedBy: translate(lang, `respondent.askedBy.${who}`, { supplier, kam }),
    duration: translate(lang, 'respondent.duration', {
      minutes: plural(lang, 'respondent.minutes', estimatedMinutes(criteria, role, overallQuestion)),
      criteria: plural(lang, 'respondent.criteria', criteria),
    }),
    deadline: closesAt
      ? translate(lang, 'respondent.deadline', { date: formatDeadline(lang, closesAt) })
      : translate(lang, 'respondent.noDeadline', { supplier }),
    answersUse: translate(lang, `respondent.answersUse.${who}`, { supplier, kam }),
  };
}
