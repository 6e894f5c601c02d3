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

/** What a respondent is promised about their answers: the wave's mode, k and whom to ask about their data. */
export interface PrivacyPromise {
  role: RespondentRole;
  supplierName: string;
  /** The account's KAM, named to a customer; null when none (or a seller). */
  kamName: string | null;
  /** The wave's choice: customers' answers shown only in groups of at least `minGroupSize`. */
  confidential: boolean;
  minGroupSize: number;
  privacyContact: string | null;
}

/**
 * Who sees the answers, and whether with the respondent's company's name (an open wave) or only in groups of
 * at least k respondents with comments cut from the company (a confidential one). Sellers belong to no
 * account: their answers go to the supplier's management either way. The first screen and the emails say
 * the same words.
 */
export function answersUse(lang: Lang, promise: PrivacyPromise): string {
  const { role, supplierName: supplier, kamName: kam } = promise;
  if (role === 'seller') return translate(lang, 'respondent.answersUse.seller', { supplier });
  const who = kam ? 'kam' : 'customer';
  if (!promise.confidential) return translate(lang, `respondent.answersUse.${who}`, { supplier, kam });
  return translate(lang, `respondent.answersUse.${who}.confidential`, {
    supplier,
    kam,
    group: plural(lang, 'respondent.group', promise.minGroupSize),
  });
}

/** How to see or erase one's data: the organisation's privacy contact, else the supplier by name. */
export function privacyContactLine(
  lang: Lang,
  promise: Pick<PrivacyPromise, 'supplierName' | 'privacyContact'>,
): string {
  return translate(lang, 'respondent.privacyContact', {
    contact: promise.privacyContact ?? promise.supplierName,
  });
}

/**
 * What the first screen says before any question: who asks (the supplier; for a customer, the account's
 * KAM by name when there is one), how long it takes, until when, who sees the answers and how, and whom to
 * ask to see or erase one's data.
 */
export function aboutTheSurvey(
  lang: Lang,
  invitation: PrivacyPromise & { closesAt: Date | null; overallQuestion?: boolean },
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
    answersUse: answersUse(lang, invitation),
    privacyContact: privacyContactLine(lang, invitation),
  };
}
