import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queueReminders } from '../../../server/features/email/email.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { eventually, startSmtpServer } from '../../helpers/mail.js';
import { customerAnswers, setUpWave } from '../../helpers/surveys.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

describe('automatic reminders and what the emails say', () => {
  let smtp: Smtp;
  let app: FastifyInstance;
  beforeAll(async () => {
    smtp = await startSmtpServer();
    app = await buildTestApp({
      smtpUrl: smtp.url,
      mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 4, pollingIntervalSeconds: 0.5 },
    });
  });
  afterAll(async () => {
    await app.close();
    await smtp.close();
  });

  const textTo = (address: string) =>
    smtp.received.filter((mail) => mail.envelopeTo.includes(address)).map((mail) => mail.parsed);

  it('inserts the manager’s intro as literal text in both parts, never compiled', async () => {
    const wave = await setUpWave(app);
    const intro = 'Hei {{supplier}} <script>alert(1)</script> & takk';
    await app.db.updateTable('surveys').set({ intro }).where('id', '=', wave.surveyId).execute();
    const email = uniqueEmail('intro');
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email, accountId: wave.accountId }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    const [mail] = await eventually(() => textTo(email).length === 1 && textTo(email));
    expect(mail?.text).toContain(intro);
    expect(mail?.html).toContain('Hei {{supplier}} &lt;script&gt;alert(1)&lt;/script&gt; &amp; takk');
    expect(mail?.html).not.toContain('<script>');
  });

  it('reminds automatically after the wave’s interval, at most max_reminders times, with "finish" wording for those who only saved', async () => {
    const wave = await setUpWave(app);
    const people = { idle: uniqueEmail('idle'), saved: uniqueEmail('saved'), done: uniqueEmail('done') };
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: Object.values(people).map((email) => ({
          role: 'customer',
          email,
          accountId: wave.accountId,
        })),
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    await eventually(() => Object.values(people).every((email) => textTo(email).length === 1));
    const link = (email: string) =>
      /http:\/\/localhost:3000(\/r\/[A-Za-z0-9_-]+)/.exec(textTo(email)[0]?.text ?? '')?.[1] ?? '';
    const answers = customerAnswers(wave.criteria);
    await supertest(app.server)
      .post(link(people.saved))
      .send({ answers: answers.slice(0, 2), comment: null, submit: false })
      .expect(200);
    await supertest(app.server)
      .post(link(people.done))
      .send({ answers, comment: null, submit: true })
      .expect(200);

    // Every message of the wave has left the queue (the row says so after the SMTP server accepted it).
    const settled = () =>
      eventually(async () => {
        const waiting = await app.db
          .selectFrom('email_messages')
          .select('id')
          .where('survey_id', '=', wave.surveyId)
          .where('status', 'in', ['queued', 'sending'])
          .execute();
        return waiting.length === 0;
      });
    // Not due yet: the invitations went out just now (the wave waits 7 days by default).
    await settled();
    expect(await queueReminders(app.db, app.mail.boss, { automaticDue: true })).toBe(0);

    const ageEmails = () =>
      app.db
        .updateTable('email_messages')
        .set({ sent_at: sql<Date>`now() - interval '8 days'` })
        .where('survey_id', '=', wave.surveyId)
        .where('status', '=', 'sent')
        .execute();
    for (const round of [1, 2]) {
      await settled();
      await ageEmails();
      expect(await queueReminders(app.db, app.mail.boss, { automaticDue: true })).toBe(2);
      await eventually(
        () => textTo(people.idle).length === 1 + round && textTo(people.saved).length === 1 + round,
      );
    }
    await settled();
    await ageEmails();
    // max_reminders (2) reached: no third automatic reminder.
    expect(await queueReminders(app.db, app.mail.boss, { automaticDue: true })).toBe(0);

    expect(textTo(people.done)).toHaveLength(1);
    expect(textTo(people.idle)[1]?.subject).toContain('Påminnelse');
    expect(textTo(people.saved)[1]?.subject).toContain('Du er nesten ferdig');
    expect(textTo(people.saved)[1]?.text).toContain('Du har begynt på svarene');
  });
});
