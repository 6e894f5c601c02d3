import { hkdfSync } from 'node:crypto';
import { hmac, safeEqual } from '../../lib/crypto.js';

/**
 * Opt-out links: /u/<organizationId>.<messageId>.<signature>. The signature (HMAC with a key derived from
 * SESSION_SECRET) makes them unguessable; they name a message, never an address, so the URL carries no
 * personal data; and they are not the respondent's link, which must not appear in another URL.
 */
export function optOutKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'viktig-dyktig', 'opt-out links v1', 32));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function signature(key: Buffer, organizationId: string, messageId: string): Buffer {
  return hmac(key, `${organizationId}.${messageId}`).subarray(0, 16);
}

export function optOutToken(key: Buffer, organizationId: string, messageId: string): string {
  return `${organizationId}.${messageId}.${signature(key, organizationId, messageId).toString('base64url')}`;
}

export function optOutUrl(publicUrl: string, key: Buffer, organizationId: string, messageId: string): string {
  return `${publicUrl}/u/${optOutToken(key, organizationId, messageId)}`;
}

/** The message an opt-out token names, or null when it is malformed or not signed by us. */
export function readOptOutToken(
  key: Buffer,
  token: string,
): { organizationId: string; messageId: string } | null {
  const [organizationId = '', messageId = '', signed = '', ...rest] = token.split('.');
  if (rest.length > 0 || !UUID.test(organizationId) || !UUID.test(messageId)) return null;
  const expected = signature(key, organizationId, messageId);
  return safeEqual(Buffer.from(signed, 'base64url'), expected) ? { organizationId, messageId } : null;
}
