import { z } from 'zod';
import { emailSchema } from '../../lib/email.js';

/** The address of a privacy request; compared case-insensitively everywhere. */
const address = emailSchema.transform((email) => email.toLowerCase());

/** `GET /api/v1/privacy/export?email=` */
export const exportQuery = z.object({ email: address });
/** `POST /api/v1/privacy/erase` `{"email"}` and the page's forms */
export const eraseBody = z.object({ email: address });
/** The page's final erase button: the confirmation step was seen. */
export const eraseConfirmedBody = z.object({ email: address, confirm: z.literal('yes') });
