import { z } from 'zod';
import { loginEmail, newPassword, singleLine } from '../../lib/validation.js';

export const signupBody = z.object({
  organization: singleLine(200),
  name: singleLine(200),
  email: loginEmail,
  password: newPassword,
});
export type SignupBody = z.infer<typeof signupBody>;

export const loginBody = z.object({
  email: z.string().max(300).default(''),
  password: z.string().max(200).default(''),
  next: z.string().max(2000).optional(),
});

/** Only a same-site path may be a redirect target: "/x", never "//host" or "/\\host" or a URL. */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\'))
    return '/';
  return /[\u0000-\u001f]/.test(next) ? '/' : next;
}
