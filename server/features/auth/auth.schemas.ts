import { z } from 'zod';
import { loginEmail, newPassword, singleLine } from '../../lib/validation.js';

/** Sign-up asks for no password: it is chosen on the page the confirmation link opens. */
export const signupBody = z.object({
  organization: singleLine(200),
  name: singleLine(200),
  email: loginEmail,
});
export type SignupBody = z.infer<typeof signupBody>;

export const forgotPasswordBody = z.object({ email: loginEmail });

export const setPasswordBody = z.object({ password: newPassword });

/** A route parameter that is a credential: always named `token`, which the logger redacts. */
export const tokenParams = z.object({ token: z.string().max(200) });

export const loginBody = z.object({
  email: z.string().max(300).default(''),
  password: z.string().max(200).default(''),
  next: z.string().max(2000).optional(),
});

const LOCAL_ORIGIN = 'http://next.invalid';

/**
 * Where to go after login: a same-origin relative path, parsed as a URL (so "//host", "/\\host", "/./
 * /host" and the like resolve to another origin and are refused) and serialised percent-encoded, so
 * that nothing outside ASCII or with control characters can reach the Location header. Anything else: "/".
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/')) return '/';
  let url: URL;
  try {
    url = new URL(next, LOCAL_ORIGIN);
  } catch {
    return '/';
  }
  const path = `${url.pathname}${url.search}`;
  if (url.origin !== LOCAL_ORIGIN || !path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}
