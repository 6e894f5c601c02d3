import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../server/app.js';
import { organizationWithKam, seedWorkedExample } from '../features/reports/report-seed.js';
import { createTestDatabase, testConfig } from '../helpers/app.js';
import { hasChromium, launchChromium } from './chromium.js';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

let app: FastifyInstance;
let browser: Browser;
let context: BrowserContext;
let base: string;
let reportPath: string;
let login: { email: string; password: string };

beforeAll(async () => {
  if (!hasChromium) return;
  const databaseUrl = await createTestDatabase();
  app = await buildApp(testConfig({ databaseUrl }), { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  const org = await organizationWithKam(app, 'Mediehuset AS');
  const seeded = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
  });
  reportPath = `/surveys/${seeded.surveyId}/report`;
  const admin = await app.db
    .selectFrom('users')
    .select('email')
    .where('id', '=', org.adminUserId)
    .executeTakeFirstOrThrow();
  login = { email: admin.email, password: 'correct horse battery' };

  browser = await launchChromium();
  // Test-only: the app's CSP (rightly) refuses the injected axe script; the page under test is unchanged.
  context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.fill('#email', login.email);
  await page.fill('#password', login.password);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/surveys`);
  await page.close();
});

afterAll(async () => {
  await context?.close();
  await browser?.close();
  await app?.close();
});

interface LabelBox {
  kind: 'corner' | 'point';
  text: string;
  left: number;
  top: number;
  width: number;
  height: number;
}

const overlap = (a: LabelBox, b: LabelBox) =>
  a.left < b.left + b.width &&
  b.left < a.left + a.width &&
  a.top < b.top + b.height &&
  b.top < a.top + a.height;

/** Every pair of the chart's labels (point numbers and quadrant names) whose boxes overlap. */
function overlapping(boxes: LabelBox[]): string[] {
  const pairs: string[] = [];
  boxes.forEach((a, i) => {
    for (const b of boxes.slice(i + 1)) if (overlap(a, b)) pairs.push(`${a.text} × ${b.text}`);
  });
  return pairs;
}

async function reportAt(width: number): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  await page.setViewportSize({ width, height: 900 });
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.goto(`${base}${reportPath}`);
  await page.waitForSelector('#quadrant-chart[data-label-boxes]');
  // Let chart.js settle on the box's final size (it redraws, and re-places the labels, on resize).
  await page.waitForTimeout(300);
  return { page, errors };
}

async function labelBoxes(page: Page) {
  const boxes = JSON.parse(
    (await page.getAttribute('#quadrant-chart', 'data-label-boxes')) ?? '[]',
  ) as LabelBox[];
  const canvas = (await page.locator('#quadrant-chart').boundingBox()) ?? { width: 0, height: 0 };
  return { boxes, canvas };
}

describe.skipIf(!hasChromium)('the report’s charts in a real browser (Chromium)', () => {
  it.each([1280, 375])(
    'draws the worked example’s quadrant chart at %i px with no two labels overlapping',
    async (width) => {
      const { page, errors } = await reportAt(width);
      try {
        const { boxes, canvas } = await labelBoxes(page);
        // Twelve rated criteria on nine numbered points (four share one place), and the four quadrant names.
        expect(boxes.filter((box) => box.kind === 'point').map((box) => box.text)).toEqual([
          '1',
          '2',
          '3',
          '4',
          '5',
          '6',
          '7',
          '8',
          '9',
        ]);
        expect(boxes.filter((box) => box.kind === 'corner')).toHaveLength(4);
        expect(overlapping(boxes)).toEqual([]);
        for (const box of boxes) {
          expect(box.left).toBeGreaterThanOrEqual(0);
          expect(box.top).toBeGreaterThanOrEqual(0);
          expect(box.left + box.width).toBeLessThanOrEqual(canvas.width);
          expect(box.top + box.height).toBeLessThanOrEqual(canvas.height);
        }
        // The page does not scroll sideways on a phone.
        expect(Number(await page.evaluate('document.documentElement.scrollWidth'))).toBeLessThanOrEqual(
          width,
        );
        // With JavaScript the charts replace the "needs JavaScript" notes, and the sort hint appears.
        expect(await page.locator('.chart-fallback').count()).toBe(0);
        expect(await page.locator('#gap-table-title ~ p.hint', { hasText: 'sortere' }).count()).toBe(1);
        await page.locator('#quadrant-chart').screenshot({ path: `/tmp/report-quadrant-${width}.png` });
        await page.screenshot({ path: `/tmp/report-page-${width}.png`, fullPage: true });
        expect(errors).toEqual([]);
      } finally {
        await page.close();
      }
    },
  );

  it('says where the numbers are when JavaScript is off, and offers no sort hint', async () => {
    const noScript = await browser.newContext({ javaScriptEnabled: false });
    try {
      const page = await noScript.newPage();
      await page.goto(`${base}/login`);
      await page.fill('#email', login.email);
      await page.fill('#password', login.password);
      await page.click('main button[type=submit]');
      await page.waitForURL(`${base}/surveys`);
      await page.goto(`${base}${reportPath}`);
      expect(await page.locator('.chart-fallback').count()).toBe(2);
      expect(await page.locator('.chart-fallback').first().textContent()).toContain('krever JavaScript');
      expect(await page.locator('.chart-box').first().isVisible()).toBe(false);
      expect(await page.locator('text=Trykk på en kolonneoverskrift').count()).toBe(0);
      // The spread toggle is a checkbox and CSS: it works without JavaScript.
      const spread = page.locator('#gap-table .spread').first();
      expect(await spread.isVisible()).toBe(false);
      await page.check('#show-spread');
      expect(await spread.isVisible()).toBe(true);
      expect(await spread.textContent()).toMatch(/^SD [\d,]+; 95 % KI /);
    } finally {
      await noScript.close();
    }
  });

  it('passes axe with no serious or critical violation, the spread shown and not', async () => {
    const { page } = await reportAt(1280);
    try {
      await page.addScriptTag({ path: AXE_SCRIPT });
      const run = async () =>
        (
          (await page.evaluate('axe.run(document).then((result) => result.violations)')) as Array<{
            id: string;
            impact: string | null;
            nodes: { target: unknown[] }[];
          }>
        )
          .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
          .map(
            (violation) =>
              `${violation.impact} ${violation.id}: ${JSON.stringify(violation.nodes[0]?.target)}`,
          );
      expect(await run()).toEqual([]);
      await page.check('#show-spread');
      expect(await run()).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
