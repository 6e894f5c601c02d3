import { describe, expect, it } from 'vitest';
import { emailSchema, isRoleAddress, normalizeEmail } from '../../server/lib/email.js';

describe('normalizeEmail', () => {
  it('accepts an ordinary address and trims surrounding whitespace', () => {
    expect(normalizeEmail('  ola.nordmann@firma.no ')).toBe('ola.nordmann@firma.no');
  });

  it('lower-cases the domain but keeps the case of the local part', () => {
    expect(normalizeEmail('Ola.Nordmann@Firma.NO')).toBe('Ola.Nordmann@firma.no');
  });

  it('accepts an internationalised domain and keeps its Unicode form', () => {
    expect(normalizeEmail('ola@blåbær.no')).toBe('ola@blåbær.no');
    expect(normalizeEmail('ola@BLÅBÆR.NO')).toBe('ola@blåbær.no');
  });

  it('accepts a domain given in punycode and shows it in Unicode', () => {
    expect(normalizeEmail('ola@xn--blbr-roah.no')).toBe('ola@blåbær.no');
  });

  it('accepts plus tags and the other atext characters in the local part', () => {
    expect(normalizeEmail("o'neil+kam_2024@firma.no")).toBe("o'neil+kam_2024@firma.no");
  });

  it('accepts Unicode letters in the local part', () => {
    expect(normalizeEmail('kåre.ørsted@firma.no')).toBe('kåre.ørsted@firma.no');
  });

  it('rejects a CRLF header injection', () => {
    expect(normalizeEmail('a@b.no\r\nBcc: x@y.no')).toBeNull();
  });

  it.each([
    ['a NUL', 'a\u0000b@firma.no'],
    ['a bare LF', 'a@firma.no\nx'],
    ['a tab', 'ola\t@firma.no'],
    ['an inner space', 'ola nordmann@firma.no'],
    ['a no-break space', 'ola\u00A0nordmann@firma.no'],
    ['a zero-width space', 'ola\u200B@firma.no'],
    ['a bidi override', 'ola\u202E@firma.no'],
  ])('rejects %s', (_name, input) => {
    expect(normalizeEmail(input)).toBeNull();
  });

  it('rejects an address longer than 254 characters', () => {
    const domain = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.no`;
    const fits = `${'x'.repeat(254 - domain.length - 1)}@${domain}`;
    expect(fits.length).toBe(254);
    expect(normalizeEmail(fits)).toBe(fits);
    expect(normalizeEmail(`x${fits}`)).toBeNull();
  });

  it('rejects a local part longer than 64 characters', () => {
    expect(normalizeEmail(`${'a'.repeat(64)}@firma.no`)).not.toBeNull();
    expect(normalizeEmail(`${'a'.repeat(65)}@firma.no`)).toBeNull();
  });

  it('rejects a domain label longer than 63 characters', () => {
    expect(normalizeEmail(`ola@${'a'.repeat(63)}.no`)).not.toBeNull();
    expect(normalizeEmail(`ola@${'a'.repeat(64)}.no`)).toBeNull();
  });

  it.each([
    '',
    '   ',
    'ola',
    'ola@',
    '@firma.no',
    'ola@@firma.no',
    'ola@kari@firma.no',
    'ola@localhost',
    'ola@firma',
    '.ola@firma.no',
    'ola.@firma.no',
    'ola..nordmann@firma.no',
    'ola(comment)@firma.no',
    '"ola nordmann"@firma.no',
    'ola@-firma.no',
    'ola@firma-.no',
    'ola@firma..no',
    'ola@firma.no.',
    'ola@.firma.no',
    'ola@fir_ma.no',
    'ola@[127.0.0.1]',
    'ola@1.2.3.4',
    'ola@0x7f.1',
    'ola@ex%61mple.no',
    'ola@firma.no/x',
    'ola@xn--zz.no',
  ])('rejects %j', (input) => {
    expect(normalizeEmail(input)).toBeNull();
  });
});

describe('emailSchema', () => {
  it('outputs the normalised address', () => {
    expect(emailSchema.parse(' Ola@BLÅBÆR.no ')).toBe('Ola@blåbær.no');
  });

  it("fails with 'Invalid email address'", () => {
    const result = emailSchema.safeParse('a@b.no\r\nBcc: x@y.no');
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.message)).toEqual(['Invalid email address']);
  });

  it('rejects a value that is not a string', () => {
    expect(emailSchema.safeParse(42).success).toBe(false);
  });
});

describe('isRoleAddress', () => {
  it.each([
    'post@firma.no',
    'postmottak@firma.no',
    'firmapost@firma.no',
    'info@firma.no',
    'kontakt@firma.no',
    'mail@firma.no',
    'e-post@firma.no',
    'Post+x@firma.no',
    'INFO@firma.no',
    'no-reply@firma.no',
    'no_reply@firma.no',
    'kundeservice@blåbær.no',
  ])('flags the generic mailbox %s', (email) => {
    expect(isRoleAddress(email)).toBe(true);
  });

  it.each([
    'ola.nordmann@firma.no',
    'kari@post.no',
    'postman@firma.no',
    'information.officer@firma.no',
    'ola+info@firma.no',
  ])('does not flag the named person %s', (email) => {
    expect(isRoleAddress(email)).toBe(false);
  });
});
