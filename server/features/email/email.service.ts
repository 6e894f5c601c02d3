import { CompiledQuery, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database, Db } from '../../db/database.js';
import { linkKey, respondentUrl, tokenFor } from '../surveys/invitation-links.js';
import {
  claimMessage,
  findMessageContext,
  finishMessage,
  insertMissingInvitationEmails,
  insertReminders,
  requeueFailedMessage,
} from './email.queries.js';
import { type RenderedEmail, renderMessage } from './email.templates.js';
import { optOutKey, optOutUrl } from './opt-out-links.js';

export const EMAIL_QUEUE = 'email';

export interface EmailJob {
  organizationId: string;
  messageId: string;
}

/** What the queue needs from the app: pg-boss, and where links point. */
export interface MailContext {
  boss: PgBoss;
  publicUrl: string;
  sessionSecret: string;
  mailFrom: string;
}

/** pg-boss on a Kysely connection or transaction: jobs are inserted in the same transaction as their rows. */
function bossDb(db: Db): PgBoss.Db {
  return {
    executeSql: async (text, values) => ({
      rows: [...(await db.executeQuery(CompiledQuery.raw(text, values))).rows],
    }),
  };
}

async function enqueue(
  db: Db,
  boss: PgBoss,
  messages: ReadonlyArray<{ organizationId: string; id: string }>,
) {
  if (messages.length === 0) return;
  await boss.insert(
    messages.map((message) => ({
      name: EMAIL_QUEUE,
      data: { organizationId: message.organizationId, messageId: message.id } satisfies EmailJob,
      singletonKey: message.id,
    })),
    { db: bossDb(db) },
  );
}

/**
 * Queues one invitation email per invitation of an open wave that has none yet (opening a wave, inviting
 * to an open one, and the periodic sweep all call this). Rows and jobs commit together, and a unique index
 * keeps it to one email per invitation however many instances race.
 */
export async function queueInvitationEmails(
  db: Kysely<Database>,
  boss: PgBoss,
  scope: { organizationId?: string; surveyId?: string } = {},
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const messages = await insertMissingInvitationEmails(trx, scope);
    await enqueue(trx, boss, messages);
    return messages.length;
  });
}

/** "Remind non-responders" on one wave, or every automatic reminder that is due. */
export async function queueReminders(
  db: Kysely<Database>,
  boss: PgBoss,
  scope: { organizationId: string; surveyId: string } | { automaticDue: true },
): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const messages = await insertReminders(trx, scope);
    await enqueue(trx, boss, messages);
    return messages.length;
  });
}

/** A failed message queued again. */
export async function queueRetry(
  db: Kysely<Database>,
  boss: PgBoss,
  organizationId: string,
  messageId: string,
): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const message = await requeueFailedMessage(trx, organizationId, messageId);
    if (!message) return false;
    await enqueue(trx, boss, [{ organizationId, id: message.id }]);
    return true;
  });
}

/** The message as it goes out (or as the outbox shows it), rendered now from the current data. */
export async function renderStoredMessage(
  db: Db,
  mail: Omit<MailContext, 'boss'>,
  organizationId: string,
  messageId: string,
) {
  const message = await findMessageContext(db, organizationId, messageId);
  if (!message) return undefined;
  const url = respondentUrl(mail.publicUrl, tokenFor(linkKey(mail.sessionSecret), message.tokenSalt));
  const optOut = optOutUrl(mail.publicUrl, optOutKey(mail.sessionSecret), organizationId, messageId);
  return {
    message,
    email: renderMessage(message, { url, optOutUrl: optOut, mailFrom: mail.mailFrom, intro: message.intro }),
  };
}

/** How a send failed: permanent (the server refused: 5xx) or worth another try (4xx, timeouts, refusals). */
export function classifySendError(error: unknown): { permanent: boolean; reason: string } {
  const { responseCode, response, code, message } = (error ?? {}) as {
    responseCode?: number;
    response?: string;
    code?: string;
    message?: string;
  };
  if (typeof responseCode === 'number') {
    return { permanent: responseCode >= 500, reason: (response ?? `${responseCode}`).slice(0, 500) };
  }
  return {
    permanent: false,
    reason: [code, message].filter(Boolean).join(': ').slice(0, 500) || 'unknown error',
  };
}

export type Send = (email: RenderedEmail) => Promise<void>;

export class TemporarySendError extends Error {}

/**
 * Sends one queued message. Idempotent: a message already sent, failed or skipped is left alone. Temporary
 * failures throw (the queue retries with backoff) until the last attempt, which marks the message failed.
 * A worker that dies after the SMTP server accepted but before the row says so sends it once more when the
 * job is retried — at most one duplicate per crash.
 */
export async function deliver(
  db: Kysely<Database>,
  mail: Omit<MailContext, 'boss'>,
  send: Send | null,
  job: EmailJob,
  maxAttempts: number,
): Promise<'sent' | 'outbox' | 'failed' | 'skipped' | 'already-done'> {
  const { organizationId, messageId } = job;
  const claimed = await claimMessage(db, organizationId, messageId);
  if (!claimed) return 'already-done';
  const rendered = await renderStoredMessage(db, mail, organizationId, messageId);
  if (!rendered) return 'already-done';
  const { message, email } = rendered;
  const skip = message.optedOut
    ? 'opted out'
    : message.revoked
      ? 'link revoked'
      : message.surveyStatus !== 'open' || (message.closesAt && message.closesAt <= new Date())
        ? 'wave not open'
        : message.kind === 'reminder' && message.responseStatus === 'submitted'
          ? 'already answered'
          : null;
  if (skip) {
    await finishMessage(db, organizationId, messageId, { status: 'skipped', error: skip });
    return 'skipped';
  }
  if (!send) {
    await finishMessage(db, organizationId, messageId, { status: 'outbox' });
    return 'outbox';
  }
  try {
    await send(email);
  } catch (error) {
    const { permanent, reason } = classifySendError(error);
    if (permanent || claimed.attempts >= maxAttempts) {
      await finishMessage(db, organizationId, messageId, { status: 'failed', error: reason });
      return 'failed';
    }
    await db
      .updateTable('email_messages')
      .set({ status: 'queued', last_error: reason })
      .where('organization_id', '=', organizationId)
      .where('id', '=', messageId)
      .execute();
    throw new TemporarySendError(reason);
  }
  await finishMessage(db, organizationId, messageId, { status: 'sent' });
  return 'sent';
}
