import { z } from 'zod';
import { uuid } from '../../lib/validation.js';

// Control characters (CR, LF, NUL, …) never belong in a filter value.
const CONTROL = /[\u0000-\u001f\u007f]/;

/** An empty form field is an absent filter. */
const blankAsAbsent = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/**
 * ?accountId=&segment=&kamUserId= — the filters on the customer series — and ?compareTo= (a wave id, or
 * `none`; absent: the wave's predecessor). Other keys (lang) pass by.
 */
export const reportQuery = z.object({
  accountId: z.preprocess(blankAsAbsent, uuid.optional()),
  segment: z.preprocess(
    blankAsAbsent,
    z
      .string()
      .max(40, 'At most 40 characters')
      .refine((value) => !CONTROL.test(value), 'Line breaks and control characters are not allowed')
      .transform((value) => value.trim())
      .optional(),
  ),
  kamUserId: z.preprocess(blankAsAbsent, uuid.optional()),
  compareTo: z.preprocess(
    blankAsAbsent,
    z.union([z.literal('none'), z.uuid('A wave id, or none')]).optional(),
  ),
});
export type ReportQuery = z.infer<typeof reportQuery>;

export const surveyIdParams = z.object({ id: uuid });

/**
 * The export's query: the report's filters and `layout` (long, the default, wide, or comparison: one row per
 * criterion × series with the change since the compared wave).
 */
export const exportQuery = reportQuery.extend({
  layout: z.preprocess(blankAsAbsent, z.enum(['long', 'wide', 'comparison']).default('long')),
});
export type ExportQuery = z.infer<typeof exportQuery>;

/** The report's query with `by` (issue 12): `segment` splits the report by the accounts' segment; absent: one report. */
export const reportByQuery = reportQuery.extend({
  by: z.preprocess(blankAsAbsent, z.enum(['segment'], 'Only by=segment is supported').optional()),
});
