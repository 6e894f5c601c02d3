import { describe, expect, it } from 'vitest';
import { renderBlock } from '../../server/plugins/views.js';

/** A criterion block of the respondent form, as the form builds it. */
const criterion = (label: string) => ({
  id: 'c1',
  label,
  invalid: false,
  questions: [{ name: 'i_c1', text: 'Hvor viktig?', current: '7' }],
});

describe('renderBlock — a block kept under its key', () => {
  it('is rendered once per key and language: a kept block builds no value', async () => {
    const key = `views-test ${Math.random()}`;
    let built = 0;
    const value = () => {
      built += 1;
      return criterion('Leveringstid');
    };
    const first = renderBlock('respondent-criterion', 'nb', key, value);
    expect(first.toString()).toContain('<legend>Leveringstid</legend>');
    expect(first.toString()).toMatch(/name="i_c1" value="7" checked/);
    const again = renderBlock('respondent-criterion', 'nb', key, value);
    expect(again).toBe(first);
    // Outside production a hit also builds the value, to check the key against it (below): once more.
    expect(built).toBe(2);
    // Another language is a block of its own.
    const english = renderBlock('respondent-criterion', 'en', key, () => criterion('Delivery time'));
    expect(english.toString()).toContain('<legend>Delivery time</legend>');
  });

  it('refuses a key that does not name all of the value: no stranger ever gets another reader’s block', () => {
    const key = `views-test ${Math.random()}`;
    renderBlock('respondent-criterion', 'nb', key, () => criterion('Leveringstid'));
    expect(() => renderBlock('respondent-criterion', 'nb', key, () => criterion('Pris'))).toThrow(
      /does not name all of its data/,
    );
  });

  it('without a key, renders every time: a value carrying what a reader typed', () => {
    const first = renderBlock('respondent-criterion', 'nb', undefined, () => criterion('<b>Egen</b>'));
    const second = renderBlock('respondent-criterion', 'nb', undefined, () => criterion('Annen'));
    expect(first.toString()).toContain('&lt;b&gt;Egen&lt;/b&gt;');
    expect(second.toString()).toContain('<legend>Annen</legend>');
  });
});
