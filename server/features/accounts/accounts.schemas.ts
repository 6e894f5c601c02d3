import { z } from 'zod';
import { emailSchema } from '../../lib/email.js';
import { optionalSingleLine, singleLine, uuid } from '../../lib/validation.js';

/** Offered in the form; imported accounts may carry other segments (platinum/gold …), which are kept. */
export const SEGMENTS = ['A', 'B', 'C'] as const;
export const CONTACT_LANGUAGES = ['nb', 'en'] as const;

const emptyToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

export const accountForm = z.object({
  name: singleLine(200),
  segment: optionalSingleLine(40).transform((segment) => segment ?? null),
  kamUserId: z.preprocess(emptyToUndefined, uuid.optional()).transform((id) => id ?? null),
});
export type AccountInput = z.infer<typeof accountForm>;

export const accountApiBody = z.object({
  name: singleLine(200),
  segment: singleLine(40)
    .nullish()
    .transform((segment) => segment ?? null),
  kamUserId: uuid.nullish().transform((id) => id ?? null),
});

export const contactForm = z.object({
  name: optionalSingleLine(200).transform((name) => name ?? null),
  email: emailSchema,
  // Empty: not known, so each wave's own language is used.
  language: z.preprocess(
    (value) => (value === '' ? null : value),
    z.enum(CONTACT_LANGUAGES, 'Choose nb or en').nullable(),
  ),
});
export type ContactInput = z.infer<typeof contactForm>;

export const accountParams = z.object({ id: uuid });
export const contactParams = z.object({ id: uuid, contactId: uuid });

// 2 MB is the body limit; the parser refuses more than 5000 rows anyway.
/**
 * The import form: an uploaded file (multipart, a Buffer) or pasted text. Bytes are decoded as UTF-8;
 * invalid bytes become U+FFFD, which the parser reports as "save the file as UTF-8".
 */
export const importBody = z
  .object({
    file: z.instanceof(Buffer).optional(),
    csv: z.string().max(2_000_000).optional(),
  })
  .transform(({ file, csv }) => ({ csv: file && file.length > 0 ? file.toString('utf8') : (csv ?? '') }));

export const accountsQuery = z.object({
  imported: z.coerce.number().int().nonnegative().optional().catch(undefined),
});
export const accountQuery = z.object({
  saved: z.literal('1').optional().catch(undefined),
  warning: z.literal('roleAddress').optional().catch(undefined),
});
