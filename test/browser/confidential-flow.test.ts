import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser } from 'playwright-core';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { organizationWithKam } from '../features/reports/report-seed.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { submitForm, uniqueEmail } from '../helpers/http.js';
import { apiClient, type SurveyCriterion } from '../helpers/surveys.js';
import { hasChromium, launchChromium, logIn, seriousAxeViolations } from './chromium.js';

// A confidential wave in Chromium (issue 13), as its people meet it: the customer's first screen says the
// answers are shown only in groups of at least k and whom to contact about their data; the KAM's report of
// an account with two answers says "fewer than 3 answers" instead of figures, and its portfolio shows them.
// axe runs on both pages.

let app: FastifyInstance;
let browser: Browser;
let base: string;
let kamLogin: { email: string; password: string };
let firstLink: string;
let surveyId: string;
let smallAccount: string;

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  app = await buildApp(testConfig({ databaseUrl }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const org = await organizationWithKam(app, 'Fortrolig AS');
  const kam = await app.db
    .selectFrom('users')
    .select('email')
    .where('id', '=', org.kamUserId)
    .executeTakeFirstOrThrow();
  kamLogin = { email: kam.email, password: 'kam password 123' };
  const saved = await submitForm(org.adminAgent, '/settings/organization', '/settings/organization', {
    name: 'Fortrolig AS',
    threshold: '5',
    minGroupSize: '3',
    privacyContact: 'personvern@fortrolig.no',
  });
  expect(saved.status).toBe(303);
  const api = apiClient(app, org.adminKey);
  smallAccount = (
    await api.post('/api/v1/accounts', { name: 'Liten kunde', kamUserId: org.kamUserId }).expect(201)
  ).body.id;
  const largeAccount = (
    await api.post('/api/v1/accounts', { name: 'Stor kunde', kamUserId: org.kamUserId }).expect(201)
  ).body.id;
  // Confidential by default; the KAM's portfolio: 2 + 5 customers.
  const created = await api
    .post('/api/v1/surveys', { name: 'Fortrolig 2026', overallQuestion: false })
    .expect(201);
  expect(created.body.confidential).toBe(true);
  surveyId = created.body.id;
  const accounts = [
    smallAccount,
    smallAccount,
    largeAccount,
    largeAccount,
    largeAccount,
    largeAccount,
    largeAccount,
  ];
  const invited = await api
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: accounts.map((accountId) => ({
        role: 'customer',
        email: uniqueEmail('kunde'),
        accountId,
      })),
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  const paths = (invited.body.invitations as { url: string }[]).map((i) => new URL(i.url).pathname);
  firstLink = paths[0] as string;
  const criteria = (created.body.criteria as SurveyCriterion[]).filter((c) => c.audience === 'both');
  for (const [i, path] of paths.entries()) {
    const answers = criteria.map((c) => ({ criterionId: c.id, importance: 8, performance: 4 + (i % 5) }));
    await supertest(app.server)
      .post(path)
      .send({ answers, comment: `Kommentar ${i}`, submit: true })
      .expect(200);
  }
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
});

describe.skipIf(!hasChromium)('a confidential wave in a real browser (Chromium)', () => {
  it('tells the customer the promise and whom to contact', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${base}${firstLink}`);
      expect(await page.textContent('[data-testid="answers-use"]')).toContain('minst 3');
      expect(await page.textContent('[data-testid="privacy-contact"]')).toContain('personvern@fortrolig.no');
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('shows the KAM no figures or comments for the account of two, and the portfolio in full', async () => {
    const context = await browser.newContext({ bypassCSP: true });
    try {
      const page = await context.newPage();
      await logIn(page, base, kamLogin);

      await page.goto(`${base}/surveys/${surveyId}/report?accountId=${smallAccount}`);
      expect(await page.textContent('[data-testid="suppressed"]')).toContain('Færre enn 3 svar');
      expect(await page.locator('[data-testid="comments"]').count()).toBe(0);
      expect(await page.content()).not.toContain('Kommentar 0');
      await page.screenshot({ path: '/tmp/confidential-suppressed.png', fullPage: true });
      expect(await seriousAxeViolations(page)).toEqual([]);

      await page.goto(`${base}/surveys/${surveyId}/report`);
      expect(await page.locator('[data-testid="suppressed"]').count()).toBe(0);
      // Comments of a shown cut come without the account's name.
      const comments = await page.locator('[data-testid="comments"]').textContent();
      expect(comments).toContain('Kommentar 0');
      expect(comments).not.toContain('Liten kunde');
      expect(await seriousAxeViolations(page)).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
