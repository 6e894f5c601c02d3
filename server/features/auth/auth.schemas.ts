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
