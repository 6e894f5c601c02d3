import { z } from 'zod';
import { emailSchema } from './email.js';

// Control characters (CR, LF, NUL, …) never belong in a single-line field.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** A trimmed single-line text field of at most `max` characters. */
export const singleLine = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'Required')
    .max(max, `At most ${max} characters`)
    .refine((value) => !CONTROL.test(value), 'Line breaks and control characters are not allowed');

export const optionalSingleLine = (max: number) =>
  z.preprocess(
    (value) => (typeof value === 'string' && value.trim() === '' ? undefined : value),
    singleLine(max).optional(),
  );

/** A login email: validated, then lower-cased entirely so it compares case-insensitively. */
export const loginEmail = emailSchema.transform((email) => email.toLowerCase());

export const newPassword = z
  .string()
  .min(10, 'At least 10 characters')
  .max(200, 'At most 200 characters')
  .refine((value) => new Set(value).size >= 4, 'Too simple: use more different characters');

export const uuid = z.uuid('Not a valid id');

/** Field → first message, for re-rendering a form next to its fields. */
export function fieldErrors(error: z.ZodError): Record<string, string> {
  const errors: Record<string, string> = {};
  for (const issue of error.issues) {
    const field = issue.path.join('.') || '_form';
    errors[field] ??= issue.message;
  }
  return errors;
}

/** The same, as the JSON API's `fields` list. */
export function fieldList(error: z.ZodError): Array<{ field: string; message: string }> {
  return Object.entries(fieldErrors(error)).map(([field, message]) => ({ field, message }));
}
