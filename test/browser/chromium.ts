import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium, type Page } from 'playwright-core';

// Debian's chromium, installed by .ci/run; playwright-core never downloads a browser of its own. On a machine
// without it the browser tests are skipped, saying why; CI always has it.
export const CHROMIUM = '/usr/bin/chromium';
export const hasChromium = existsSync(CHROMIUM);

/** Headless Chromium with the flags it needs as root in a container and nothing that reaches the network. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/**
 * axe's serious and critical violations on the page (or within `selector`), each as "rule: targets". The
 * page must have been opened in a context with `bypassCSP: true`: the app's CSP rightly refuses the
 * injected axe script; the page under test is unchanged.
 */
export async function seriousAxeViolations(page: Page, selector?: string): Promise<string[]> {
  await page.addScriptTag({ path: AXE_SCRIPT });
  const context = selector === undefined ? 'document' : `document.querySelector(${JSON.stringify(selector)})`;
  const violations = (await page.evaluate(
    `axe.run(${context}).then((result) => result.violations)`,
  )) as Array<{
    id: string;
    impact: string | null;
    nodes: { target: string[] }[];
  }>;
  return violations
    .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
    .map(
      (violation) => `${violation.id}: ${violation.nodes.map((node) => node.target.join(' ')).join(', ')}`,
    );
}

/** Logs in through the login form and waits for the surveys page. */
export async function logIn(page: Page, base: string, login: { email: string; password: string }) {
  await page.goto(`${base}/login`);
  await page.fill('#email', login.email);
  await page.fill('#password', login.password);
  await page.click('main button[type=submit]');
  await page.waitForURL(`${base}/surveys`);
}
