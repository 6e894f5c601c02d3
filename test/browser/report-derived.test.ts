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

// The quadrant chart's vertical axis switched from stated to derived importance in Chromium (issue 12): the
// points move to their r, the axis runs from −1 to 1, and the page passes axe.

let app: FastifyInstance;
let browser: Browser;
let base: string;
let login: { email: string; password: string };
let reportPath: string;

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  app = await buildApp(testConfig({ databaseUrl }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const admin = await signUp(app, 'Drivere AS');
  login = { email: admin.email, password: admin.password };
  const api = apiClient(app, await createApiKey(admin.agent));
  const accountId = (await api.post('/api/v1/accounts', { name: 'Kunde', segment: 'A' }).expect(201)).body.id;
  const created = await api
    .post('/api/v1/surveys', { name: 'Drivere 2026', overallQuestion: true, confidential: false })
    .expect(201);
  const surveyId: string = created.body.id;
  const criteria = (created.body.criteria as SurveyCriterion[]).filter((c) => c.audience === 'both');
  const invited = await api
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: Array.from({ length: 8 }, () => ({
        role: 'customer',
        email: uniqueEmail('k'),
        accountId,
      })),
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  for (const [i, invitation] of (invited.body.invitations as { url: string }[]).entries()) {
    const overall = 3 + (i % 6);
    const answers = criteria.map((criterion, j) => ({
      criterionId: criterion.id,
      importance: 6 + ((i + j) % 5),
      // Half the criteria follow overall satisfaction, half run against it.
      performance: j % 2 === 0 ? Math.min(10, overall + 1) : Math.max(1, 10 - overall - (j % 3)),
    }));
    await supertest(app.server)
      .post(new URL(invitation.url).pathname)
      .send({ answers, overall, submit: true })
      .expect(200);
  }
  reportPath = `/surveys/${surveyId}/report`;
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe.skipIf(!hasChromium)('the quadrant chart with derived importance (Chromium)', () => {
  it('moves the points to derived importance when the axis is switched, and back', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    try {
      await logIn(page, base, login);
      await page.goto(`${base}${reportPath}`);
      const read = () =>
        page.evaluate(`(() => {
          const chart = window.Chart.getChart(document.getElementById('quadrant-chart'));
          return { ys: chart.data.datasets[0].data.map((point) => point.y), yMax: chart.options.scales.y.max };
        })()`) as Promise<{ ys: number[]; yMax: number }>;
      await page.waitForFunction(
        "window.Chart && window.Chart.getChart(document.getElementById('quadrant-chart'))",
      );
      const stated = await read();
      expect(stated.ys.every((y) => y >= 1 && y <= 10)).toBe(true);
      expect(await page.locator('#quadrant-axis').isVisible()).toBe(true);

      await page.check('#quadrant-axis input[value=derived]');
      await page.waitForFunction("document.getElementById('quadrant-chart').dataset.axis === 'derived'");
      const derived = await read();
      expect(derived.yMax).toBe(1);
      expect(derived.ys.every((y) => y >= -1 && y <= 1)).toBe(true);
      expect(derived.ys.some((y) => y > 0.5)).toBe(true);
      expect(derived.ys.some((y) => y < 0)).toBe(true);
      // The r values drawn are the ones in the page's table.
      const table = (await page.$$eval('[data-testid="derived-table"] td[data-r]', (cells) =>
        cells.map((cell) => Number(cell.getAttribute('data-r'))),
      )) as number[];
      for (const y of derived.ys) expect(table.some((r) => Math.abs(r - y) < 1e-9)).toBe(true);
      await page.locator('#quadrant-chart').screenshot({ path: '/tmp/report-derived-quadrant.png' });

      await page.check('#quadrant-axis input[value=stated]');
      await page.waitForFunction("document.getElementById('quadrant-chart').dataset.axis === 'stated'");
      expect((await read()).ys).toEqual(stated.ys);

      expect(await seriousAxeViolations(page)).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
