import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { latestAccountLink } from './accounts.js';

/** The CSRF token of the first form on a page. */
export function csrfFrom(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match?.[1]) throw new Error('No CSRF token on the page');
  return match[1];
}

export type Agent = ReturnType<typeof supertest.agent>;

/** A browser: keeps cookies across requests. */
export function browser(app: FastifyInstance): Agent {
  return supertest.agent(app.server);
}

/** Gets `page`, then posts `form` to `action` with the page's CSRF token. */
export async function submitForm(agent: Agent, page: string, action: string, form: Record<string, string>) {
  const { text } = await agent.get(page).expect(200);
  return agent
    .post(action)
    .type('form')
    .send({ _csrf: csrfFrom(text), ...form });
}

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}.${process.pid}.${counter}.${Date.now()}@example.no`;
}

/**
 * Signs up a new organisation in a fresh browser and follows the confirmation link (read from the
 * database, as the email would carry it) to choose the password; returns the logged-in browser.
 */
export async function signUp(app: FastifyInstance, organization = 'Acme AS', email = uniqueEmail('admin')) {
  const agent = browser(app);
  const password = 'correct horse battery';
  const response = await submitForm(agent, '/signup', '/signup', { organization, name: 'Ada Admin', email });
  if (response.status !== 303) throw new Error(`sign-up failed: ${response.status} ${response.text}`);
  const link = await latestAccountLink(app, email, 'signup');
  const confirmed = await submitForm(agent, link, link, { password });
  if (confirmed.status !== 303) throw new Error(`sign-up confirmation failed: ${confirmed.status}`);
  return { agent, email, password };
}

/** An API key for the logged-in browser's user, made through the settings page. */
export async function createApiKey(agent: Agent): Promise<string> {
  const response = await submitForm(agent, '/settings/api-keys', '/settings/api-keys', { name: 'test' });
  const key = /data-testid="new-key">([^<]+)</.exec(response.text)?.[1];
  if (!key) throw new Error('no key shown');
  return key;
}
