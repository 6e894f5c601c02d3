import { z } from 'zod';
import { emailSchema } from '../../lib/email.js';
import { optionalSingleLine, singleLine } from '../../lib/validation.js';

export const language = z.enum(['nb', 'en'], 'Must be nb or en');

export const surveyParams = z.object({ id: z.uuid() });
export const invitationParams = z.object({ id: z.uuid(), invitationId: z.uuid() });

/** `POST /api/v1/surveys` */
export const createSurveyBody = z
  .object({
    name: singleLine(200),
    language: language.default('nb'),
    closesAt: z.iso.datetime({ offset: true }).optional(),
    criteria: z
      .array(
        z
          .object({
            key: z
              .string()
              .regex(/^[a-z][a-z0-9_]{0,59}$/, 'Lower-case letters, digits and _ (at most 60)')
              .optional(),
            label: singleLine(200),
            audience: z.enum(['both', 'seller'], 'Must be both or seller'),
          })
          .strict(),
      )
      .min(1, 'At least one criterion')
      .max(100, 'At most 100 criteria')
      .refine((list) => {
        const keys = list.flatMap((criterion) => (criterion.key ? [criterion.key] : []));
        return new Set(keys).size === keys.length;
      }, 'Criterion keys must be unique')
      .optional(),
  })
  .strict();

/** One invitation, from the API or a page. */
export const invitationInput = z
  .object({
    role: z.enum(['customer', 'seller'], 'Must be customer or seller'),
    email: emailSchema,
    name: optionalSingleLine(200),
    language: language.optional(),
    accountId: z.uuid('Not a valid account id').optional(),
  })
  .strict()
  .refine((invitation) => invitation.role !== 'customer' || invitation.accountId, {
    message: 'accountId is required for customers',
    path: ['accountId'],
  })
  .refine((invitation) => invitation.role !== 'seller' || !invitation.accountId, {
    message: 'Sellers belong to no account',
    path: ['accountId'],
  });
export type InvitationInput = z.infer<typeof invitationInput>;

/** `POST /api/v1/surveys/:id/invitations` */
export const createInvitationsBody = z
  .object({
    invitations: z.array(invitationInput).min(1, 'At least one invitation').max(1000, 'At most 1000 at once'),
  })
  .strict();

/** The page's "new wave" form. */
export const newSurveyForm = z.object({
  name: singleLine(200),
  language: language.default('nb'),
  closesAt: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.iso.date('Use the format YYYY-MM-DD').optional(),
  ),
});
