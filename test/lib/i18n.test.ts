import { describe, expect, it } from 'vitest';
import { addMessages, formatNumber, localizeError, translate } from '../../server/lib/i18n.js';

describe('formatNumber', () => {
  it('rounds to two decimals in the reader’s locale, with a real minus sign', () => {
    expect(formatNumber('nb', 9.25)).toBe('9,25');
    expect(formatNumber('en', 9.25)).toBe('9.25');
    expect(formatNumber('nb', -1.75)).toBe('−1,75');
    expect(formatNumber('en', -1.75)).toBe('−1.75');
    expect(formatNumber('nb', 113 / 12)).toBe('9,42');
    expect(formatNumber('nb', null)).toBe('–');
    expect(formatNumber('en', Number.NaN)).toBe('–');
  });
});

describe('translate', () => {
  it('fills placeholders and falls back to Norwegian, then to the key', () => {
    addMessages({
      nb: { 'test.rate': '{responded} av {invited}' },
      en: { 'test.rate': '{responded} of {invited}' },
    });
    expect(translate('en', 'test.rate', { responded: 4, invited: 13 })).toBe('4 of 13');
    expect(translate('nb', 'test.rate', { responded: 4, invited: 13 })).toBe('4 av 13');
    expect(translate('en', 'login.failed')).toBe('Wrong email or password.');
    expect(translate('en', 'no.such.key')).toBe('no.such.key');
  });
});

describe('localizeError', () => {
  it('gives Norwegian readers validation and import messages in Norwegian', () => {
    expect(localizeError('nb', 'Required')).toBe('Må fylles ut.');
    expect(localizeError('nb', 'At most 200 characters')).toBe('Høyst 200 tegn.');
    expect(localizeError('nb', 'Duplicate of line 4')).toBe('Samme som linje 4');
    expect(localizeError('nb', 'Line break or control character in contact email')).toBe(
      'Linjeskift eller kontrolltegn i kontaktens e-post',
    );
    expect(localizeError('nb', 'Invalid email address: x@')).toBe('Ugyldig e-postadresse: x@');
  });

  it('leaves English as it is, and unknown messages untouched', () => {
    expect(localizeError('en', 'Required')).toBe('Required');
    expect(localizeError('nb', 'Something new')).toBe('Something new');
  });
});
