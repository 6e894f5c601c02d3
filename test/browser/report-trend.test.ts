import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { organizationWithKam, seedWorkedExample } from '../features/reports/report-seed.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { hasChromium, launchChromium } from './chromium.js';

// The trend section of the report (issue 11) in Chromium: two linked waves of the worked example, the
// chart drawn by static/js/report-trend.js, the table readable without JavaScript, and axe content.

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let app: FastifyInstance;
let browser: Browser;
let base: string;
let reportPath: string;
let login: { email: string; password: string };

async function signedIn(options: { javaScriptEnabled: boolean }): Promise<BrowserContext> {
  // Test-only: the app's CSP (rightly) refuses the injected axe script; the page under test is unchanged.
  const context = await browser.newContext({ bypassCSP: true, ...options });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#email', login.email);
  await page.fill('#password', login.password);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/surveys`);
  await page.close();
  return context;
}

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  app = await buildApp(testConfig({ databaseUrl }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const org = await organizationWithKam(app, 'Mediehuset AS');
  const seed = { organizationId: org.organizationId, kamUserId: org.kamUserId };
  const first = await seedWorkedExample(app, { ...seed, name: 'Kundeundersøkelse 2025' });
  const second = await seedWorkedExample(app, { ...seed, name: 'Kundeundersøkelse 2026' });
  await app.db
    .updateTable('surveys')
    .set({ previous_survey_id: first.surveyId })
    .where('organization_id', '=', org.organizationId)
    .where('id', '=', second.surveyId)
    .execute();
  reportPath = `/surveys/${second.surveyId}/report`;
  const admin = await app.db
    .selectFrom('users')
    .select('email')
    .where('id', '=', org.adminUserId)
    .executeTakeFirstOrThrow();
  login = { email: admin.email, password: 'correct horse battery' };
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe.skipIf(!hasChromium)('the report’s trend across waves in a real browser (Chromium)', () => {
  it('draws one line per rated criterion and the delivery index, and passes axe', async () => {
    const context = await signedIn({ javaScriptEnabled: true });
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      page.on('console', (message) => {
        if (message.type() === 'error') errors.push(message.text());
      });
      await page.goto(`${base}${reportPath}`);
      await page.waitForFunction(
        "window.Chart && window.Chart.getChart(document.getElementById('trend-chart')) !== undefined",
      );
      const drawn = (await page.evaluate(`(() => {
        const chart = window.Chart.getChart(document.getElementById('trend-chart'));
        return { labels: chart.data.labels, datasets: chart.data.datasets.map((set) => set.label) };
      })()`)) as { labels: string[]; datasets: string[] };
      expect(drawn.labels).toEqual(['Kundeundersøkelse 2025', 'Kundeundersøkelse 2026 (denne målingen)']);
      // The delivery index and the twelve criteria customers rate (CRM-system is for sellers only).
      expect(drawn.datasets).toHaveLength(13);
      expect(drawn.datasets[0]).toBe('Samlet leveranseindeks');
      expect(drawn.datasets).not.toContain('CRM-system');
      expect(await page.locator('#trend-chart').isVisible()).toBe(true);
      expect(await page.locator('.trend .chart-fallback').count()).toBe(0);
      expect(await page.locator('[data-testid="trend-table"]').isVisible()).toBe(true);
      await page.locator('[data-testid="trend"]').screenshot({ path: '/tmp/report-trend.png' });

      await page.addScriptTag({ path: AXE_SCRIPT });
      const violations = (await page.evaluate(
        'axe.run(document.querySelector(\'[data-testid="trend"]\')).then((result) => result.violations)',
      )) as Array<{ id: string; impact: string | null }>;
      expect(
        violations
          .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
          .map((violation) => violation.id),
      ).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the table and says the chart needs JavaScript when it is off', async () => {
    const context = await signedIn({ javaScriptEnabled: false });
    try {
      const page = await context.newPage();
      await page.goto(`${base}${reportPath}`);
      expect(await page.locator('.trend .chart-fallback').textContent()).toContain('krever JavaScript');
      expect(await page.locator('.trend .chart-box').isVisible()).toBe(false);
      const index = page.locator('[data-testid="trend-delivery-index"] td');
      expect(await index.allTextContents()).toEqual(['9,42', '9,42']);
    } finally {
      await context.close();
    }
  });
});
