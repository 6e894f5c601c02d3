import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import type { AccountEmailKind } from '../../server/db/database.js';
import { accountLinkKey, accountTokenFor } from '../../server/features/auth/account-links.js';

/**
 * The path of the latest account link emailed to `email` (e.g. /signup/<token>), rebuilt from the stored
 * salt and the server's key exactly as the email is rendered — for tests that run without an SMTP server.
 */
export async function latestAccountLink(
  app: FastifyInstance,
  email: string,
  kind: Exclude<AccountEmailKind, 'account_exists'>,
): Promise<string> {
  const row = await app.db
    .selectFrom('account_emails')
    .select('token_salt')
    .where('email', '=', email)
    .where('kind', '=', kind)
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!row?.token_salt) throw new Error(`no ${kind} email to ${email}`);
  const token = accountTokenFor(accountLinkKey(app.config.sessionSecret), row.token_salt);
  return kind === 'signup' ? `/signup/${token}` : `/password/${token}`;
}

/** Follows the welcome link a user added on the users page was emailed, and chooses `password`. */
export async function chooseWelcomePassword(app: FastifyInstance, email: string, password: string) {
  const link = await latestAccountLink(app, email, 'welcome');
  const agent = supertest.agent(app.server);
  const page = await agent.get(link).expect(200);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
  const response = await agent.post(link).type('form').send({ _csrf: csrf, password });
  if (response.status !== 303) throw new Error(`choosing a password failed: ${response.status}`);
}
