import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { latestAccountLink } from '../helpers/accounts.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { uniqueEmail } from '../helpers/http.js';
import { hasChromium, launchChromium, seriousAxeViolations } from './chromium.js';

let app: FastifyInstance;
let browser: Browser;
let base: string;

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  app = await buildApp(testConfig({ databaseUrl }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  return errors;
}

describe.skipIf(!hasChromium)('in a real browser (Chromium)', () => {
  it('a manager sets up and opens a wave, a customer answers by keyboard on a phone, and the report draws its charts', async () => {
    const manager = await browser.newPage();
    const errors = watchErrors(manager);

    // Sign up and create a wave from the template
    await manager.goto(`${base}/signup`);
    await manager.fill('#organization', 'Mediehuset AS');
    await manager.fill('#name', 'Mona Manager');
    const mona = uniqueEmail('mona');
    await manager.fill('#email', mona);
    await manager.click('button[type=submit]');
    await manager.waitForURL(`${base}/check-email?for=signup`);
    // The confirmation email's link (rebuilt from the database as the email renders it) asks for a password.
    await manager.goto(`${base}${await latestAccountLink(app, mona, 'signup')}`);
    await manager.fill('#password', 'correct horse battery');
    await manager.click('main button[type=submit]');
    await manager.waitForURL(`${base}/surveys`);
    await manager.fill('#name', 'Kundeundersøkelse 2026');
    await manager.click('form[action="/surveys"] button[type=submit]');
    await manager.waitForURL(/\/surveys\/[0-9a-f-]{36}$/);
    const wavePath = new URL(manager.url()).pathname;

    // An account with a contact
    await manager.goto(`${base}/accounts`);
    await manager.fill('#name', 'Avisa Nord AS');
    await manager.click('form[action="/accounts"] button[type=submit]');
    await manager.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
    const accountId = new URL(manager.url()).pathname.split('/').pop() as string;

    // Invite a customer on that account, open the wave
    await manager.goto(`${base}${wavePath}`);
    await manager.check('input[name=role][value=customer]');
    await manager.selectOption('#accountId', accountId);
    await manager.fill('#emails', `Kari Kunde <${uniqueEmail('kari')}>`);
    await manager.click(`form[action="${wavePath}/invitations"] button[type=submit]`);
    await manager.click(`form[action="${wavePath}/open"] button[type=submit]`);
    // Links point at PUBLIC_URL; this run serves on a random port, so keep only the path.
    const link = await manager.inputValue('input.link-copy');
    const respondentPath = new URL(link).pathname;

    // The customer, on a 320 px wide phone, answers with the keyboard only
    const phone = await browser.newPage({ viewport: { width: 320, height: 640 } });
    const phoneErrors = watchErrors(phone);
    await phone.goto(`${base}${respondentPath}`);
    expect(Number(await phone.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(320);
    const groups = await phone.$$eval('.scale input[value="1"]', (inputs) =>
      inputs.map((input) => input.getAttribute('name')),
    );
    // 12 criteria × 2 and overall satisfaction (asked by default), the last group
    expect(groups.length).toBe(25);
    for (const [index, name] of groups.entries()) {
      await phone.focus(`input[name="${name}"][value="1"]`);
      // Arrow keys move within a radio group and select: 1 → 8 (importance) or 1 → 9 (performance).
      for (let step = 0; step < (index % 2 === 0 ? 7 : 8); step += 1)
        await phone.keyboard.press('ArrowRight');
    }
    await phone.focus('button[value=submit]');
    await phone.keyboard.press('Enter');
    await phone.waitForURL(/done=1/);
    expect(await phone.textContent('h1')).toContain('Takk for svarene');
    const scores = await app.db.selectFrom('answers').select(['dimension', 'score']).execute();
    expect(scores).toHaveLength(24);
    expect(new Set(scores.map((a) => `${a.dimension}=${a.score}`))).toEqual(
      new Set(['importance=8', 'performance=9']),
    );
    expect(await app.db.selectFrom('responses').select('overall_score').execute()).toEqual([
      { overall_score: 8 },
    ]);

    // Reopened, the form shows the answers given (its criteria are blocks shared between respondents), and
    // passes axe.
    const audit = await browser.newPage({ bypassCSP: true });
    await audit.goto(`${base}${respondentPath}`);
    expect(await audit.$$eval('.scale input:checked', (inputs) => inputs.length)).toBe(25);
    expect(await audit.$$eval('fieldset.criterion', (sets) => sets.length)).toBe(12);
    await audit.screenshot({ path: '/tmp/respondent-answered.png', fullPage: true });
    expect(await seriousAxeViolations(audit)).toEqual([]);
    await audit.close();

    // The report: numbers, a line chart and a quadrant chart drawn, the table sortable
    await manager.goto(`${base}${wavePath}/report`);
    expect(await manager.textContent('main')).toContain('1 av 1 kunder');
    const canvases = await manager.$$eval('canvas', (list) =>
      list.map((canvas) => canvas.width > 0 && canvas.height > 0),
    );
    expect(canvases).toEqual([true, true]);
    await manager.click('#gap-table thead th:nth-child(2) button');
    expect(await manager.getAttribute('#gap-table thead th:nth-child(2)', 'aria-sort')).toBe('ascending');

    expect(errors).toEqual([]);
    expect(phoneErrors).toEqual([]);

    // An address that does not exist: its page keeps the manager's menu (the browser logs the 404 itself).
    await manager.goto(`${base}/finnes-ikke`);
    expect(await manager.textContent('main')).toContain('finnes ikke');
    expect(await manager.isVisible('form[action="/logout"]')).toBe(true);
  });
});
