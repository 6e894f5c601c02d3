import { domainToASCII, domainToUnicode } from 'node:url';
import { z } from 'zod';

const MAX_ADDRESS_LENGTH = 254;
const MAX_LOCAL_PART_LENGTH = 64;
const MAX_DOMAIN_LENGTH = 253;

// Control, invisible formatting (bidi overrides, zero-width), private-use and
// separator characters: never part of an address we put into a mail header.
const FORBIDDEN_CHARACTER = /[\p{C}\p{Z}\s]/u;

// RFC 5322 atext, plus Unicode letters, marks and digits (RFC 6531).
const LOCAL_PART_ATOM = /^[\p{L}\p{M}\p{N}!#$%&'*+\-/=?^_`{|}~]+$/u;

// Checked before domainToASCII, because the WHATWG host parser percent-decodes
// ("ex%61mple.no") and reads IPv4 forms ("0x7f.1") instead of rejecting them.
const DOMAIN_CHARACTERS = /^[\p{L}\p{M}\p{N}.-]+$/u;

const ASCII_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

function isValidLocalPart(localPart: string): boolean {
  return (
    localPart.length > 0 &&
    Buffer.byteLength(localPart, 'utf8') <= MAX_LOCAL_PART_LENGTH &&
    localPart.split('.').every((atom) => LOCAL_PART_ATOM.test(atom))
  );
}

/** The domain's ASCII (punycode) form, or null when it is not a usable host name. */
function toAsciiDomain(domain: string): string | null {
  if (!DOMAIN_CHARACTERS.test(domain)) return null;
  const ascii = domainToASCII(domain);
  if (ascii === '' || ascii.length > MAX_DOMAIN_LENGTH) return null;
  const labels = ascii.split('.');
  const topLevel = labels[labels.length - 1] ?? '';
  const valid =
    labels.length >= 2 && labels.every((label) => ASCII_LABEL.test(label)) && /[a-z]/.test(topLevel);
  return valid ? ascii : null;
}

/**
 * The address in its canonical display form, or null when it is not one we
 * can send to. The domain is lower-cased and kept in Unicode (`ola@blåbær.no`);
 * the local part keeps its case, so compare addresses case-insensitively.
 */
export function normalizeEmail(input: string): string | null {
  const email = input.trim().normalize('NFC');
  if (email.length > MAX_ADDRESS_LENGTH || FORBIDDEN_CHARACTER.test(email)) return null;

  const parts = email.split('@');
  if (parts.length !== 2) return null;
  const [localPart = '', domain = ''] = parts;
  if (!isValidLocalPart(localPart)) return null;

  const asciiDomain = toAsciiDomain(domain);
  if (asciiDomain === null) return null;
  if (Buffer.byteLength(localPart, 'utf8') + 1 + asciiDomain.length > MAX_ADDRESS_LENGTH) return null;

  const displayDomain = domainToUnicode(asciiDomain) || asciiDomain;
  return `${localPart}@${displayDomain}`;
}

export const emailSchema: z.ZodType<string> = z.string().transform((value, context) => {
  const email = normalizeEmail(value);
  if (email === null) {
    context.addIssue({ code: 'custom', message: 'Invalid email address' });
    return z.NEVER;
  }
  return email;
});

// Compared without '.', '-' and '_', so 'no-reply', 'no_reply' and 'no.reply' all match.
const ROLE_LOCAL_PARTS: ReadonlySet<string> = new Set(
  [
    // Norwegian
    'post',
    'postmottak',
    'postkasse',
    'firmapost',
    'firma',
    'kontakt',
    'epost',
    'e-post',
    'salg',
    'kundeservice',
    'kundesenter',
    'hei',
    'regnskap',
    'faktura',
    'resepsjon',
    'sentralbord',
    'kontor',
    'ordre',
    'bestilling',
    'hjelp',
    'økonomi',
    'okonomi',
    'innkjøp',
    'innkjop',
    // English
    'info',
    'mail',
    'admin',
    'office',
    'sales',
    'support',
    'service',
    'hello',
    'contact',
    'invoice',
    'billing',
    'order',
    'booking',
    'marketing',
    'team',
    'help',
    'helpdesk',
    'servicedesk',
    'hr',
    'noreply',
    'no-reply',
    'donotreply',
    'do-not-reply',
    'postmaster',
    'webmaster',
    'hostmaster',
    'abuse',
  ].map(canonicalLocalPart),
);

function canonicalLocalPart(localPart: string): string {
  return localPart.toLowerCase().replace(/[._-]/g, '');
}

/** True for generic mailboxes (post@, info@, Post+x@ …) rather than a named person. */
export function isRoleAddress(email: string): boolean {
  const at = email.lastIndexOf('@');
  const localPart = at === -1 ? email : email.slice(0, at);
  const withoutTag = localPart.split('+')[0] ?? '';
  return ROLE_LOCAL_PARTS.has(canonicalLocalPart(withoutTag.trim()));
}
