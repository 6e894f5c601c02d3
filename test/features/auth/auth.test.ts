import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../../server/lib/crypto.js';
import { buildTestApp } from '../../helpers/app.js';
import { browser, createApiKey, csrfFrom, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

async function countOrganizations() {
  const { count } = await app.db
    .selectFrom('organizations')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

async function countAccountEmails() {
  const { count } = await app.db
    .selectFrom('account_emails')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .executeTakeFirstOrThrow();
  return Number(count);
}

describe('sign-up, login and logout', () => {
  it('signs up, logs in, logs out, and rejects the old session cookie afterwards', async () => {
    const { agent, email, password } = await signUp(app, 'Flow AS');
    const users = await agent.get('/users').expect(200);
    expect(users.text).toContain(email);

    const logout = await agent
      .post('/logout')
      .type('form')
      .send({ _csrf: csrfFrom(users.text) });
    expect(logout.status).toBe(303);
    const stolenCookie = logout.request.cookies; // what the browser sent with the logout
    expect(stolenCookie).toContain('vd_session=');
    await supertest(app.server)
      .get('/users')
      .set('Cookie', stolenCookie)
      .expect(303)
      .expect('location', '/login?next=%2Fusers');

    const login = await submitForm(agent, '/login', '/login', {
      email: email.toUpperCase(),
      password,
      next: '/users',
    });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/users');
    await agent.get('/users').expect(200);
  });

  it('gives a new session id at login, even over a session planted before it (no session fixation)', async () => {
    const first = await signUp(app);
    const second = await signUp(app);
    const agent = browser(app);
    const loginAs = async (email: string, password: string) => {
      const page = await agent.get('/login').expect(200);
      const login = await agent
        .post('/login')
        .type('form')
        .send({ _csrf: csrfFrom(page.text), email, password });
      expect(login.status).toBe(303);
      return /vd_session=([^;]+)/.exec(String(login.headers['set-cookie']))?.[1];
    };
    const planted = await loginAs(first.email, first.password);
    const after = await loginAs(second.email, second.password);
    expect(planted).toBeDefined();
    expect(after).toBeDefined();
    expect(after).not.toBe(planted);
    // The planted id is worth nothing afterwards.
    const replay = await supertest(app.server)
      .get('/settings/api-keys')
      .set('Cookie', `vd_session=${planted}`);
    expect(replay.status).toBe(303);
  });

  it('answers a wrong password and an unknown email with the same 401 and message', async () => {
    const { email } = await signUp(app);
    const wrong = await submitForm(browser(app), '/login', '/login', { email, password: 'not the password' });
    const unknown = await submitForm(browser(app), '/login', '/login', {
      email: uniqueEmail('nobody'),
      password: 'whatever it is',
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    const message = (html: string) => /<p class="alert" role="alert">([^<]+)<\/p>/.exec(html)?.[1];
    expect(message(wrong.text)).toBe('Feil e-post eller passord.');
    expect(message(unknown.text)).toBe(message(wrong.text));
  });

  it('follows a same-site next path and ignores another site', async () => {
    const { email, password } = await signUp(app);
    const offsite = await submitForm(browser(app), '/login', '/login', {
      email,
      password,
      next: '//evil.example/x',
    });
    expect(offsite.headers.location).toBe('/');
    const backslash = await submitForm(browser(app), '/login', '/login', {
      email,
      password,
      next: '/\\evil.example',
    });
    expect(backslash.headers.location).toBe('/');
  });
});

describe('POST /signup with bad input', () => {
  // Sign-up asks for no password (it is chosen on the confirmation link's page: account-emails.test.ts),
  // and never says that an address is taken.
  const valid = { organization: 'Bad Input AS', name: 'Ola' };

  it.each([
    ['an address that is not one', async () => ({ ...valid, email: 'not-an-email' }), 'email'],
    ['an empty name', async () => ({ ...valid, name: '', email: uniqueEmail() }), 'name'],
    ['a 10 kB name', async () => ({ ...valid, email: uniqueEmail(), name: 'x'.repeat(10_240) }), 'name'],
    ['an email with CRLF', async () => ({ ...valid, email: 'ola@example.no\r\nBcc: x@example.no' }), 'email'],
  ])(
    'rejects %s with 400, the error next to the field, and writes nothing',
    async (_label, makeForm, field) => {
      const before = await countOrganizations();
      const pending = await countAccountEmails();
      const form = await makeForm();
      const response = await submitForm(browser(app), '/signup', '/signup', form);
      expect(response.status).toBe(400);
      expect(response.text).toContain(`id="${field}-error"`);
      expect(response.text).toContain('value="Bad Input AS"'); // the other answers are kept
      expect(await countOrganizations()).toBe(before);
      expect(await countAccountEmails()).toBe(pending);
    },
  );
});

describe('validation messages', () => {
  it('are shown in the reader’s language: Norwegian by default, English on request', async () => {
    const form = {
      organization: 'Språk AS',
      name: 'x'.repeat(300),
      email: uniqueEmail(),
    };
    const nb = await submitForm(browser(app), '/signup', '/signup', form);
    expect(nb.status).toBe(400);
    expect(nb.text).toContain('Høyst 200 tegn.');
    const en = browser(app);
    await en.get('/signup?lang=en').expect(200);
    const english = await submitForm(en, '/signup', '/signup', form);
    expect(english.text).toContain('At most 200 characters');
    expect(english.text).not.toContain('Høyst 200 tegn.');
  });
});

describe('CSRF protection', () => {
  it('rejects a form post without a token, and one with a forged token, with 403 and writes nothing', async () => {
    const before = await countOrganizations();
    const pendingBefore = await countAccountEmails();
    const agent = browser(app);
    await agent.get('/signup').expect(200);
    const form = {
      organization: 'CSRF AS',
      name: 'Eve',
      email: uniqueEmail(),
    };
    const missing = await agent.post('/signup').type('form').send(form);
    expect(missing.status).toBe(403);
    const forged = await agent
      .post('/signup')
      .type('form')
      .send({ ...form, _csrf: 'forged-token' });
    expect(forged.status).toBe(403);
    expect(await countOrganizations()).toBe(before);
    expect(await countAccountEmails()).toBe(pendingBefore);
  });

  it('rejects logout without a token', async () => {
    const { agent } = await signUp(app);
    await agent.post('/logout').type('form').send({}).expect(403);
    await agent.get('/users').expect(200);
  });
});

describe('errors', () => {
  it('renders an HTML 404 page for browsers and a JSON error under /api', async () => {
    const page = await supertest(app.server).get('/no-such-page').expect(404);
    expect(page.headers['content-type']).toContain('text/html');
    const api = await supertest(app.server).get('/api/v1/no-such-thing').expect(404);
    expect(api.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } });
  });

  it('answers /healthz and /readyz', async () => {
    await supertest(app.server).get('/healthz').expect(200, { status: 'ok' });
    await supertest(app.server).get('/readyz').expect(200, { status: 'ok' });
  });
});

describe('API key last use', () => {
  it('records the first use, writes nothing for a minute, then moves on', async () => {
    const { agent } = await signUp(app);
    const key = await createApiKey(agent);
    const lastUsed = async () =>
      (
        await app.db
          .selectFrom('api_keys')
          .select('last_used_at')
          .where('key_hash', '=', sha256(key))
          .executeTakeFirstOrThrow()
      ).last_used_at;
    const call = () =>
      supertest(app.server).get('/api/v1/me').set('Authorization', `Bearer ${key}`).expect(200);
    expect(await lastUsed()).toBeNull();
    await call();
    const first = await lastUsed();
    expect(first).toBeInstanceOf(Date);
    await call();
    expect(await lastUsed()).toEqual(first);
    const twoMinutesAgo = new Date(Date.now() - 120_000);
    await app.db
      .updateTable('api_keys')
      .set({ last_used_at: twoMinutesAgo })
      .where('key_hash', '=', sha256(key))
      .execute();
    await call();
    expect((await lastUsed())?.getTime()).toBeGreaterThan(twoMinutesAgo.getTime() + 60_000);
  });
});

describe('an address no route matches', () => {
  it('gets the 404 page with the signed-in reader’s menu, the anonymous one without, and JSON under /api/', async () => {
    const { agent } = await signUp(app, 'Ukjent adresse AS');
    const signedIn = await agent.get('/finnes-ikke').expect(404);
    expect(signedIn.text).toContain('Ada Admin');
    expect(signedIn.text).toContain('action="/logout"');
    const anonymous = await supertest(app.server).get('/finnes-ikke').expect(404);
    expect(anonymous.text).not.toContain('action="/logout"');
    expect(anonymous.text).toContain('href="/login"');
    const api = await supertest(app.server).get('/api/v1/finnes-ikke').expect(404);
    expect(api.body).toEqual({ error: { code: 'NOT_FOUND', message: 'Not found' } });
  });
});
