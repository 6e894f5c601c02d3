import { hkdfSync, randomBytes } from 'node:crypto';
import type { AccountEmailKind } from '../../db/database.js';
import { hmac, sha256 } from '../../lib/crypto.js';

/**
 * Account links ("set your password", "forgot password", sign-up confirmation), built like respondent links:
 * the token is HMAC(a key derived from SESSION_SECRET for this purpose alone, a random 128-bit salt). The
 * database keeps the salt and SHA-256(token): enough to look a token up and to render the email again when
 * it is sent, not enough to rebuild a link without the server's key.
 */
export function accountLinkKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'viktig-dyktig', 'account-links v1', 32));
}

export function accountTokenFor(key: Buffer, salt: Buffer): string {
  return hmac(key, salt).toString('base64url');
}

export function newAccountToken(key: Buffer): { salt: Buffer; hash: Buffer } {
  const salt = randomBytes(16);
  return { salt, hash: hashAccountToken(accountTokenFor(key, salt)) };
}

export function hashAccountToken(token: string): Buffer {
  return sha256(token);
}

/** A token as we make them (43 URL-safe characters); anything else is not looked up. */
export function isAccountToken(token: unknown): token is string {
  return typeof token === 'string' && /^[A-Za-z0-9_-]{43}$/.test(token);
}

/** How long each kind of link works. */
export const LINK_LIFETIME_HOURS: Record<Exclude<AccountEmailKind, 'account_exists'>, number> = {
  welcome: 7 * 24,
  password_reset: 1,
  signup: 24,
};

/** Sign-up links confirm an address and create the organisation; the others set a user's password. */
export function accountLinkUrl(publicUrl: string, kind: AccountEmailKind, token: string): string {
  return kind === 'signup' ? `${publicUrl}/signup/${token}` : `${publicUrl}/password/${token}`;
}
