import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { createApiKey, signUp, uniqueEmail } from '../helpers/http.js';
import { apiClient, type SurveyCriterion } from '../helpers/surveys.js';
import { hasChromium, launchChromium, logIn, seriousAxeViolations } from './chromium.js';

// The follow-up loop in Chromium (issue 11), as a manager does it: record an action from the first wave's
// report, run the wave again from its page, open the copy, a customer answers it in the browser, and the
// new report shows the significant rise with an arrow, the action beside its criterion, and the trend
// chart drawn. axe runs on every page of the loop.

let app: FastifyInstance;
let browser: Browser;
let base: string;
let login: { email: string; password: string };
let adminKey: string;
let firstId: string;

/** Submits every customer criterion through the JSON respondent API: availability delivery `availability`. */
async function answer(path: string, criteria: SurveyCriterion[], availability: number) {
  const answers = criteria
    .filter((criterion) => criterion.audience === 'both')
    .map((criterion) => ({
      criterionId: criterion.id,
      importance: 8,
      performance: criterion.key === 'availability' ? availability : 7,
    }));
  await supertest(app.server).post(path).send({ answers, submit: true }).expect(200);
}

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  app = await buildApp(testConfig({ databaseUrl }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // The first wave, answered and closed: availability delivers badly (3 and 4).
  const admin = await signUp(app, 'Oppfølging AS');
  login = { email: admin.email, password: admin.password };
  adminKey = await createApiKey(admin.agent);
  const api = apiClient(app, adminKey);
  const accountId = (await api.post('/api/v1/accounts', { name: 'Fjordkraft', segment: 'A' }).expect(201))
    .body.id;
  const first = await api
    .post('/api/v1/surveys', { name: 'Høst 2025', overallQuestion: false, confidential: false })
    .expect(201);
  firstId = first.body.id;
  const invited = await api
    .post(`/api/v1/surveys/${firstId}/invitations`, {
      invitations: [1, 2, 3, 4, 5, 6].map(() => ({
        role: 'customer',
        email: uniqueEmail('kunde'),
        accountId,
      })),
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${firstId}/open`).expect(200);
  for (const [index, invitation] of (invited.body.invitations as { url: string }[]).entries()) {
    await answer(new URL(invitation.url).pathname, first.body.criteria, index % 2 === 0 ? 3 : 4);
  }
  await api.post(`/api/v1/surveys/${firstId}/close`).expect(200);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe.skipIf(!hasChromium)('the follow-up loop in a real browser (Chromium)', () => {
  it('records an action, runs the wave again, and sees what moved beside the action', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    const violations: Record<string, string[]> = {};
    try {
      await logIn(page, base, login);

      // 1. The first wave's report proposes availability; its link leads to the actions page, chosen.
      await page.goto(`${base}/surveys/${firstId}/report`);
      await page.click('[data-testid="concentrate"] a[data-testid="record-action"]');
      await page.waitForURL(/\/actions\?criterion=availability/);
      expect(await page.locator('#criterion option:checked').textContent()).toBe('Tilgjengelighet');
      await page.fill('#title', 'Fast kontaktperson for Fjordkraft');
      await page.click('form[data-testid="add-action"] button[type=submit]');
      await page.waitForURL(/\/surveys\/[^/]+\/actions/);
      expect(await page.locator('main table').textContent()).toContain('Fast kontaktperson for Fjordkraft');
      violations.actions = await seriousAxeViolations(page);

      // 2. Run again from the wave page; the copy links back to it; open it.
      await page.goto(`${base}/surveys/${firstId}`);
      await page.click('button:has-text("Kjør målingen på nytt")');
      await page.waitForURL((url) => url.pathname.startsWith('/surveys/') && !url.pathname.includes(firstId));
      expect(await page.locator('[data-testid="copy-notice"]').textContent()).toContain('6');
      expect(await page.locator(`a[href="/surveys/${firstId}"]`).count()).toBeGreaterThan(0);
      violations.wave = await seriousAxeViolations(page);
      const secondId = new URL(page.url()).pathname.split('/')[2] as string;
      await page.click(`form[action="/surveys/${secondId}/open"] button`);
      await page.waitForURL(new RegExp(`/surveys/${secondId}`));

      // 3. The customers answer the copy: one in the browser, the rest through the same links as JSON.
      const listed = await apiClient(app, adminKey)
        .get(`/api/v1/surveys/${secondId}/invitations`)
        .expect(200);
      const paths = (listed.body.invitations as { url: string }[]).map(
        (invitation) => new URL(invitation.url).pathname,
      );
      const criteria = (await apiClient(app, adminKey).get(`/api/v1/surveys/${secondId}`).expect(200)).body
        .criteria as SurveyCriterion[];
      const customer = await context.newPage();
      await customer.goto(`${base}${paths[0]}`);
      for (const criterion of criteria.filter((c) => c.audience === 'both')) {
        await customer.check(`input[name="i_${criterion.id}"][value="8"]`);
        await customer.check(
          `input[name="p_${criterion.id}"][value="${criterion.key === 'availability' ? 9 : 7}"]`,
        );
      }
      await customer.click('button[value=submit]');
      await customer.waitForURL(/done=1/);
      await customer.close();
      for (const [index, path] of paths.slice(1).entries())
        await answer(path, criteria, index % 2 === 0 ? 8 : 9);

      // 4. The new report: the rise with an arrow, the action beside its criterion, the trend drawn.
      await page.goto(`${base}/surveys/${secondId}/report`);
      const availability = page.locator('[data-testid="change-table"] tr', { hasText: 'Tilgjengelighet' });
      expect(await availability.locator('td.change.significant .arrow').first().textContent()).toBe('▲');
      const unchanged = page.locator('[data-testid="change-table"] tr', { hasText: 'Rådgivning' });
      expect(await unchanged.locator('.arrow').count()).toBe(0);
      const actionRow = page.locator('[data-testid="previous-actions"] tbody tr').first();
      expect(await actionRow.textContent()).toContain('Tilgjengelighet');
      expect(await actionRow.textContent()).toContain('Fast kontaktperson for Fjordkraft');
      expect(await actionRow.locator('[data-testid="previous-action-result"]').textContent()).toMatch(
        /^Planlagt — levering \+5,\d\d, signifikant/,
      );
      await page.waitForFunction(
        "window.Chart && window.Chart.getChart(document.getElementById('trend-chart')) !== undefined",
      );
      const lines = (await page.evaluate(
        "window.Chart.getChart(document.getElementById('trend-chart')).data.datasets.length",
      )) as number;
      expect(lines).toBe(13);
      await page.screenshot({ path: '/tmp/follow-up-report.png', fullPage: true });
      violations.report = await seriousAxeViolations(page);
      expect(violations).toEqual({ actions: [], wave: [], report: [] });
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
