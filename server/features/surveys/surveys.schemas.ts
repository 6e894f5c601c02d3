import { z } from 'zod';
import { emailSchema } from '../../lib/email.js';
import { optionalSingleLine, singleLine } from '../../lib/validation.js';

export const language = z.enum(['nb', 'en'], 'Must be nb or en');

export const surveyParams = z.object({ id: z.uuid() });
export const invitationParams = z.object({ id: z.uuid(), invitationId: z.uuid() });

export const INTRO_MAX = 1000;

/**
 * A wave's intro for its respondents: plain text with its line breaks (CRLF → LF), trimmed; empty is none
 * (null). It is always shown escaped and never compiled as a template, so `{{…}}` and `<script>` stay text.
 */
export const waveIntro = z
  .preprocess(
    (value) => (typeof value === 'string' ? value.replace(/\r\n?/g, '\n').trim() : value),
    z
      .string()
      .max(INTRO_MAX, `At most ${INTRO_MAX} characters`)
      .refine(
        (value) => !/[\u0000-\u0008\u000b-\u001f\u007f]/.test(value),
        'Control characters are not allowed',
      ),
  )
  .transform((value) => (value === '' ? null : value));

/** `POST /api/v1/surveys` */
export const createSurveyBody = z
  .object({
    name: singleLine(200),
    language: language.default('nb'),
    closesAt: z.iso.datetime({ offset: true }).optional(),
    intro: waveIntro.nullable().optional(),
    /** Ask customers overall satisfaction after the criteria (on unless switched off). */
    overallQuestion: z.boolean('Must be true or false').default(true),
    /**
     * Confidential (on unless switched off): customers' figures and comments are shown only in groups of at
     * least the organisation's k respondents. Open: shown per account, as the respondents are told.
     */
    confidential: z.boolean('Must be true or false').default(true),
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

/**
 * One invitation, from the API or a page. A customer is an existing contact (`contactId`: the address and the
 * account are the contact's) or an address on an account (`accountId` + `email`); a seller is a user of the
 * organisation (`userId`) or an address. Left out, the name and the language come from the contact or user.
 */
export const invitationInput = z
  .object({
    role: z.enum(['customer', 'seller'], 'Must be customer or seller'),
    email: emailSchema.optional(),
    name: optionalSingleLine(200),
    language: language.optional(),
    accountId: z.uuid('Not a valid account id').optional(),
    contactId: z.uuid('Not a valid contact id').optional(),
    userId: z.uuid('Not a valid user id').optional(),
  })
  .strict()
  .refine((invitation) => invitation.role !== 'customer' || invitation.accountId || invitation.contactId, {
    message: 'accountId is required for customers',
    path: ['accountId'],
  })
  .refine((invitation) => invitation.role !== 'seller' || !invitation.accountId, {
    message: 'Sellers belong to no account',
    path: ['accountId'],
  })
  .refine((invitation) => invitation.role === 'customer' || !invitation.contactId, {
    message: 'Only customers are contacts',
    path: ['contactId'],
  })
  .refine((invitation) => invitation.role === 'seller' || !invitation.userId, {
    message: 'Only sellers are users',
    path: ['userId'],
  })
  .refine((invitation) => invitation.email || invitation.contactId || invitation.userId, {
    message: 'Required',
    path: ['email'],
  });
export type InvitationInput = z.infer<typeof invitationInput>;

/** `POST /api/v1/surveys/:id/invitations` */
export const createInvitationsBody = z
  .object({
    invitations: z.array(invitationInput).min(1, 'At least one invitation').max(1000, 'At most 1000 at once'),
  })
  .strict();

/** A form field sent once arrives as a string, sent repeatedly (ticked checkboxes) as an array. */
const repeated = <T extends z.ZodType>(item: T, max: number) =>
  z.preprocess(
    (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
    z.array(item).max(max),
  );

/** The invite page's account choice (its GET form). Anything that is not an id is ignored. */
export const pickQuery = z.object({
  accountIds: repeated(z.string(), 1000)
    .transform((ids) => ids.filter((id) => z.uuid().safeParse(id).success))
    .catch([]),
});

/** The invite page's ticked boxes: contacts as `accountId:contactId`, users by id. */
export const pickForm = z.object({
  accountIds: repeated(z.uuid(), 1000),
  contacts: repeated(
    z
      .string()
      .regex(/^[0-9a-f-]{36}:[0-9a-f-]{36}$/i)
      .transform((value) => {
        const [accountId = '', contactId = ''] = value.split(':');
        return { accountId, contactId };
      })
      .pipe(z.object({ accountId: z.uuid(), contactId: z.uuid() })),
    1000,
  ),
  userIds: repeated(z.uuid(), 1000),
});

/** The page's "new wave" form. */
export const newSurveyForm = z.object({
  name: singleLine(200),
  language: language.default('nb'),
  closesAt: z.preprocess(
    (value) => (value === '' ? undefined : value),
    z.iso.date('Use the format YYYY-MM-DD').optional(),
  ),
  // A checkbox: sent ("on") when ticked, absent when not.
  overallQuestion: z
    .unknown()
    .optional()
    .transform((value) => value !== undefined && value !== ''),
  confidential: z
    .unknown()
    .optional()
    .transform((value) => value !== undefined && value !== ''),
});

/** The wave page's intro form. */
export const introForm = z.object({ intro: waveIntro });

/** `POST /api/v1/surveys/:id/copy`: an optional name; by default the original's with a follow-up suffix. */
export const copySurveyBody = z.object({ name: singleLine(200).optional() }).strict();
