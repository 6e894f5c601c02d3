import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { buildTestApp, createTestDatabase, testConfig } from '../../helpers/app.js';
import { uniqueEmail } from '../../helpers/http.js';
import { eventually, startSmtpServer, type Verdict } from '../../helpers/mail.js';
import { customerAnswers, setUpWave } from '../../helpers/surveys.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

const mailConfig = (smtpUrl: string) => ({
  smtpUrl,
  mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 4, pollingIntervalSeconds: 0.5 },
});

/** A wave with two customers (one in English) and a seller, invited but not yet open. */
async function waveWithInvitations(app: FastifyInstance) {
  const wave = await setUpWave(app);
  const people = {
    kari: uniqueEmail('kari'),
    john: uniqueEmail('john'),
    sara: uniqueEmail('sara'),
  };
  await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        { role: 'customer', email: people.kari, name: 'Kari Kunde', accountId: wave.accountId },
        {
          role: 'customer',
          email: people.john,
          name: 'John Customer',
          accountId: wave.accountId,
          language: 'en',
        },
        { role: 'seller', email: people.sara, name: 'Sara Selger' },
      ],
    })
    .expect(201);
  return { ...wave, people };
}

async function emailRows(app: FastifyInstance, surveyId: string) {
  return app.db
    .selectFrom('email_messages')
    .innerJoin('invitations', (join) =>
      join
        .onRef('invitations.organization_id', '=', 'email_messages.organization_id')
        .onRef('invitations.id', '=', 'email_messages.invitation_id'),
    )
    .select([
      'invitations.email',
      'email_messages.kind',
      'email_messages.status',
      'email_messages.last_error',
    ])
    .where('email_messages.survey_id', '=', surveyId)
    .execute();
}

describe('invitation emails through SMTP', () => {
  let smtp: Smtp;
  let app: FastifyInstance;

  afterEach(async () => {
    await app?.close();
    await smtp?.close();
  });

  async function start(verdicts: Verdict[] = []) {
    smtp = await startSmtpServer(verdicts);
    app = await buildTestApp(mailConfig(smtp.url));
  }

  it('opening a wave delivers one email per invitation, in the invitee’s language, with a link that opens their form', async () => {
    await start();
    const wave = await waveWithInvitations(app);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    await eventually(() => smtp.received.length >= 3 && smtp.received);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.received).toHaveLength(3);

    const to = (address: string) => smtp.received.find((mail) => mail.envelopeTo.includes(address));
    const kari = to(wave.people.kari);
    const john = to(wave.people.john);
    expect(kari?.parsed.subject).toContain('vil gjerne vite hva som er viktig for deg');
    expect(john?.parsed.subject).toContain('would like to know what matters to you');
    expect(kari?.parsed.from?.value[0]?.address).toBe('noreply@viktig-dyktig.example');
    const headersOf = (raw = '') => raw.replace(/\r?\n[ \t]+/g, ' ');
    expect(headersOf(kari?.raw)).toMatch(/^List-Unsubscribe-Post: List-Unsubscribe=One-Click\r?$/m);
    expect(headersOf(kari?.raw)).toMatch(/^List-Unsubscribe: <http:\/\/localhost:3000\/u\/[^>]+>\r?$/m);

    const link = /http:\/\/localhost:3000(\/r\/[A-Za-z0-9_-]+)/.exec(john?.parsed.text ?? '')?.[1];
    expect(link).toBeDefined();
    expect(john?.parsed.html).toContain(`href="http://localhost:3000${link}"`);
    const page = await supertest(app.server)
      .get(link ?? '/')
      .expect(200);
    expect(page.text).toContain('lang="en"');

    const rows = await emailRows(app, wave.surveyId);
    expect(rows.map((row) => row.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('retries a temporary refusal (451) and delivers the message once', async () => {
    await start([{ code: 451, message: 'Try again later' }]);
    const wave = await setUpWave(app);
    const email = uniqueEmail('retry');
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email, name: 'Rita Retry', accountId: wave.accountId }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    await eventually(async () => (await emailRows(app, wave.surveyId))[0]?.status === 'sent', 20_000);
    expect(smtp.attempts()).toBe(2);
    expect(smtp.received).toHaveLength(1);
  });

  it('marks a permanent refusal (550) failed with the reason, without retrying', async () => {
    await start([{ code: 550, message: 'No such user here' }]);
    const wave = await setUpWave(app);
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail('gone'), accountId: wave.accountId }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    const [row] = await eventually(async () => {
      const rows = await emailRows(app, wave.surveyId);
      return rows[0]?.status === 'failed' && rows;
    });
    expect(row?.last_error).toContain('No such user here');
    await new Promise((resolve) => setTimeout(resolve, 2500));
    expect(smtp.attempts()).toBe(1);
  });

  it('reminds exactly those who have not submitted, and never an address that opted out with the one-click POST', async () => {
    await start();
    const wave = await waveWithInvitations(app);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    // Sent as far as the database knows (the row is updated after the SMTP server accepted).
    await eventually(async () => {
      const rows = await emailRows(app, wave.surveyId);
      return rows.length === 3 && rows.every((row) => row.status === 'sent');
    });
    await eventually(() => smtp.received.length >= 3);
    const link = (address: string) => {
      const mail = smtp.received.find((m) => m.envelopeTo.includes(address));
      return {
        respondent: /http:\/\/localhost:3000(\/r\/[A-Za-z0-9_-]+)/.exec(mail?.parsed.text ?? '')?.[1] ?? '',
        optOut:
          /^List-Unsubscribe: <http:\/\/localhost:3000(\/u\/[^>]+)>/m.exec(
            (mail?.raw ?? '').replace(/\r?\n[ \t]+/g, ' '),
          )?.[1] ?? '',
      };
    };
    // Kari submits; John opts out with a mail client's one-click POST (no cookie, no CSRF token).
    await supertest(app.server)
      .post(link(wave.people.kari).respondent)
      .send({ answers: customerAnswers(wave.criteria), comment: null, submit: true })
      .expect(200);
    await supertest(app.server)
      .post(link(wave.people.john).optOut)
      .type('form')
      .send('List-Unsubscribe=One-Click')
      .expect(200);
    smtp.received.length = 0;

    const remind = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/remind`).expect(202);
    expect(remind.body).toEqual({ queued: 1 });
    await eventually(() => smtp.received.length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.received.map((mail) => mail.envelopeTo)).toEqual([[wave.people.sara]]);
    expect(smtp.received[0]?.parsed.subject).toContain('Påminnelse');
  });

  it('refuses a name with CR LF at creation, and keeps one that reached the database in one safe header', async () => {
    await start();
    const wave = await setUpWave(app);
    const email = uniqueEmail('inject');
    const injected = 'Eve\r\nBcc: x@evil.example';
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email, name: injected, accountId: wave.accountId }],
      })
      .expect(400);
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email, name: 'Eve', accountId: wave.accountId }],
      })
      .expect(201);
    // As if an older import had let it through: the email must still carry one recipient and no Bcc.
    await app.db.updateTable('invitations').set({ name: injected }).where('email', '=', email).execute();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    await eventually(() => smtp.received.length >= 1);
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]?.envelopeTo).toEqual([email]);
    expect(smtp.received[0]?.raw).not.toMatch(/^Bcc:/im);
    expect(smtp.received[0]?.parsed.to).toMatchObject({
      value: [{ address: email, name: 'Eve Bcc: x@evil.example' }],
    });
  });
});

describe('an SMTP server that is down', () => {
  it('keeps the message queued while it is down and delivers it once after it comes back', async () => {
    const probe = await startSmtpServer();
    const port = probe.port;
    await probe.close();
    const app = await buildTestApp({
      smtpUrl: `smtp://127.0.0.1:${port}`,
      mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 8, pollingIntervalSeconds: 0.5 },
    });
    let smtp: Smtp | undefined;
    try {
      const wave = await setUpWave(app);
      const email = uniqueEmail('later');
      await wave.api
        .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
          invitations: [{ role: 'customer', email, accountId: wave.accountId }],
        })
        .expect(201);
      await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
      const [down] = await eventually(async () => {
        const rows = await emailRows(app, wave.surveyId);
        return rows[0]?.last_error ? rows : undefined;
      });
      expect(down?.status).toMatch(/queued|sending/);
      expect(down?.last_error).toContain('ECONNREFUSED');
      smtp = await startSmtpServer([], port);
      await eventually(async () => (await emailRows(app, wave.surveyId))[0]?.status === 'sent', 30_000);
      expect(smtp.received.map((mail) => mail.envelopeTo)).toEqual([[email]]);
    } finally {
      await app.close();
      await smtp?.close();
    }
  }, 60_000);
});

describe('without SMTP: the outbox', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp({
      mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 4, pollingIntervalSeconds: 0.5 },
    });
  });
  afterAll(async () => app.close());

  it('keeps each email exactly as it would have gone, with a working link, and sends nothing', async () => {
    const wave = await waveWithInvitations(app);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}`, {}).catch(() => undefined);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    const rows = await eventually(async () => {
      const found = await emailRows(app, wave.surveyId);
      return found.length === 3 && found.every((row) => row.status === 'outbox') && found;
    });
    expect(rows).toHaveLength(3);
    const outbox = await wave.admin.agent.get('/outbox').expect(200);
    expect(outbox.text).toContain(wave.people.kari);
    const messageLink = /href="(\/outbox\/[0-9a-f-]{36})"/.exec(outbox.text)?.[1];
    const message = await wave.admin.agent.get(messageLink ?? '/').expect(200);
    const link = /http:\/\/localhost:3000(\/r\/[A-Za-z0-9_-]+)/.exec(message.text)?.[1];
    await supertest(app.server)
      .get(link ?? '/')
      .expect(200);
  });
});

describe('two app instances on one database', () => {
  it('send each email once', async () => {
    const smtp = await startSmtpServer();
    const databaseUrl = await createTestDatabase();
    const config = testConfig({ databaseUrl, ...mailConfig(smtp.url) });
    const first = await buildApp(config, { logger: false });
    const second = await buildApp(config, { logger: false });
    await Promise.all([first.ready(), second.ready()]);
    try {
      const wave = await setUpWave(first);
      const invitations = Array.from({ length: 12 }, (_, index) => ({
        role: 'customer',
        email: uniqueEmail(`twice${index}`),
        accountId: wave.accountId,
      }));
      await wave.api.post(`/api/v1/surveys/${wave.surveyId}/invitations`, { invitations }).expect(201);
      await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
      await eventually(() => smtp.received.length >= 12, 20_000);
      await new Promise((resolve) => setTimeout(resolve, 2000));
      const recipients = smtp.received.flatMap((mail) => mail.envelopeTo).sort();
      expect(recipients).toEqual(invitations.map((invitation) => invitation.email).sort());
    } finally {
      await Promise.all([first.close(), second.close()]);
      await smtp.close();
    }
  });
});

describe('the wave page', () => {
  let app: FastifyInstance;
  beforeAll(async () => {
    app = await buildTestApp({
      mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 4, pollingIntervalSeconds: 0.5 },
    });
  });
  afterAll(async () => app.close());

  it('shows each invitation’s email state and opted-out contacts, and reminds from a button', async () => {
    const wave = await waveWithInvitations(app);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    await eventually(async () => {
      const rows = await emailRows(app, wave.surveyId);
      return rows.length === 3 && rows.every((row) => row.status === 'outbox');
    });
    const [organization] = await app.db.selectFrom('organizations').select('id').execute();
    await app.db
      .insertInto('email_opt_outs')
      .values({ organization_id: organization?.id ?? '', email: wave.people.john.toLowerCase() })
      .execute();
    const page = await wave.admin.agent.get(`/surveys/${wave.surveyId}`).expect(200);
    const states = [...page.text.matchAll(/data-testid="email-state">([\s\S]*?)<\/td>/g)].map(
      (m) => m[1] ?? '',
    );
    expect(states.filter((state) => state.includes('Meldt av e-post'))).toHaveLength(1);
    expect(states.filter((state) => state.includes('I utboksen'))).toHaveLength(2);

    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.text)?.[1] ?? '';
    const remind = await wave.admin.agent
      .post(`/surveys/${wave.surveyId}/remind`)
      .type('form')
      .send({ _csrf: csrf })
      .expect(303);
    expect(remind.headers.location).toBe(`/surveys/${wave.surveyId}?reminded=2#invitations`);
    const after = await wave.admin.agent.get(String(remind.headers.location)).expect(200);
    expect(after.text).toContain('2 påminnelser lagt i køen.');
  });
});
