import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_RATE_LIMITS } from '../../../server/config.js';
import { latestAccountLink } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, browser, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';
import { eventually, startSmtpServer } from '../../helpers/mail.js';

type Smtp = Awaited<ReturnType<typeof startSmtpServer>>;

const LINK = /http:\/\/localhost:3000(\/(?:password|signup)\/[A-Za-z0-9_-]{43})/;
const generous = { limit: 10_000, windowSeconds: 3600 };

let smtp: Smtp;
let app: FastifyInstance;
beforeAll(async () => {
  smtp = await startSmtpServer();
  app = await buildTestApp({
    smtpUrl: smtp.url,
    mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 4, pollingIntervalSeconds: 0.5 },
    rateLimits: { ...DEFAULT_RATE_LIMITS, signupByAddress: generous, passwordResetByAddress: generous },
  });
});
afterAll(async () => {
  await app?.close();
  await smtp?.close();
});

/** The emails the SMTP server accepted for `address`. */
const mailTo = (address: string) => smtp.received.filter((mail) => mail.envelopeTo.includes(address));

async function emailTo(address: string, count = 1) {
  const mails = await eventually(() => mailTo(address).length >= count && mailTo(address));
  const mail = mails[count - 1];
  if (!mail) throw new Error('no mail');
  return mail;
}

function linkIn(text: string | undefined): string {
  const path = LINK.exec(text ?? '')?.[1];
  if (!path) throw new Error(`no account link in: ${text}`);
  return path;
}

async function logIn(email: string, password: string) {
  const agent = browser(app);
  const response = await submitForm(agent, '/login', '/login', { email, password });
  return { agent, status: response.status };
}

async function isSignedIn(agent: Agent) {
  const response = await agent.get('/users');
  return response.status === 200;
}

describe('a user added by an admin', () => {
  it('gets an email with a link to choose a password, and can then log in with it', async () => {
    const admin = await signUp(app, 'Velkommen AS');
    const email = uniqueEmail('new');
    const page = await admin.agent.get('/users').expect(200);
    expect(page.text).not.toContain('name="password"');
    const add = await submitForm(admin.agent, '/users', '/users', {
      name: 'Nina Ny',
      email,
      role: 'manager',
    });
    expect(add.status).toBe(303);
    const listed = await admin.agent.get('/users').expect(200);
    expect(listed.text).toContain('Invitert – har ikke valgt passord');

    // Created without a usable password
    const user = await app.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();
    expect((await logIn(email, '')).status).toBe(401);

    const mail = await emailTo(email);
    expect(mail.parsed.subject).toBe('Du har fått tilgang til Velkommen AS i Viktig/Dyktig');
    expect(mail.parsed.text).toContain('Hei Nina Ny,');
    expect(mail.parsed.text).toContain('7 dager');
    const link = linkIn(mail.parsed.text);
    expect(link).toMatch(/^\/password\//);
    expect(mail.parsed.html).toContain(`href="http://localhost:3000${link}"`);
    // Only a hash of the token is stored
    const token = link.split('/').pop() ?? '';
    const rows = await app.db.selectFrom('account_emails').selectAll().where('email', '=', email).execute();
    expect(JSON.stringify(rows)).not.toContain(token);
    // The row says 'sent' once the worker has recorded what the SMTP server accepted.
    await eventually(async () => {
      const statuses = await app.db
        .selectFrom('account_emails')
        .select('status')
        .where('email', '=', email)
        .execute();
      return statuses.length === 1 && statuses[0]?.status === 'sent';
    });

    const newcomer = browser(app);
    const form = await newcomer.get(link).expect(200);
    expect(form.text).toContain('Velg passord');
    expect(form.text).not.toContain(token); // the form posts back to its own address
    const weak = await submitForm(newcomer, link, link, { password: 'aaaaaaaaaaaa' });
    expect(weak.status).toBe(400);
    expect(weak.text).toContain('id="password-error"');
    const set = await submitForm(newcomer, link, link, { password: 'nina sitt passord' });
    expect(set.status).toBe(303);
    expect(await isSignedIn(newcomer)).toBe(false); // a manager: /users is for admins
    await newcomer.get('/surveys').expect(200);

    expect((await logIn(email, 'nina sitt passord')).status).toBe(303);
    const again = await browser(app).get(link);
    expect(again.status).toBe(404);
    expect(again.text).toContain('data-testid="link-invalid"');
  });

  it('cannot use a link after it expired, nor a used one twice', async () => {
    const admin = await signUp(app, 'Utløpt AS');
    const email = uniqueEmail('late');
    await submitForm(admin.agent, '/users', '/users', { name: 'Lars Sen', email, role: 'kam' });
    const link = linkIn((await emailTo(email)).parsed.text);
    await app.db
      .updateTable('account_emails')
      .set({ expires_at: sql<Date>`now() - interval '1 second'` })
      .where('email', '=', email)
      .execute();

    const agent = browser(app);
    const page = await agent.get(link);
    expect(page.status).toBe(404);
    // A form loaded before it expired cannot be posted after
    const login = await agent.get('/login').expect(200);
    const csrf = /name="_csrf" value="([^"]+)"/.exec(login.text)?.[1] ?? '';
    const late = await agent.post(link).type('form').send({ _csrf: csrf, password: 'for sent passord' });
    expect(late.status).toBe(404);
    const user = await app.db
      .selectFrom('users')
      .select('password_hash')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toBeNull();
  });

  it('is refused with 400 and the form kept for a bad address, and nothing is created or sent', async () => {
    const admin = await signUp(app, 'Feil AS');
    const before = await app.db.selectFrom('account_emails').select('id').execute();
    const response = await submitForm(admin.agent, '/users', '/users', {
      name: 'Per',
      email: 'per@example.no\r\nBcc: x@example.no',
      role: 'manager',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="email-error"');
    expect(response.text).toContain('value="Per"');
    expect(await app.db.selectFrom('account_emails').select('id').execute()).toHaveLength(before.length);
  });
});

describe('forgot password', () => {
  it('gives the same answer for an unknown address and sends it nothing', async () => {
    const { email } = await signUp(app, 'Glemsk AS');
    const nobody = uniqueEmail('nobody');
    const known = await submitForm(browser(app), '/forgot-password', '/forgot-password', { email });
    const unknown = await submitForm(browser(app), '/forgot-password', '/forgot-password', { email: nobody });
    expect(known.status).toBe(303);
    expect(unknown.status).toBe(303);
    expect(unknown.headers.location).toBe(known.headers.location);
    const page = await browser(app)
      .get(known.headers.location ?? '/')
      .expect(200);
    expect(page.text).toContain('Hører adressen til en bruker, har vi sendt en lenke');

    await emailTo(email);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(mailTo(nobody)).toHaveLength(0);
    const rows = await app.db.selectFrom('account_emails').select('id').where('email', '=', nobody).execute();
    expect(rows).toHaveLength(0);
  });

  it('sets a new password with a one-hour, single-use link, and ends the user’s other sessions and links', async () => {
    const { agent: oldSession, email, password } = await signUp(app, 'Nullstill AS');
    expect(await isSignedIn(oldSession)).toBe(true);
    const login = await browser(app).get('/login').expect(200);
    expect(login.text).toContain('href="/forgot-password"');

    const en = browser(app);
    await en.get('/forgot-password?lang=en').expect(200);
    await submitForm(en, '/forgot-password', '/forgot-password', { email: email.toUpperCase() });
    await submitForm(browser(app), '/forgot-password', '/forgot-password', { email });
    // Two reset emails (en, then nb); two workers may deliver them in either order, and the sign-up's
    // confirmation to the same address may arrive too: pick each by its language.
    const resets = await eventually(() => {
      const found = mailTo(email).filter((mail) => /\/password\//.test(mail.parsed.text ?? ''));
      return found.length >= 2 && found;
    });
    const first = resets.find((mail) => mail.parsed.subject === 'A new password for Viktig/Dyktig');
    const second = resets.find((mail) => mail !== first);
    if (!first || !second) throw new Error('expected an English and a Norwegian reset email');
    expect(first.parsed.subject).toBe('A new password for Viktig/Dyktig');
    expect(first.parsed.text).toContain('1 hour');
    const [row] = await app.db
      .selectFrom('account_emails')
      .select(sql<number>`extract(epoch from expires_at - created_at)`.as('seconds'))
      .where('email', '=', email)
      .where('kind', '=', 'password_reset')
      .execute();
    expect(Number(row?.seconds)).toBeCloseTo(3600, -1);

    const link = linkIn(second.parsed.text);
    const reset = browser(app);
    const done = await submitForm(reset, link, link, { password: 'et helt nytt passord' });
    expect(done.status).toBe(303);
    expect(await isSignedIn(reset)).toBe(true);
    expect(await isSignedIn(oldSession)).toBe(false);

    expect((await logIn(email, password)).status).toBe(401);
    expect((await logIn(email, 'et helt nytt passord')).status).toBe(303);
    // The link is used up, and the other link the user was sent no longer works either
    expect((await browser(app).get(link)).status).toBe(404);
    expect((await browser(app).get(linkIn(first.parsed.text))).status).toBe(404);
  });

  it('re-renders the form with 400 for an address that is not one', async () => {
    const response = await submitForm(browser(app), '/forgot-password', '/forgot-password', {
      email: 'not an address',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="email-error"');
    expect(response.text).toContain('value="not an address"');
  });
});

describe('forgot password rate limit', () => {
  it('answers 429 with Retry-After once a client address has asked too often, and sends no more', async () => {
    const limited = await buildTestApp({
      rateLimits: { ...DEFAULT_RATE_LIMITS, passwordResetByAddress: { limit: 3, windowSeconds: 3600 } },
    });
    try {
      const { email } = await signUp(limited, 'Grense AS');
      for (let i = 0; i < 3; i += 1) {
        const ok = await submitForm(browser(limited), '/forgot-password', '/forgot-password', { email });
        expect(ok.status).toBe(303);
      }
      const refused = await submitForm(browser(limited), '/forgot-password', '/forgot-password', { email });
      expect(refused.status).toBe(429);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
      expect(refused.text).toContain('For mange forespørsler');
      const sent = await limited.db
        .selectFrom('account_emails')
        .select('id')
        .where('email', '=', email)
        .where('kind', '=', 'password_reset')
        .execute();
      expect(sent).toHaveLength(3);
    } finally {
      await limited.close();
    }
  });
});

describe('sign-up', () => {
  it('confirms the address by email before anything is created', async () => {
    const email = uniqueEmail('founder');
    const agent = browser(app);
    const response = await submitForm(agent, '/signup', '/signup', {
      organization: 'Bekreftet AS',
      name: 'Frida Grunder',
      email,
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe('/check-email?for=signup');
    const organizations = () =>
      app.db.selectFrom('organizations').select('id').where('name', '=', 'Bekreftet AS').execute();
    expect(await organizations()).toHaveLength(0);
    expect(await isSignedIn(agent)).toBe(false);

    const mail = await emailTo(email);
    expect(mail.parsed.subject).toBe('Bekreft e-postadressen din for Viktig/Dyktig');
    expect(mail.parsed.text).toContain('Hei Frida Grunder,');
    const link = linkIn(mail.parsed.text);
    expect(link).toMatch(/^\/signup\//);

    const page = await agent.get(link).expect(200);
    expect(page.text).toContain('Bekreftet AS');
    const weak = await submitForm(agent, link, link, { password: '' });
    expect(weak.status).toBe(400);
    expect(await organizations()).toHaveLength(0);
    const done = await submitForm(agent, link, link, { password: 'fridas passord 1' });
    expect(done.status).toBe(303);
    expect(await isSignedIn(agent)).toBe(true);
    const [organization] = await organizations();
    expect(organization).toBeDefined();
    const criteria = await app.db
      .selectFrom('criteria')
      .select('id')
      .where('organization_id', '=', organization?.id ?? '')
      .execute();
    expect(criteria.length).toBeGreaterThan(0);
    expect((await logIn(email, 'fridas passord 1')).status).toBe(303);

    // Single use: a second visit, or a second organisation from the same link, is refused
    expect((await browser(app).get(link)).status).toBe(404);
    const replay = await submitForm(browser(app), '/login', link, { password: 'fridas passord 1' });
    expect(replay.status).toBe(404);
    expect(await organizations()).toHaveLength(1);
  });

  it('answers an address that already has an account exactly as a new one, and emails it a note instead', async () => {
    const existing = await signUp(app, 'Finnes AS');
    const fresh = uniqueEmail('fresh');
    const form = { organization: 'Kopi AS', name: 'Kim Kopi' };
    const taken = await submitForm(browser(app), '/signup', '/signup', { ...form, email: existing.email });
    const free = await submitForm(browser(app), '/signup', '/signup', { ...form, email: fresh });
    expect(taken.status).toBe(free.status);
    expect(taken.headers.location).toBe(free.headers.location);
    expect(taken.text).toBe(free.text);
    const page = await browser(app)
      .get(taken.headers.location ?? '/')
      .expect(200);
    expect(page.text).not.toContain('allerede registrert');

    // The address's own sign-up confirmation may have been delivered too: pick the note by its subject.
    const note = await eventually(() =>
      mailTo(existing.email).find(
        (mail) => mail.parsed.subject === 'Du har allerede en konto i Viktig/Dyktig',
      ),
    );
    expect(note.parsed.subject).toBe('Du har allerede en konto i Viktig/Dyktig');
    expect(note.parsed.text).toContain('Finnes AS');
    expect(note.parsed.text).toContain('http://localhost:3000/login');
    expect(note.parsed.text).toContain('http://localhost:3000/forgot-password');
    expect(note.parsed.text).not.toMatch(LINK);
    await emailTo(fresh);
    const kinds = await app.db
      .selectFrom('account_emails')
      .select(['email', 'kind'])
      .where('email', 'in', [existing.email, fresh])
      .orderBy('kind')
      .execute();
    expect(kinds).toEqual([
      { email: existing.email, kind: 'account_exists' },
      { email: existing.email, kind: 'signup' },
      { email: fresh, kind: 'signup' },
    ]);
    const copies = await app.db
      .selectFrom('organizations')
      .select('id')
      .where('name', '=', 'Kopi AS')
      .execute();
    expect(copies).toHaveLength(0);
  });
});

describe('account emails without SMTP', () => {
  it('land in the outbox; a new user’s link is shown to admins, a reset link to nobody', async () => {
    const local = await buildTestApp({
      mail: { worker: true, retryDelaySeconds: 1, maxAttempts: 4, pollingIntervalSeconds: 0.5 },
    });
    try {
      const admin = await signUp(local, 'Utboks AS');
      const email = uniqueEmail('outboxed');
      await submitForm(admin.agent, '/users', '/users', { name: 'Otto', email, role: 'manager' });
      await submitForm(browser(local), '/forgot-password', '/forgot-password', { email: admin.email });
      const statuses = () =>
        local.db
          .selectFrom('account_emails')
          .select(['id', 'kind', 'status'])
          .where('email', 'in', [email, admin.email])
          .where('kind', 'in', ['welcome', 'password_reset'])
          .execute();
      const rows = await eventually(async () => {
        const current = await statuses();
        return current.length === 2 && current.every((row) => row.status === 'outbox') && current;
      });
      const outbox = await admin.agent.get('/outbox').expect(200);
      expect(outbox.text).toContain(email);
      const welcome = rows.find((row) => row.kind === 'welcome');
      const reset = rows.find((row) => row.kind === 'password_reset');
      const shown = await admin.agent.get(`/outbox/account/${welcome?.id}`).expect(200);
      const link = linkIn(shown.text);
      await browser(local).get(link).expect(200);
      const hidden = await admin.agent.get(`/outbox/account/${reset?.id}`).expect(200);
      expect(hidden.text).not.toMatch(LINK);
      expect(hidden.text).toContain('lenken vises bare for mottakeren');
      // The link in the database is the one the email carries
      expect(await latestAccountLink(local, email, 'welcome')).toBe(link);
    } finally {
      await local.close();
    }
  });
});
