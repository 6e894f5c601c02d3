import { CompiledQuery, type Kysely } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Database, Db } from '../../db/database.js';
import {
  type AccountEmailContext,
  claimAccountEmail,
  findAccountEmail,
  finishAccountEmail,
} from '../auth/account-emails.queries.js';
import { renderAccountEmail } from '../auth/account-emails.templates.js';
import { accountLinkKey, accountLinkUrl, accountTokenFor } from '../auth/account-links.js';
import { addressHash, privacyKey } from '../privacy/privacy-hash.js';
import { linkKey, respondentUrl, tokenFor } from '../surveys/invitation-links.js';
import {
  claimMessage,
  findMessageContext,
  finishMessage,
  insertMissingInvitationEmails,
  insertReminders,
  optedOutByHash,
  requeueFailedMessage,
} from './email.queries.js';
import { type RenderedEmail, renderMessage } from './email.templates.js';
import { optOutKey, optOutUrl } from './opt-out-links.js';

export const EMAIL_QUEUE = 'email';

/** A job names one row: an invitation or reminder (email_messages), or an account email (account_emails). */
export type EmailJob = InvitationEmailJob | AccountEmailJob;

export interface InvitationEmailJob {
  organizationId: string;
  messageId: string;
}

export interface AccountEmailJob {
  accountEmailId: string;
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

/** One job per row, in the transaction `db` that inserted the rows, keyed so a row is never queued twice. */
async function insertJobs(db: Db, boss: PgBoss, jobs: ReadonlyArray<{ key: string; data: EmailJob }>) {
  if (jobs.length === 0) return;
  await boss.insert(
    jobs.map(({ key, data }) => ({ name: EMAIL_QUEUE, data, singletonKey: key })),
    { db: bossDb(db) },
  );
}

function enqueue(db: Db, boss: PgBoss, messages: ReadonlyArray<{ organizationId: string; id: string }>) {
  return insertJobs(
    db,
    boss,
    messages.map((message) => ({
      key: message.id,
      data: { organizationId: message.organizationId, messageId: message.id },
    })),
  );
}

/** Queues an account email whose row `db` (a transaction) has just inserted: both commit together. */
export function enqueueAccountEmail(db: Db, boss: PgBoss, accountEmailId: string) {
  return insertJobs(db, boss, [{ key: accountEmailId, data: { accountEmailId } }]);
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
): Promise<DeliveryOutcome> {
  if ('accountEmailId' in job) return deliverAccountEmail(db, mail, send, job.accountEmailId, maxAttempts);
  const { organizationId, messageId } = job;
  const claimed = await claimMessage(db, organizationId, messageId);
  if (!claimed) return 'already-done';
  const rendered = await renderStoredMessage(db, mail, organizationId, messageId);
  if (!rendered) return 'already-done';
  const { message, email } = rendered;
  // An erased address's opt-out is kept only as its keyed hash, which SQL cannot compute: checked here,
  // the last step before anything is sent.
  const optedOut =
    message.optedOut ||
    (await optedOutByHash(db, organizationId, addressHash(privacyKey(mail.sessionSecret), message.email)));
  const skip = message.erased
    ? 'erased'
    : optedOut
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
  return sendOnce(send, email, claimed.attempts >= maxAttempts, {
    finish: (outcome) => finishMessage(db, organizationId, messageId, outcome),
    requeue: (reason) =>
      db
        .updateTable('email_messages')
        .set({ status: 'queued', last_error: reason })
        .where('organization_id', '=', organizationId)
        .where('id', '=', messageId)
        .execute(),
  });
}

export type DeliveryOutcome = 'sent' | 'outbox' | 'failed' | 'skipped' | 'already-done';

/**
 * One SMTP attempt and what it leaves in the row: sent; failed (a permanent refusal, or the last attempt);
 * or queued again with the reason, thrown so that the queue retries with backoff.
 */
async function sendOnce(
  send: Send,
  email: RenderedEmail,
  lastAttempt: boolean,
  row: {
    finish: (outcome: { status: 'sent' | 'failed'; error?: string }) => Promise<unknown>;
    requeue: (reason: string) => Promise<unknown>;
  },
): Promise<'sent' | 'failed'> {
  try {
    await send(email);
  } catch (error) {
    const { permanent, reason } = classifySendError(error);
    if (permanent || lastAttempt) {
      await row.finish({ status: 'failed', error: reason });
      return 'failed';
    }
    await row.requeue(reason);
    throw new TemporarySendError(reason);
  }
  await row.finish({ status: 'sent' });
  return 'sent';
}

/**
 * An account email as it goes out (or as the outbox shows it), rendered now. With `hideLink` the link is
 * replaced by a placeholder: a password link belongs to its recipient, not to whoever reads the outbox.
 */
export function renderAccountMessage(
  mail: Omit<MailContext, 'boss'>,
  message: AccountEmailContext,
  options: { hideLink?: string } = {},
): RenderedEmail {
  const url =
    message.kind === 'account_exists'
      ? `${mail.publicUrl}/login`
      : options.hideLink !== undefined || !message.tokenSalt
        ? (options.hideLink ?? '')
        : accountLinkUrl(
            mail.publicUrl,
            message.kind,
            accountTokenFor(accountLinkKey(mail.sessionSecret), message.tokenSalt),
          );
  return renderAccountEmail(message, {
    url,
    resetUrl: `${mail.publicUrl}/forgot-password`,
    mailFrom: mail.mailFrom,
  });
}

/** Sends one account email; skipped when its link was used or expired, or its user deactivated, meanwhile. */
async function deliverAccountEmail(
  db: Kysely<Database>,
  mail: Omit<MailContext, 'boss'>,
  send: Send | null,
  id: string,
  maxAttempts: number,
): Promise<DeliveryOutcome> {
  const claimed = await claimAccountEmail(db, id);
  if (!claimed) return 'already-done';
  const message = await findAccountEmail(db, id);
  if (!message) return 'already-done';
  const skip =
    message.userActive === false
      ? 'user deactivated'
      : message.usedAt
        ? 'link already used'
        : message.expiresAt && message.expiresAt <= new Date()
          ? 'link expired'
          : null;
  if (skip) {
    await finishAccountEmail(db, id, { status: 'skipped', error: skip });
    return 'skipped';
  }
  if (!send) {
    await finishAccountEmail(db, id, { status: 'outbox' });
    return 'outbox';
  }
  return sendOnce(send, renderAccountMessage(mail, message), claimed.attempts >= maxAttempts, {
    finish: (outcome) => finishAccountEmail(db, id, outcome),
    requeue: (reason) =>
      db
        .updateTable('account_emails')
        .set({ status: 'queued', last_error: reason })
        .where('id', '=', id)
        .execute(),
  });
}
