import { mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { DEFAULT_MAIL_SETTINGS } from '../../server/config.js';
import { latestAccountLink } from '../helpers/accounts.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { uniqueEmail } from '../helpers/http.js';
import { hasChromium, launchChromium } from './chromium.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let app: FastifyInstance;
let browser: Browser;
let context: BrowserContext;
let base: string;

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  const mail = {
    ...DEFAULT_MAIL_SETTINGS,
    worker: true,
    retryDelaySeconds: 1,
    maxAttempts: 4,
    pollingIntervalSeconds: 0.5,
  };
  app = await buildApp(testConfig({ databaseUrl, mail }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  browser = await launchChromium();
  // Test-only: the app's CSP (rightly) refuses the injected axe script; the pages under test are unchanged.
  context = await browser.newContext({ bypassCSP: true });
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Runs axe on the page as it stands; returns the serious and critical violations, described for a reader. */
async function seriousViolations(page: Page): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const violations = (await page.evaluate(
    'axe.run(document).then((result) => result.violations)',
  )) as AxeViolation[];
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) =>
        `${violation.impact} ${violation.id} (${violation.help}) on ${new URL(page.url()).pathname}: ` +
        violation.nodes.map((node) => JSON.stringify(node.target)).join(', '),
    );
}

function watchErrors(page: Page, errors: string[]) {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
}

/** The path of a link, keeping only what follows the origin (links point at PUBLIC_URL, not this port). */
function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
}

describe.skipIf(!hasChromium)('email from contacts in a real browser (Chromium)', () => {
  it('a manager invites from contacts, opens the wave, the outbox shows the email, its link opens the form, and its opt-out link works; every page passes axe', async () => {
    const manager = await context.newPage();
    const visitor = await context.newPage();
    const errors: string[] = [];
    watchErrors(manager, errors);
    watchErrors(visitor, errors);
    const violations: string[] = [];
    const audit = async (page: Page) => violations.push(...(await seriousViolations(page)));

    try {
      await visitor.goto(`${base}/login`);
      await audit(visitor);

      // Sign up; the confirmation link (rebuilt from the database as the email renders it) sets the password.
      await manager.goto(`${base}/signup`);
      await audit(manager);
      await manager.fill('#organization', 'Mediehuset AS');
      await manager.fill('#name', 'Mona Manager');
      const mona = uniqueEmail('mona');
      await manager.fill('#email', mona);
      await manager.click('button[type=submit]');
      await manager.waitForURL(`${base}/check-email?for=signup`);
      await manager.goto(`${base}${await latestAccountLink(app, mona, 'signup')}`);
      await manager.fill('#password', 'correct horse battery');
      await manager.click('main button[type=submit]');
      await manager.waitForURL(`${base}/surveys`);

      // An account with a KAM and two contacts, one of them English
      await manager.goto(`${base}/accounts`);
      await manager.fill('#name', 'Avisa Nord AS');
      await manager.selectOption('#kamUserId', { index: 1 });
      await manager.click('form[action="/accounts"] button[type=submit]');
      await manager.waitForURL(/\/accounts\/[0-9a-f-]{36}$/);
      const accountPath = new URL(manager.url()).pathname;
      const accountId = accountPath.split('/').pop() as string;
      const kari = uniqueEmail('kari');
      const john = uniqueEmail('john');
      for (const contact of [
        { name: 'Kari Kunde', email: kari, language: 'nb' },
        { name: 'John Customer', email: john, language: 'en' },
      ]) {
        await manager.fill('#contact-name', contact.name);
        await manager.fill('#contact-email', contact.email);
        await manager.selectOption('#contact-language', contact.language);
        await manager.click(`form[action="${accountPath}/contacts"] button[type=submit]`);
        await manager.waitForURL(`${base}${accountPath}*`);
      }
      expect(await manager.textContent('table[aria-labelledby=contacts-heading] tbody')).toContain(john);
      await audit(manager);

      // A wave; pick the account, keep both contacts ticked, invite
      await manager.goto(`${base}/surveys`);
      await manager.fill('#name', 'Kundeundersøkelse 2026');
      await manager.click('form[action="/surveys"] button[type=submit]');
      await manager.waitForURL(/\/surveys\/[0-9a-f-]{36}$/);
      const wavePath = new URL(manager.url()).pathname;
      await manager.check(`form[action="${wavePath}/invite"] input[name=accountIds][value="${accountId}"]`);
      await manager.click(`form[action="${wavePath}/invite"][method=get] button[type=submit]`);
      await manager.waitForURL(`${base}${wavePath}/invite?*`);
      const ticked = manager.locator(`[data-testid="account-${accountId}"] input[name=contacts]`);
      expect(await ticked.count()).toBe(2);
      for (const box of await ticked.all()) expect(await box.isChecked()).toBe(true);
      await audit(manager);
      await manager.click(`form[action="${wavePath}/invite"][method=post] button[type=submit]`);
      await manager.waitForURL(`${base}${wavePath}*`);

      // Opening the wave queues the emails; the worker puts them in the outbox
      await manager.goto(`${base}${wavePath}`);
      await manager.click(`form[action="${wavePath}/open"] button[type=submit]`);
      await manager.waitForURL(`${base}${wavePath}*`);
      const deadline = Date.now() + 15_000;
      await manager.goto(`${base}/outbox`);
      while ((await manager.locator('a[href^="/outbox/"]:not([href^="/outbox/account/"])').count()) < 2) {
        if (Date.now() > deadline) throw new Error(`the outbox did not list two messages in 15 s`);
        await manager.waitForTimeout(500);
        await manager.reload();
      }
      await audit(manager);

      // John's message: its link opens the form in English
      await manager.click(`tr:has-text("${john}") a[href^="/outbox/"]`);
      await manager.waitForURL(/\/outbox\/[^/]+$/);
      await audit(manager);
      const text = (await manager.textContent('[data-testid=email-text]')) ?? '';
      const formUrl = /https?:\/\/\S+\/r\/[A-Za-z0-9_-]+/.exec(text)?.[0];
      const optOutUrl = /https?:\/\/\S+\/u\/[A-Za-z0-9_.~-]+/.exec(text)?.[0];
      expect(formUrl, text).toBeDefined();
      expect(optOutUrl, text).toBeDefined();

      await visitor.goto(`${base}${pathOf(formUrl as string)}`);
      expect(await visitor.getAttribute('html', 'lang')).toBe('en');
      expect(await visitor.locator('.scale input[type=radio]').count()).toBeGreaterThan(0);
      await audit(visitor);

      // The opt-out link: one button, a confirmation, and the wave page marks John
      await visitor.goto(`${base}${pathOf(optOutUrl as string)}`);
      expect(await visitor.locator('main button').count()).toBe(1);
      await audit(visitor);
      await visitor.click('main button');
      await visitor.waitForLoadState();
      expect(await visitor.textContent('[role=status]')).toContain(john);
      await audit(visitor);

      await manager.goto(`${base}${wavePath}`);
      const johnRow = manager.locator(`tr:has-text("${john}") [data-testid=email-state]`);
      expect(await johnRow.textContent()).toContain('Meldt av e-post');
      const kariRow = manager.locator(`tr:has-text("${kari}") [data-testid=email-state]`);
      expect(await kariRow.textContent()).not.toContain('Meldt av e-post');
      await audit(manager);

      await manager.goto(`${base}${wavePath}/close`);
      await audit(manager);

      expect(violations, violations.join('\n')).toEqual([]);
      expect(errors).toEqual([]);
    } catch (failure) {
      const dir = mkdtempSync(path.join(tmpdir(), 'email-flow-'));
      await manager.screenshot({ path: path.join(dir, 'manager.png'), fullPage: true }).catch(() => {});
      await visitor.screenshot({ path: path.join(dir, 'visitor.png'), fullPage: true }).catch(() => {});
      console.error(`email-flow failed; screenshots in ${dir}\n${violations.join('\n')}`);
      throw failure;
    }
  }, 90_000);
});
