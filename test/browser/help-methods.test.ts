import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { hasChromium, launchChromium } from './chromium.js';

// The methods page (issue 12) in Chromium, in both languages: no script errors, and axe finds nothing
// serious in the formulas, tables and contents list.

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

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

describe.skipIf(!hasChromium)('/help/methods in Chromium', () => {
  for (const lang of ['nb', 'en'] as const) {
    it(`passes axe in ${lang}`, async () => {
      // Test-only: the app's CSP (rightly) refuses the injected axe script; the page under test is unchanged.
      const context = await browser.newContext({ bypassCSP: true });
      try {
        const page = await context.newPage();
        const errors: string[] = [];
        page.on('pageerror', (error) => errors.push(error.message));
        page.on('console', (message) => {
          if (message.type() === 'error') errors.push(message.text());
        });
        await page.goto(`${base}/help/methods?lang=${lang}`);
        await page.addScriptTag({ path: AXE_SCRIPT });
        const violations = (await page.evaluate(
          'axe.run(document).then((result) => result.violations)',
        )) as Array<{
          id: string;
          impact: string | null;
        }>;
        expect(
          violations
            .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
            .map((violation) => violation.id),
        ).toEqual([]);
        expect(errors).toEqual([]);
        if (process.env.SCREENSHOT)
          await page.screenshot({ path: `/tmp/methods-${lang}.png`, fullPage: true });
      } finally {
        await context.close();
      }
    });
  }
});
