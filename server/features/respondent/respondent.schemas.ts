import { z } from 'zod';
import type { RespondentRole } from '../../db/database.js';
import type { Ratings } from './respondent.queries.js';

export interface FormCriterion {
  id: string;
}

/** What a respondent may rate: customers rate importance and performance, sellers importance only. */
export function dimensionsFor(role: RespondentRole) {
  return role === 'customer' ? (['importance', 'performance'] as const) : (['importance'] as const);
}

export const fieldName = (dimension: 'importance' | 'performance', criterionId: string) =>
  `${dimension === 'importance' ? 'i' : 'p'}_${criterionId}`;

export const COMMENT_MAX = 5000;
const SCORE = /^(10|[1-9])$/;
const DONT_KNOW = 'dk';

export type ErrorCode =
  | 'invalid_score'
  | 'unanswered'
  | 'unknown_field'
  | 'too_many_fields'
  | 'invalid_comment'
  | 'invalid_body';

/** The overall satisfaction question's field (customers of a wave that asks it). */
export const OVERALL_FIELD = 'overall';

export interface ParsedAnswers {
  ratings: Ratings;
  /** Overall satisfaction: a score, null for "don't know", undefined when unanswered (or not asked). */
  overall: number | null | undefined;
  comment: string | null;
  submit: boolean;
  /** field → error code; the page translates the code, the API sends it with its field. */
  errors: Record<string, ErrorCode>;
  /** The submitted values, so a re-rendered form keeps every answer. */
  raw: Record<string, string>;
}

function checkComment(value: unknown, errors: Record<string, ErrorCode>): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > COMMENT_MAX || value.includes('\u0000')) {
    errors.comment = 'invalid_comment';
    return null;
  }
  return value.trim() === '' ? null : value;
}

/** One rating field's value: a score, null for "dk", undefined when empty; an error code when invalid. */
function ratingValue(value: unknown): number | null | undefined | ErrorCode {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || (value !== DONT_KNOW && !SCORE.test(value))) return 'invalid_score';
  return value === DONT_KNOW ? null : Number(value);
}

/**
 * A browser form: fields i_<criterionId> / p_<criterionId> with "1"…"10" or "dk", comment, action, and
 * `overall` when the respondent is asked overall satisfaction (`asksOverall`).
 */
export function parseForm(
  body: unknown,
  criteria: readonly FormCriterion[],
  role: RespondentRole,
  asksOverall = false,
): ParsedAnswers {
  const fields = body && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const errors: Record<string, ErrorCode> = {};
  const raw: Record<string, string> = {};
  const ratings: Ratings = {};
  const known = new Set<string>(['comment', 'action', '_csrf', 'lang']);
  if (asksOverall) known.add(OVERALL_FIELD);
  for (const criterion of criteria) {
    for (const dimension of dimensionsFor(role)) known.add(fieldName(dimension, criterion.id));
  }
  const names = Object.keys(fields);
  if (names.length > known.size) errors._form = 'too_many_fields';
  for (const name of names) if (!known.has(name)) errors[name.slice(0, 80)] = 'unknown_field';

  for (const criterion of criteria) {
    for (const dimension of dimensionsFor(role)) {
      const name = fieldName(dimension, criterion.id);
      const value = fields[name];
      if (value === undefined || value === '') continue;
      if (typeof value !== 'string') {
        errors[name] = 'invalid_score';
        continue;
      }
      raw[name] = value;
      if (value !== DONT_KNOW && !SCORE.test(value)) {
        errors[name] = 'invalid_score';
        continue;
      }
      ratings[criterion.id] ??= {};
      (ratings[criterion.id] as Record<string, number | null>)[dimension] =
        value === DONT_KNOW ? null : Number(value);
    }
  }
  let overall: number | null | undefined;
  if (asksOverall) {
    const value = ratingValue(fields[OVERALL_FIELD]);
    if (typeof fields[OVERALL_FIELD] === 'string') raw[OVERALL_FIELD] = fields[OVERALL_FIELD];
    if (typeof value === 'string') errors[OVERALL_FIELD] = value;
    else overall = value;
  }
  const comment = checkComment(fields.comment, errors);
  if (typeof fields.comment === 'string') raw.comment = fields.comment.slice(0, COMMENT_MAX);
  return { ratings, overall, comment, submit: fields.action === 'submit', errors, raw };
}

const score = z.union([z.int().min(1).max(10), z.null()]);
const jsonBody = z
  .object({
    answers: z
      .array(
        z
          .object({
            criterionId: z.string().max(100),
            importance: score.optional(),
            performance: score.optional(),
          })
          .strict(),
      )
      .max(1000),
    overall: score.optional(),
    comment: z.string().max(COMMENT_MAX).nullable().optional(),
    submit: z.boolean().optional(),
  })
  .strict();

/**
 * The integration API: `{"answers":[{"criterionId","importance","performance"}],"overall","comment","submit"}`;
 * null = don't know. Sellers rate importance only: their performance must be null or left out. `overall`
 * (1–10 or null) is for customers of a wave that asks it (`asksOverall`); for anyone else a number is refused
 * and null (no score) is dropped, as a seller's performance is.
 */
export function parseJson(
  body: unknown,
  criteria: readonly FormCriterion[],
  role: RespondentRole,
  asksOverall = false,
): ParsedAnswers {
  const errors: Record<string, ErrorCode> = {};
  const parsed = jsonBody.safeParse(body);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const path = issue.path.join('.') || '_body';
      errors[path] ??= issue.path.includes('comment')
        ? 'invalid_comment'
        : issue.path.length > 2 || issue.path[0] === OVERALL_FIELD
          ? 'invalid_score'
          : 'invalid_body';
    }
    return { ratings: {}, overall: undefined, comment: null, submit: false, errors, raw: {} };
  }
  const ids = new Set(criteria.map((criterion) => criterion.id));
  const ratings: Ratings = {};
  for (const [index, answer] of parsed.data.answers.entries()) {
    if (!ids.has(answer.criterionId) || ratings[answer.criterionId]) {
      errors[`answers.${index}.criterionId`] = 'unknown_field';
      continue;
    }
    // Sellers are not asked about performance: null (no score, as the documented shape sends it) is
    // accepted and dropped, so no performance row is stored; a number is refused.
    if (role === 'seller' && typeof answer.performance === 'number') {
      errors[`answers.${index}.performance`] = 'unknown_field';
      continue;
    }
    const rating: Ratings[string] = {};
    if (answer.importance !== undefined) rating.importance = answer.importance;
    if (role === 'customer' && answer.performance !== undefined) rating.performance = answer.performance;
    ratings[answer.criterionId] = rating;
  }
  let overall: number | null | undefined;
  if (asksOverall) overall = parsed.data.overall;
  else if (typeof parsed.data.overall === 'number') errors[OVERALL_FIELD] = 'unknown_field';
  const comment = checkComment(parsed.data.comment ?? null, errors);
  return { ratings, overall, comment, submit: parsed.data.submit ?? false, errors, raw: {} };
}

/**
 * Submitting needs every rating on the respondent's form: a score or an explicit "don't know" — overall
 * satisfaction too, when it is asked.
 */
export function unansweredFields(
  answers: { ratings: Ratings; overall: number | null | undefined },
  criteria: readonly FormCriterion[],
  role: RespondentRole,
  asksOverall = false,
): string[] {
  const fields = criteria.flatMap((criterion) =>
    dimensionsFor(role)
      .filter((dimension) => answers.ratings[criterion.id]?.[dimension] === undefined)
      .map((dimension) => fieldName(dimension, criterion.id)),
  );
  if (asksOverall && answers.overall === undefined) fields.push(OVERALL_FIELD);
  return fields;
}
