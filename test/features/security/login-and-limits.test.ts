import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import supertest from 'supertest';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { type Config, DEFAULT_RATE_LIMITS } from '../../../server/config.js';
import { API_ROUTE } from '../../../server/plugins/auth.js';
import { buildTestApp, createTestDatabase, testConfig } from '../../helpers/app.js';
import { browser, csrfFrom, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';
import { openWaveWithRespondents } from '../../helpers/surveys.js';

/** Apps built by a test; closed after it, so each test counts failures on a database of its own. */
const opened: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(opened.splice(0).map((app) => app.close()));
});

async function freshApp(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const app = await buildTestApp(overrides);
  opened.push(app);
  return app;
}

/** The real app on `databaseUrl`, not yet ready: routes may still be added. The caller closes it. */
function unreadyApp(databaseUrl: string): Promise<FastifyInstance> {
  return buildApp(testConfig({ databaseUrl }), { logger: false });
}

/** Behind a reverse proxy on this machine: X-Forwarded-For then names the client. */
const BEHIND_LOCAL_PROXY: Partial<Config> = { trustProxy: ['loopback'] };

/** One login attempt from a fresh browser, optionally claiming a client address in X-Forwarded-For. */
async function attemptLogin(
  app: FastifyInstance,
  form: { email: string; password: string; next?: string },
  forwardedFor?: string,
) {
  const agent = browser(app);
  const page = await agent.get('/login').expect(200);
  const post = agent.post('/login').type('form');
  if (forwardedFor) post.set('X-Forwarded-For', forwardedFor);
  const response = await post.send({ _csrf: csrfFrom(page.text), ...form });
  return { agent, response };
}

const WRONG = 'not the password at all';

/** Seconds in Retry-After, checked to be a whole number within the window. */
function retryAfter(response: supertest.Response, windowSeconds: number): number {
  const value = response.headers['retry-after'];
  expect(value).toMatch(/^\d+$/);
  const seconds = Number(value);
  expect(seconds).toBeGreaterThan(0);
  expect(seconds).toBeLessThanOrEqual(windowSeconds);
  return seconds;
}

/** A page with its per-request parts (the CSRF token, the echoed email) blanked out. */
function withoutEcho(html: string, email: string): string {
  return html.replace(/name="_csrf" value="[^"]+"/g, 'name="_csrf" value=""').replaceAll(email, '<email>');
}

const randomToken = () => randomBytes(24).toString('base64url');

describe('POST /login with a next path', () => {
  let app: FastifyInstance;
  let user: { email: string; password: string };
  beforeAll(async () => {
    app = await buildTestApp();
    user = await signUp(app, 'Neste AS');
  });
  afterAll(async () => {
    await app.close();
  });

  it.each([
    ['a character above U+00FF', '/€', '/%E2%82%AC'],
    ['U+2028 (line separator)', '/a\u2028b', '/a%E2%80%A8b'],
    ['Latin-1 letters', '/rød', '/r%C3%B8d'],
    ['non-ASCII in the query', '/surveys?q=€ø', '/surveys?q=%E2%82%AC%C3%B8'],
    ['CR LF and a header after them', '/x\r\nSet-Cookie: evil=1', '/xSet-Cookie:%20evil=1'],
    ['an encoded CR LF', '/x%0d%0aSet-Cookie:%20evil=1', '/x%0d%0aSet-Cookie:%20evil=1'],
    ['a NUL', '/a\u0000b', '/a%00b'],
    ['a protocol-relative URL', '//evil.com', '/'],
    ['a backslash after the slash', '/\\evil.com', '/'],
    ['a dot segment before two slashes', '/.//evil.com', '/'],
    ['an encoded dot segment before two slashes', '/%2e//evil.com', '/'],
    ['a tab between the slashes', '/\t/evil.com', '/'],
    ['an absolute URL', 'https://evil.com', '/'],
    ['a javascript: URL', 'javascript:alert(1)', '/'],
    ['an empty string', '', '/'],
  ])(
    'with %s redirects 303 to an ASCII same-origin path, and the app keeps serving',
    async (_label, next, expected) => {
      const { agent, response } = await attemptLogin(app, { ...user, next });
      expect(response.status).toBe(303);
      const location = response.headers.location as string;
      expect(location).toBe(expected);
      expect(location).toMatch(/^\/(?![/\\])[\x21-\x7e]*$/);
      expect(String(response.headers['set-cookie'])).not.toContain('evil');
      // The session was saved and the process is still there to serve it.
      const users = await agent.get('/users').expect(200);
      expect(users.text).toContain(user.email);
      await supertest(app.server).get('/healthz').expect(200, { status: 'ok' });
    },
  );

  it('GET /login?next=/%E2%82%AC puts the encoded path in the hidden field, and posting that form lands there', async () => {
    const agent = browser(app);
    const page = await agent.get('/login?next=/%E2%82%AC').expect(200);
    expect(page.text).toContain('<input type="hidden" name="next" value="/%E2%82%AC">');
    const hiddenNext = /name="next" value="([^"]*)"/.exec(page.text)?.[1] as string;
    const login = await agent
      .post('/login')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), email: user.email, password: user.password, next: hiddenNext });
    expect(login.status).toBe(303);
    expect(login.headers.location).toBe('/%E2%82%AC');
    await agent.get('/users').expect(200);
  });

  it('GET /login?next=//evil.com puts "/" in the hidden field', async () => {
    const page = await supertest(app.server).get('/login?next=//evil.com').expect(200);
    expect(page.text).toContain('<input type="hidden" name="next" value="/">');
  });
});

describe('a response header Node cannot write (outside Latin-1)', () => {
  it('is answered 500 by the error handler, as a page or as JSON, with no internals, and the app keeps serving', async () => {
    const app = await unreadyApp(await createTestDatabase());
    opened.push(app);
    // Each route changes the session, so the session store saves it and its callback writes the response.
    const badHeader = async (request: FastifyRequest, reply: FastifyReply) => {
      request.session.organizationId = '00000000-0000-0000-0000-000000000000';
      reply.header('x-probe', 'vei €');
      reply.header('x-probe-too', 'line\u2028separator');
      return 'should not be sent';
    };
    app.get('/probe/bad-header', badHeader);
    app.get('/api/v1/probe/bad-header', { config: API_ROUTE }, badHeader);
    await app.ready();
    const http = () => supertest(app.server);

    const page = await http().get('/probe/bad-header');
    expect(page.status).toBe(500);
    expect(String(page.headers['content-type'])).toContain('text/html');
    expect(page.text).toContain('Noe gikk galt');
    expect(page.headers['x-probe']).toBeUndefined();
    const json = await http().get('/api/v1/probe/bad-header');
    expect(json.status).toBe(500);
    expect(json.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(json.headers['x-probe']).toBeUndefined();
    for (const answer of [page, json]) {
      expect(answer.text).not.toMatch(
        /ERR_INVALID_CHAR|Invalid character|x-probe|should not be sent|\.ts:\d+/,
      );
    }

    await http().get('/healthz').expect(200, { status: 'ok' });
    await http().get('/login').expect(200);
  });
});

describe('POST /login rate limits (10 failures per 15 minutes)', () => {
  const loginWindow = DEFAULT_RATE_LIMITS.loginByAccount.windowSeconds;

  it('per account: after 10 failures, from ten addresses, the 11th attempt is 429 with Retry-After even with the right password', async () => {
    const app = await freshApp(BEHIND_LOCAL_PROXY);
    const user = await signUp(app, 'Konto AS');
    // One address per attempt: only the account's counter can reach the limit.
    for (let i = 1; i <= 10; i++) {
      const { response } = await attemptLogin(app, { email: user.email, password: WRONG }, `198.51.100.${i}`);
      expect(response.status).toBe(401);
    }
    const { agent, response } = await attemptLogin(app, user, '198.51.100.11');
    expect(response.status).toBe(429);
    retryAfter(response, loginWindow);
    expect(response.text).toContain('For mange mislykkede innlogginger. Prøv igjen om 15 minutter.');
    expect(response.headers['set-cookie'] ?? []).not.toEqual(
      expect.arrayContaining([expect.stringContaining('vd_session=')]),
    );
    await agent.get('/users').expect(303);
    // Another account from the same addresses is not affected.
    const other = await signUp(app, 'Annen AS');
    const { response: otherLogin } = await attemptLogin(app, other, '198.51.100.11');
    expect(otherLogin.status).toBe(303);
  });

  it('per account, from one address: 10 wrong passwords are 401, the right one after them is 429', async () => {
    const app = await freshApp();
    const user = await signUp(app, 'Enkel AS');
    for (let i = 1; i <= 10; i++) {
      const { response } = await attemptLogin(app, { email: user.email, password: WRONG });
      expect(response.status).toBe(401);
    }
    const { response } = await attemptLogin(app, user);
    expect(response.status).toBe(429);
    retryAfter(response, loginWindow);
  });

  it('answers an unknown email after 10 failures with the same 429 as an existing account', async () => {
    const app = await freshApp(BEHIND_LOCAL_PROXY);
    const user = await signUp(app, 'Finnes AS');
    const nobody = uniqueEmail('nobody');
    for (let i = 1; i <= 10; i++) {
      const existing = await attemptLogin(app, { email: user.email, password: WRONG }, `198.51.100.${i}`);
      const unknown = await attemptLogin(app, { email: nobody, password: WRONG }, `203.0.113.${i}`);
      expect([existing.response.status, unknown.response.status]).toEqual([401, 401]);
    }
    const { response: existing } = await attemptLogin(app, user, '198.51.100.11');
    const { response: unknown } = await attemptLogin(app, { email: nobody, password: WRONG }, '203.0.113.11');
    expect(existing.status).toBe(429);
    expect(unknown.status).toBe(429);
    expect(
      Math.abs(retryAfter(existing, loginWindow) - retryAfter(unknown, loginWindow)),
    ).toBeLessThanOrEqual(5);
    expect(unknown.headers['content-type']).toBe(existing.headers['content-type']);
    expect(withoutEcho(unknown.text, nobody)).toBe(withoutEcho(existing.text, user.email));
  });

  it('per address: 10 failures over ten accounts, then an eleventh account with the right password is 429', async () => {
    const app = await freshApp();
    const victim = await signUp(app, 'Adresse AS');
    // Ten different accounts, one failure each: no account's counter comes near its limit, the address's does.
    for (let i = 1; i <= 10; i++) {
      const { response } = await attemptLogin(app, { email: uniqueEmail(`guess${i}`), password: WRONG });
      expect(response.status).toBe(401);
    }
    const { response } = await attemptLogin(app, victim);
    expect(response.status).toBe(429);
    retryAfter(response, DEFAULT_RATE_LIMITS.loginByAddress.windowSeconds);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted: a new address in each failed attempt does not escape the limit', async () => {
    const app = await freshApp(); // trustProxy false, the default
    expect(app.config.trustProxy).toBe(false);
    const victim = await signUp(app, 'Proxy AS');
    for (let i = 1; i <= 10; i++) {
      const { response } = await attemptLogin(
        app,
        { email: uniqueEmail(`spoof${i}`), password: WRONG },
        `192.0.2.${i}`,
      );
      expect(response.status).toBe(401);
    }
    const { response } = await attemptLogin(app, victim, '192.0.2.11');
    expect(response.status).toBe(429);
  });

  it('honours X-Forwarded-For from a trusted proxy: the same attempts from ten client addresses are not limited', async () => {
    const app = await freshApp(BEHIND_LOCAL_PROXY);
    const victim = await signUp(app, 'Tillit AS');
    for (let i = 1; i <= 10; i++) {
      const { response } = await attemptLogin(
        app,
        { email: uniqueEmail(`spoof${i}`), password: WRONG },
        `192.0.2.${i}`,
      );
      expect(response.status).toBe(401);
    }
    const { response } = await attemptLogin(app, victim, '192.0.2.11');
    expect(response.status).toBe(303);
  });
});

describe('/r/:token rate limit (20 unknown links per 10 minutes per address)', () => {
  const window = DEFAULT_RATE_LIMITS.respondentLookups.windowSeconds;

  it('never counts valid links: 30 GETs of one are all 200, and only the 21st unknown token after them is 429', async () => {
    const app = await freshApp();
    const wave = await openWaveWithRespondents(app);
    const http = () => supertest(app.server);
    for (let i = 1; i <= 30; i++) {
      await http().get(wave.customerPath).expect(200);
    }
    // Had the valid lookups counted, the limit would answer 429 long before the 20th unknown token.
    for (let i = 1; i <= 20; i++) {
      await http().get(`/r/${randomToken()}`).expect(404);
    }
    await http().get(`/r/${randomToken()}`).expect(429);
  });

  it('answers the 21st unknown token 429 with Retry-After, and then valid links from that address too', async () => {
    const app = await freshApp();
    const wave = await openWaveWithRespondents(app);
    const http = () => supertest(app.server);
    for (let i = 1; i <= 20; i++) {
      const response = await http().get(`/r/${randomToken()}`);
      expect(response.status).toBe(404);
      // A colleague behind the same address keeps working until the limit is reached.
      if (i === 19) await http().get(wave.customerPath).expect(200);
    }
    const limited = await http().get(`/r/${randomToken()}`);
    expect(limited.status).toBe(429);
    retryAfter(limited, window);
    expect(limited.text).toContain('For mange forsøk');

    const valid = await http().get(wave.customerPath);
    expect(valid.status).toBe(429);
    retryAfter(valid, window);
    const submit = await http().post(wave.sellerPath).send({ answers: [] });
    expect(submit.status).toBe(429);
  });

  it('ignores X-Forwarded-For unless a proxy is trusted: a new address for each unknown token does not escape the limit', async () => {
    const app = await freshApp();
    for (let i = 1; i <= 20; i++) {
      await supertest(app.server)
        .get(`/r/${randomToken()}`)
        .set('X-Forwarded-For', `192.0.2.${i}`)
        .expect(404);
    }
    await supertest(app.server).get(`/r/${randomToken()}`).set('X-Forwarded-For', '192.0.2.21').expect(429);
  });

  it('reads no counter for an address without failures, and sees failures counted by another instance once that address fails here', async () => {
    const first = await freshApp();
    const wave = await openWaveWithRespondents(first);
    const second = await unreadyApp(first.config.databaseUrl as string);
    opened.push(second);
    await second.ready();
    const reads: string[] = [];
    const watched = new WeakSet<object>();
    first.pg.pool.on('acquire', (client) => {
      if (watched.has(client)) return;
      watched.add(client);
      const query = client.query.bind(client);
      // Counts the statements the survey links issue against rate_limits on the first instance.
      client.query = ((...args: Parameters<typeof query>) => {
        const text = typeof args[0] === 'string' ? args[0] : (args[0] as { text?: string }).text;
        if (text?.includes('rate_limits')) reads.push(text);
        return query(...args);
      }) as typeof client.query;
    });
    for (let i = 1; i <= 5; i++) await supertest(first.server).get(wave.customerPath).expect(200);
    expect(reads).toHaveLength(1);

    // The limit is used up through the other instance: this one answers the next unknown token (its
    // address was clean a moment ago), counts that failure, and from then on reads the counter again.
    for (let i = 1; i <= 20; i++) await supertest(second.server).get(`/r/${randomToken()}`).expect(404);
    await supertest(first.server).get(`/r/${randomToken()}`).expect(404);
    await supertest(first.server).get(wave.customerPath).expect(429);
  });
});

describe('POST /signup rate limit (10 attempts per hour per address)', () => {
  it('counts every attempt, failed or not, and answers the 11th 429 with Retry-After, sending nothing', async () => {
    const app = await freshApp({ rateLimits: DEFAULT_RATE_LIMITS });
    // A sign-up creates nothing until its email's link is followed: count the confirmation emails queued.
    const signups = async () =>
      Number(
        (
          await app.db
            .selectFrom('account_emails')
            .select((eb) => eb.fn.countAll<string>().as('count'))
            .where('kind', '=', 'signup')
            .executeTakeFirstOrThrow()
        ).count,
      );
    const form = (email: string) => ({ organization: 'Grense AS', name: 'Ola', email });
    for (let i = 1; i <= 5; i++) {
      const bad = await submitForm(browser(app), '/signup', '/signup', form('not-an-address'));
      expect(bad.status).toBe(400);
    }
    for (let i = 1; i <= 5; i++) {
      const made = await submitForm(browser(app), '/signup', '/signup', form(uniqueEmail()));
      expect(made.status).toBe(303);
    }
    expect(await signups()).toBe(5);
    const eleventh = await submitForm(browser(app), '/signup', '/signup', form(uniqueEmail()));
    expect(eleventh.status).toBe(429);
    retryAfter(eleventh, DEFAULT_RATE_LIMITS.signupByAddress.windowSeconds);
    expect(eleventh.text).toContain('For mange forsøk');
    expect(await signups()).toBe(5);
  });
});

describe('two app instances on one database', () => {
  let first: FastifyInstance;
  let second: FastifyInstance;
  beforeAll(async () => {
    const databaseUrl = await createTestDatabase();
    [first, second] = await Promise.all([unreadyApp(databaseUrl), unreadyApp(databaseUrl)]);
    await Promise.all([first.ready(), second.ready()]);
  });
  afterAll(async () => {
    await Promise.all([first.close(), second.close()]);
  });

  it('share sessions: logged in on one, the same cookie opens an authenticated page on the other', async () => {
    const user = await signUp(first, 'Tvilling AS');
    const { response } = await attemptLogin(first, user);
    expect(response.status).toBe(303);
    const cookie = /vd_session=[^;]+/.exec(String(response.headers['set-cookie']))?.[0] as string;
    expect(cookie).toBeDefined();
    const page = await supertest(second.server).get('/users').set('Cookie', cookie);
    expect(page.status).toBe(200);
    expect(page.text).toContain(user.email);
  });

  it('share login failure counters: 5 failures on each, then the next attempt on either is 429', async () => {
    const user = await signUp(first, 'Felles AS');
    for (const app of [first, second]) {
      for (let i = 1; i <= 5; i++) {
        const { response } = await attemptLogin(app, { email: user.email, password: WRONG });
        expect(response.status).toBe(401);
      }
    }
    for (const app of [first, second]) {
      const { response } = await attemptLogin(app, user);
      expect(response.status).toBe(429);
      retryAfter(response, DEFAULT_RATE_LIMITS.loginByAccount.windowSeconds);
    }
  });
});
