import { hkdfSync } from 'node:crypto';
import { hmac } from '../../lib/crypto.js';

/**
 * A keyed hash of an email address (HMAC-SHA256 with a key derived from SESSION_SECRET, as respondent
 * links derive theirs): the audit log proves a privacy request for an address was handled, and an erased
 * address's opt-out keeps being honoured, without either holding the address. Unkeyed, a list of likely
 * addresses would reverse it; keyed, it takes the server's secret too. Rotating SESSION_SECRET makes the
 * old hashes unmatchable (erased opt-outs are then forgotten).
 */
export function privacyKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'viktig-dyktig', 'privacy hashes v1', 32));
}

/** Addresses compare case-insensitively everywhere, so the hash is of the lower-cased address. */
export function addressHash(key: Buffer, email: string): Buffer {
  return hmac(key, email.trim().toLowerCase());
}
