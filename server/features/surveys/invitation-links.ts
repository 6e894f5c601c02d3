import { hkdfSync, randomBytes } from 'node:crypto';
import { hmac, sha256 } from '../../lib/crypto.js';

/**
 * Respondent links. The token is HMAC(link key, a random 128-bit salt): 256 bits an attacker cannot guess.
 * The database keeps the salt and SHA-256(token) — enough to look a token up, not enough to rebuild a link
 * without the server's key — so a database leak alone reveals no usable link, yet the app can always show
 * and email it again. Renewing a link draws a new salt, which kills the old one.
 */
export function linkKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'viktig-dyktig', 'respondent-links v1', 32));
}

export function tokenFor(key: Buffer, salt: Buffer): string {
  return hmac(key, salt).toString('base64url');
}

export function newToken(key: Buffer): { salt: Buffer; token: string; hash: Buffer } {
  const salt = randomBytes(16);
  const token = tokenFor(key, salt);
  return { salt, token, hash: hashToken(token) };
}

export function hashToken(token: string): Buffer {
  return sha256(token);
}

export function respondentUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/r/${token}`;
}
