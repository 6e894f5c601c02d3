import { z } from 'zod';
import type { ActionStatus } from '../../db/database.js';
import { singleLine } from '../../lib/validation.js';

export const ACTION_STATUSES = ['planned', 'in_progress', 'done'] as const satisfies readonly ActionStatus[];
export const TITLE_MAX = 200;
export const NOTE_MAX = 5000;

export const status = z.enum(ACTION_STATUSES, 'Must be planned, in_progress or done');

/** An empty form field or JSON string is an absent value. */
const blankAsAbsent = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * A calendar day, YYYY-MM-DD, that exists (no 31 April, no 29 February outside leap years). Years before
 * 1900 are refused: nobody plans an action then, and PostgreSQL has no year 0.
 */
export const calendarDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'Use the format YYYY-MM-DD')
  .refine((value) => {
    const [year, month, day] = value.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(year, month - 1, day));
    return (
      year >= 1900 &&
      date.getUTCFullYear() === year &&
      date.getUTCMonth() === month - 1 &&
      date.getUTCDate() === day
    );
  }, 'Not a real date');

/**
 * What was done, in free text: line breaks kept (CRLF → LF) and tabs allowed, other control characters
 * refused; trimmed, empty is none (null).
 */
export const note = z
  .preprocess(
    (value) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : value),
    z
      .string()
      .max(NOTE_MAX, `At most ${NOTE_MAX} characters`)
      .refine(
        (value) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value),
        'Control characters are not allowed',
      ),
  )
  .transform((value) => (value === '' ? null : value));

export const title = singleLine(TITLE_MAX);

const id = (message: string) => z.uuid(message);

/** `POST /api/v1/surveys/:id/actions`: the criterion by the wave's key, or by its survey-criterion id. */
export const createActionBody = z
  .object({
    criterionKey: z.string().min(1, 'Required').max(100, 'At most 100 characters').optional(),
    criterionId: id('Not a valid criterion id').optional(),
    title,
    accountId: id('Not a valid account id').nullable().optional(),
    ownerUserId: id('Not a valid user id').nullable().optional(),
    dueDate: calendarDate.nullable().optional(),
    note: note.nullable().optional(),
    status: status.optional(),
  })
  .strict()
  .refine((body) => (body.criterionKey === undefined) !== (body.criterionId === undefined), {
    message: 'Give exactly one of criterionKey and criterionId',
    path: ['criterionKey'],
  });
export type CreateActionBody = z.infer<typeof createActionBody>;

/** `PATCH /api/v1/actions/:id`: at least one field; null clears the owner, the due date or the note. */
export const patchActionBody = z
  .object({
    status: status.optional(),
    note: note.nullable().optional(),
    title: title.optional(),
    ownerUserId: id('Not a valid user id').nullable().optional(),
    dueDate: calendarDate.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.values(body).some((value) => value !== undefined), {
    message: 'Nothing to change: give status, note, title, ownerUserId or dueDate',
    path: ['_form'],
  });
export type PatchActionBody = z.infer<typeof patchActionBody>;

export const surveyParams = z.object({ id: z.uuid() });
export const actionParams = z.object({ id: z.uuid() });
export const surveyActionParams = z.object({ id: z.uuid(), actionId: z.uuid() });

/** `GET /api/v1/actions?status=`: the caller's actions, open (planned or in progress) by default. */
export const myActionsQuery = z.object({
  status: z.preprocess(blankAsAbsent, z.enum(['open', ...ACTION_STATUSES]).default('open')),
});

/** The page's add form: every field a string; the criterion is the survey criterion's id. */
export const addActionForm = z.object({
  criterion: z.preprocess(blankAsAbsent, z.uuid('Choose a criterion')),
  title,
  accountId: z.preprocess(blankAsAbsent, id('Not a valid account id').optional()),
  ownerUserId: z.preprocess(blankAsAbsent, id('Not a valid user id').optional()),
  dueDate: z.preprocess(blankAsAbsent, calendarDate.optional()),
  note: note.optional(),
});

/** The page's per-action form: the status and the note on what was done. */
export const updateActionForm = z.object({
  status,
  note: note.optional(),
});
