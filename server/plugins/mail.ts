import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import nodemailer from 'nodemailer';
import PgBoss from 'pg-boss';
import type { MailSettings } from '../config.js';
import {
  deliver,
  EMAIL_QUEUE,
  type EmailJob,
  type MailContext,
  queueInvitationEmails,
  queueReminders,
  type Send,
  TemporarySendError,
} from '../features/email/email.service.js';
import { RETENTION_QUEUE, RETENTION_SCHEDULE, runRetention } from '../features/privacy/retention.job.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** The email queue (pg-boss in PostgreSQL) and what links in emails need. */
    mail: MailContext & { smtp: boolean };
  }
}

const HOUSEKEEPING_QUEUE = 'email-housekeeping';

/** Every SMTP step has a time limit: a server that stops answering is a temporary failure, retried later. */
function smtpSender(smtpUrl: string): Send {
  const transport = nodemailer.createTransport({
    url: smtpUrl,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    dnsTimeout: 10_000,
  });
  return async (email) => {
    await transport.sendMail({
      from: email.from,
      to: email.to,
      ...(email.replyTo ? { replyTo: email.replyTo } : {}),
      subject: email.subject,
      text: email.text,
      html: email.html,
      headers: email.headers,
      // No address may come from a header value: nodemailer takes recipients from `to` only.
      disableFileAccess: true,
      disableUrlAccess: true,
    });
  };
}

/** Creates a queue unless it exists. Instances starting together may deadlock creating it: try again. */
async function ensureQueue(boss: PgBoss, name: string, settings: MailSettings) {
  for (let attempt = 1; ; attempt += 1) {
    if (await boss.getQueue(name)) return;
    try {
      await boss.createQueue(name, {
        name,
        retryLimit: settings.maxAttempts,
        retryDelay: settings.retryDelaySeconds,
        retryBackoff: true,
        // A job whose worker died is handed out again after this long.
        expireInSeconds: 5 * 60,
      });
      return;
    } catch (error) {
      if (attempt >= 5) throw error;
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/**
 * Email through a PostgreSQL job queue (pg-boss on the app's own pool): rows in email_messages, one job each,
 * inserted in the same transaction. Any number of app processes share the work; each job is handed to one
 * worker. Without SMTP_URL, messages go to the outbox (/outbox) instead of a server.
 */
async function mailPlugin(app: FastifyInstance) {
  const config = app.config;
  const pool = app.pg.pool;
  const boss = new PgBoss({
    db: { executeSql: async (text, values) => pool.query(text, values) },
    schema: 'pgboss',
    supervise: config.mail.worker,
    schedule: config.mail.worker,
  });
  boss.on('error', (error) => app.log.warn({ message: error.message }, 'email queue error'));

  const context: MailContext = {
    boss,
    publicUrl: config.publicUrl,
    sessionSecret: config.sessionSecret,
    mailFrom: config.mailFrom,
  };
  app.decorate('mail', { ...context, smtp: Boolean(config.smtpUrl) });

  async function startQueue() {
    await boss.start();
    for (const name of [EMAIL_QUEUE, HOUSEKEEPING_QUEUE, RETENTION_QUEUE]) {
      await ensureQueue(boss, name, config.mail);
    }
    if (!config.mail.worker) return;
    const send = config.smtpUrl ? smtpSender(config.smtpUrl) : null;
    const work = { batchSize: 1, pollingIntervalSeconds: config.mail.pollingIntervalSeconds };
    for (let worker = 0; worker < 2; worker += 1) {
      await boss.work<EmailJob>(EMAIL_QUEUE, work, async ([job]) => {
        if (!job) return;
        // Ids only: an account email's link is never logged (it is rendered at send time, not stored).
        const ids =
          'accountEmailId' in job.data
            ? { accountEmailId: job.data.accountEmailId }
            : { messageId: job.data.messageId };
        try {
          const outcome = await deliver(app.db, context, send, job.data, config.mail.maxAttempts);
          app.log.info({ ...ids, outcome }, 'email processed');
        } catch (error) {
          const message = error instanceof TemporarySendError ? error.message : String(error);
          app.log.warn({ ...ids, reason: message }, 'email send failed; will retry');
          throw error;
        }
      });
    }
    // Every few minutes: invitations that still need their email (a safety net behind the request that
    // queued them), and automatic reminders that are due.
    await boss.schedule(HOUSEKEEPING_QUEUE, '*/5 * * * *');
    await boss.work(HOUSEKEEPING_QUEUE, async () => {
      const invitations = await queueInvitationEmails(app.db, boss);
      const reminders = await queueReminders(app.db, boss, { automaticDue: true });
      if (invitations + reminders > 0) app.log.info({ invitations, reminders }, 'email housekeeping queued');
    });
    // Daily: personal data of waves closed longer ago than their organisation's retention period.
    await boss.schedule(RETENTION_QUEUE, RETENTION_SCHEDULE);
    await boss.work(RETENTION_QUEUE, async () => {
      const runs = await runRetention(app.db);
      if (runs.length > 0) app.log.info({ waves: runs.length }, 'retention anonymised waves');
    });
  }

  // The queue starts with the app. If the database is away at that moment, the app still starts (it
  // answers 503 until the database returns) and the queue keeps trying in the background.
  let started = false;
  let closing = false;
  let retry: NodeJS.Timeout | undefined;
  const tryStart = async (): Promise<void> => {
    try {
      await startQueue();
      started = true;
    } catch (error) {
      if (closing) return;
      app.log.warn({ message: (error as Error).message }, 'email queue not started; trying again in 5 s');
      await boss.stop({ graceful: false, close: false, wait: true }).catch(() => {});
      retry = setTimeout(() => void tryStart(), 5000);
      retry.unref();
    }
  };
  app.addHook('onReady', tryStart);

  // Before the pool closes (plugins close in reverse order): let a send in progress finish.
  app.addHook('onClose', async () => {
    closing = true;
    clearTimeout(retry);
    if (started) await boss.stop({ graceful: true, timeout: 10_000, close: false, wait: true });
  });
}

export default fp(mailPlugin, { name: 'mail', dependencies: ['db'] });
