import type { FastifyInstance } from 'fastify';
import type pg from 'pg';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../../server/app.js';
import { translate } from '../../../server/lib/i18n.js';
import { buildTestApp, createTestDatabase, testConfig } from '../../helpers/app.js';
import { createApiKey, csrfFrom, signUp } from '../../helpers/http.js';
import { customerAnswers, openWaveWithRespondents } from '../../helpers/surveys.js';
import {
  adminClient,
  atPort,
  CapturedLog,
  CookieJar,
  DatabaseRelay,
  databaseServerPort,
  freePort,
  internalsIn,
  loggedUrls,
  type RawResponse,
  rawRequest,
  sleep,
  terminateBackends,
  uncaughtDuring,
  waitForLockWaiters,
} from './outage-helpers.js';

/** Issue 7, items 4, 6, 7 and 8: each attacks the running app over HTTP, on a real PostgreSQL. */

interface SignedIn {
  jar: CookieJar;
  email: string;
  password: string;
}

/** Logs in from a fresh browser through the login form; the jar then holds its session and CSRF cookies. */
async function logIn(app: FastifyInstance, email: string, password: string): Promise<SignedIn> {
  const jar = new CookieJar();
  const page = jar.keep(await rawRequest(app, 'GET', '/login'));
  const response = jar.keep(
    await rawRequest(app, 'POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
      body: new URLSearchParams({ _csrf: csrfFrom(page.text), email, password }).toString(),
    }),
  );
  if (response.status !== 303) throw new Error(`login failed: ${response.status}`);
  return { jar, email, password };
}

function form(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

// ---------------------------------------------------------------------------------------------------------
// Item 4: a lost database gives fast 503s without internals, and the app recovers by itself
// ---------------------------------------------------------------------------------------------------------

/** What each outage scenario needs: an app, and a session, an API key and a link made while all was well. */
interface OutageTarget {
  app: FastifyInstance;
  session: SignedIn;
  apiKey: string;
  respondentPath: string;
  /** A complete JSON submission for the respondent link. */
  submission: object;
  /** Ports a body must not name: the database server's and the address the app connects to. */
  ports: number[];
}

type Answer = 'nb' | 'en' | 'json';

interface OutageCase {
  name: string;
  answer: Answer;
  send(target: OutageTarget): Promise<RawResponse>;
}

const CASES = {
  signedInPage: {
    name: 'a signed-in page (GET /accounts with a session cookie)',
    answer: 'nb',
    send: (t) => rawRequest(t.app, 'GET', '/accounts', { headers: { cookie: t.session.jar.header() } }),
  },
  respondentLink: {
    name: 'a respondent link (GET /r/<token>)',
    answer: 'nb',
    send: (t) => rawRequest(t.app, 'GET', t.respondentPath),
  },
  respondentLinkInEnglish: {
    name: 'a respondent link in English (GET /r/<token>?lang=en)',
    answer: 'en',
    send: (t) => rawRequest(t.app, 'GET', `${t.respondentPath}?lang=en`),
  },
  respondentJson: {
    name: 'a respondent submission in JSON (POST /r/<token>)',
    answer: 'json',
    send: (t) =>
      rawRequest(t.app, 'POST', t.respondentPath, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: [], submit: false }),
      }),
  },
  login: {
    name: 'a login from a fresh browser (POST /login)',
    answer: 'nb',
    send: (t) => postLogin(t, ''),
  },
  loginInEnglish: {
    name: 'a login in English (POST /login?lang=en)',
    answer: 'en',
    send: (t) => postLogin(t, '?lang=en'),
  },
  api: {
    name: 'the JSON API with a key (GET /api/v1/me)',
    answer: 'json',
    send: (t) => rawRequest(t.app, 'GET', '/api/v1/me', { headers: { authorization: `Bearer ${t.apiKey}` } }),
  },
} satisfies Record<string, OutageCase>;

const OUTAGE_CASES: OutageCase[] = Object.values(CASES);

/** The login page needs no database, so a browser can still post the form during the outage. */
async function postLogin(target: OutageTarget, lang: string): Promise<RawResponse> {
  const jar = new CookieJar();
  const page = jar.keep(await rawRequest(target.app, 'GET', `/login${lang}`));
  expect(page.status).toBe(200);
  return rawRequest(target.app, 'POST', `/login${lang}`, {
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
    body: form({
      _csrf: csrfFrom(page.text),
      email: target.session.email,
      password: target.session.password,
    }),
  });
}

function expectUnavailable(response: RawResponse, answer: Answer, ports: number[]) {
  expect(response.status).toBe(503);
  expect(response.ms).toBeLessThan(10_000);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(internalsIn(response.text, ports)).toEqual([]);
  if (answer === 'json') {
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(JSON.parse(response.text)).toEqual({
      error: { code: 'UNAVAILABLE', message: expect.any(String) },
    });
  } else {
    expect(response.headers['content-type']).toMatch(/^text\/html/);
    expect(response.text).toContain(`<html lang="${answer}">`);
    expect(response.text).toContain(translate(answer, 'error.unavailable'));
  }
}

/** Signs up, opens a wave, makes an API key and logs in: everything an outage test asks the app for. */
async function prepareTarget(app: FastifyInstance) {
  const wave = await openWaveWithRespondents(app);
  const apiKey = await createApiKey(wave.admin.agent);
  const session = await logIn(app, wave.admin.email, wave.admin.password);
  const submission = { answers: customerAnswers(wave.criteria), submit: true };
  return { session, apiKey, respondentPath: wave.customerPath, submission };
}

describe('a database that cannot be reached (issue 7, item 4)', () => {
  describe('an app whose database address has nothing listening', () => {
    let healthy: FastifyInstance;
    let app: FastifyInstance;
    const target = {} as OutageTarget;

    beforeAll(async () => {
      // The session, key and link are made on a working app; the second app has the same secrets and an
      // address where no database listens, so it finds them valid and has to ask the database.
      const databaseUrl = await createTestDatabase();
      healthy = await buildApp(testConfig({ databaseUrl }), { logger: false });
      await healthy.listen({ port: 0, host: '127.0.0.1' });
      const prepared = await prepareTarget(healthy);
      const deadPort = await freePort();
      app = await buildApp(testConfig({ databaseUrl: atPort(databaseUrl, deadPort) }), { logger: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      Object.assign(target, prepared, { app, ports: [deadPort, databaseServerPort()] });
    });

    afterAll(async () => {
      await app?.close();
      await healthy?.close();
    });

    it('answers /healthz 200 (liveness needs no database) and /readyz 503', async () => {
      const live = await rawRequest(app, 'GET', '/healthz');
      expect(live.status).toBe(200);
      const ready = await rawRequest(app, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.ms).toBeLessThan(10_000);
      expect(internalsIn(ready.text, target.ports)).toEqual([]);
    });

    it.each(OUTAGE_CASES)(
      'answers $name with a fast 503 in the right language and form, nothing internal',
      async ({ send, answer }) => {
        expectUnavailable(await send(target), answer, target.ports);
      },
    );

    // The session lookup (an onRequest hook) fails before the language hook has run; the error handler
    // then reads ?lang= and the cookie itself.
    it('answers a signed-in page asked for in English (GET /accounts?lang=en) with the 503 page in English', async () => {
      const response = await rawRequest(app, 'GET', '/accounts?lang=en', {
        headers: { cookie: target.session.jar.header() },
      });
      expectUnavailable(response, 'en', target.ports);
    });
  });

  describe('a running app whose database goes away and comes back', () => {
    let relay: DatabaseRelay;
    let app: FastifyInstance;
    let admin: pg.Client;
    const target = {} as OutageTarget;

    beforeAll(async () => {
      const databaseUrl = await createTestDatabase();
      relay = await DatabaseRelay.start(databaseUrl);
      app = await buildApp(testConfig({ databaseUrl: relay.urlFor(databaseUrl) }), { logger: false });
      await app.listen({ port: 0, host: '127.0.0.1' });
      Object.assign(target, await prepareTarget(app), { app, ports: [relay.port, databaseServerPort()] });
      admin = await adminClient(databaseUrl);
    });

    afterAll(async () => {
      await relay?.accept();
      await app?.close();
      await admin?.end();
    });

    it('answers requests in flight with 503 within 10 s when an operator terminates their connections, and stores no half submission', async () => {
      // Three warm pooled connections, then a lock that holds each request inside a query — the submission
      // inside its transaction, after its first statements — so that the termination hits them mid-flight.
      await Promise.all([1, 2, 3].map(() => rawRequest(app, 'GET', '/readyz')));
      const uncaught = await uncaughtDuring(async () => {
        await admin.query('begin');
        await admin.query('lock table sessions, api_keys, response_revisions in access exclusive mode');
        const inFlight: Array<{ answer: Answer; response: Promise<RawResponse> }> = [
          { answer: 'nb', response: CASES.signedInPage.send(target) },
          { answer: 'json', response: CASES.api.send(target) },
          {
            answer: 'json',
            response: rawRequest(app, 'POST', target.respondentPath, {
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(target.submission),
            }),
          },
        ];
        try {
          await waitForLockWaiters(admin, relay.backendPorts(), inFlight.length);
          // Nothing can reconnect: the database stays away from here on.
          relay.refuse();
          expect(await terminateBackends(admin, relay.backendPorts())).toBeGreaterThanOrEqual(
            inFlight.length,
          );
        } finally {
          await admin.query('rollback');
        }
        for (const { answer, response } of inFlight) expectUnavailable(await response, answer, target.ports);
      });
      // In production, any of these would have ended the process.
      expect(uncaught.map(String)).toEqual([]);
      const stored = await admin.query<{ responses: string; answers: string; revisions: string }>(
        `select (select count(*) from responses where submitted_at is not null) as responses,
                (select count(*) from answers) as answers,
                (select count(*) from response_revisions) as revisions`,
      );
      expect(stored.rows[0]).toEqual({ responses: '0', answers: '0', revisions: '0' });
    });

    describe('while the database stays away', () => {
      beforeAll(() => relay.cut());

      it('still answers /healthz 200, and /readyz 503 without internals', async () => {
        expect((await rawRequest(app, 'GET', '/healthz')).status).toBe(200);
        const ready = await rawRequest(app, 'GET', '/readyz');
        expect(ready.status).toBe(503);
        expect(ready.ms).toBeLessThan(10_000);
        expect(internalsIn(ready.text, target.ports)).toEqual([]);
      });

      it.each(OUTAGE_CASES)(
        'answers $name with a fast 503 in the right language and form, nothing internal',
        async ({ send, answer }) => {
          expectUnavailable(await send(target), answer, target.ports);
        },
      );
    });

    describe('when the database returns', () => {
      beforeAll(() => relay.accept());

      it('is ready again by itself within 20 s, serves the same session, key and link, and stores a submission once', async () => {
        const deadline = Date.now() + 20_000;
        let ready = await rawRequest(app, 'GET', '/readyz');
        while (ready.status !== 200 && Date.now() < deadline) {
          await sleep(100);
          ready = await rawRequest(app, 'GET', '/readyz');
        }
        expect(ready.status).toBe(200);
        const page = await rawRequest(app, 'GET', '/accounts', {
          headers: { cookie: target.session.jar.header() },
        });
        expect(page.status).toBe(200);
        const me = await rawRequest(app, 'GET', '/api/v1/me', {
          headers: { authorization: `Bearer ${target.apiKey}` },
        });
        expect(me.status).toBe(200);
        expect(JSON.parse(me.text).user.email).toBe(target.session.email);
        expect((await rawRequest(app, 'GET', target.respondentPath)).status).toBe(200);
        expect((await postLogin(target, '')).status).toBe(303);
        const submitted = await rawRequest(app, 'POST', target.respondentPath, {
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(target.submission),
        });
        expect(submitted.status).toBe(200);
        const stored = await admin.query<{ n: string }>(
          'select count(*) as n from responses where submitted_at is not null',
        );
        expect(stored.rows[0]?.n).toBe('1');
      });
    });
  });
});

// ---------------------------------------------------------------------------------------------------------
// Item 6: the respondent token never reaches a log line, whatever the spelling of the link
// ---------------------------------------------------------------------------------------------------------

describe('request logs name the route, never the respondent token (issue 7, item 6)', () => {
  const log = new CapturedLog();
  let app: FastifyInstance;
  let token: string;
  let sellerToken: string;
  let admin: { email: string; password: string };

  beforeAll(async () => {
    app = await buildApp(testConfig({ databaseUrl: await createTestDatabase(), logLevel: 'trace' }), {
      logStream: log.stream,
      logger: undefined,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    const wave = await openWaveWithRespondents(app);
    token = wave.customerPath.replace('/r/', '');
    sellerToken = wave.sellerPath.replace('/r/', '');
    admin = wave.admin;
  });

  afterAll(async () => {
    await app?.close();
  });

  function expectNoToken(text: string) {
    for (const secret of [token, sellerToken]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(secret.slice(0, 20));
    }
  }

  // Every spelling that names the respondent link — routed to it or not — is logged as /r/[redacted].
  const R = '/r/[redacted]';
  const SPELLINGS: Array<{ spelling: string; path: (t: string) => string; logged: string }> = [
    { spelling: '/r/<t>', path: (t) => `/r/${t}`, logged: R },
    { spelling: '/%72/<t> (percent-encoded r)', path: (t) => `/%72/${t}`, logged: R },
    { spelling: '//r/<t> (double slash first)', path: (t) => `//r/${t}`, logged: R },
    { spelling: '/R/<t> (upper case)', path: (t) => `/R/${t}`, logged: R },
    { spelling: '/./r/<t> (dot segment first)', path: (t) => `/./r/${t}`, logged: R },
    { spelling: '/r/./<t> (dot segment inside)', path: (t) => `/r/./${t}`, logged: R },
    { spelling: '/r//<t> (double slash inside)', path: (t) => `/r//${t}`, logged: R },
    { spelling: '/r/<t>?lang=en (query string)', path: (t) => `/r/${t}?lang=en`, logged: R },
    { spelling: '/r/<t>/ (trailing slash)', path: (t) => `/r/${t}/`, logged: R },
    { spelling: '/r/<t>x (an invalid token)', path: (t) => `/r/${t}x`, logged: R },
    {
      spelling: '/%2572/<t> (percent-encoded twice)',
      path: (t) => `/%2572/${t}`,
      logged: '/%2572/[redacted]',
    },
  ];

  it.each(SPELLINGS)('GET $spelling is logged as $logged, never with the token', async ({ path, logged }) => {
    const lines = await log.during(() => rawRequest(app, 'GET', path(token)));
    expect(loggedUrls(lines)).toEqual([logged]);
    expectNoToken(JSON.stringify(lines));
  });

  it('POST of the respondent form (saved: 303 back to the link) logs /r/[redacted] and not the token', async () => {
    const lines = await log.during(async () => {
      const response = await rawRequest(app, 'POST', `/r/${token}`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: form({ comment: 'Halvveis', action: 'save' }),
      });
      expect(response.status).toBe(303);
    });
    expect(loggedUrls(lines)).toEqual(['/r/[redacted]']);
    expectNoToken(JSON.stringify(lines));
  });

  it('POST of a refused JSON answer to /%72/<t> (400) logs /r/[redacted] and not the token', async () => {
    const lines = await log.during(async () => {
      const response = await rawRequest(app, 'POST', `/%72/${sellerToken}`, {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ answers: [], submit: false, token: sellerToken }),
      });
      expect(response.status).toBe(400);
    });
    expect(loggedUrls(lines)).toEqual(['/r/[redacted]']);
    expectNoToken(JSON.stringify(lines));
  });

  it('GET and POST /login with next=/r/<t> do not log the token', async () => {
    const jar = new CookieJar();
    const next = `/r/${token}`;
    let page: RawResponse | undefined;
    const getLines = await log.during(async () => {
      page = jar.keep(await rawRequest(app, 'GET', `/login?next=${encodeURIComponent(next)}`));
    });
    expect(page?.text).toContain(`value="${next}"`);
    const postLines = await log.during(async () => {
      const response = await rawRequest(app, 'POST', `/login?next=${encodeURIComponent(next)}`, {
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: jar.header() },
        body: form({ _csrf: csrfFrom(page?.text ?? ''), email: admin.email, password: admin.password, next }),
      });
      expect(response.status).toBe(303);
      expect(response.headers.location).toBe(next);
    });
    expect(loggedUrls([...getLines, ...postLines])).toEqual(['/login', '/login']);
    expectNoToken(JSON.stringify([...getLines, ...postLines]));
  });

  it('has written neither token (nor its first 20 characters) anywhere in the whole log of the file', () => {
    expect(log.lines.length).toBeGreaterThan(20);
    expect(log.text()).toContain('/r/[redacted]');
    expectNoToken(log.text());
  });
});

// ---------------------------------------------------------------------------------------------------------
// Item 7: anonymous views write nothing; CSRF by a signed double-submit cookie bound to the user
// ---------------------------------------------------------------------------------------------------------

describe('anonymous pages write nothing to the database (issue 7, item 7)', () => {
  let app: FastifyInstance;
  let alice: { email: string; password: string };
  let bob: { email: string; password: string };

  beforeAll(async () => {
    app = await buildTestApp();
    await app.listen({ port: 0, host: '127.0.0.1' });
    alice = await signUp(app, 'Alice AS');
    bob = await signUp(app, 'Bob AS');
  });

  afterAll(async () => {
    await app?.close();
  });

  async function sessionRows(): Promise<number> {
    const { n } = await app.db
      .selectFrom('sessions')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(n);
  }

  async function apiKeysNamed(name: string): Promise<number> {
    const rows = await app.db.selectFrom('api_keys').select('id').where('name', '=', name).execute();
    return rows.length;
  }

  it('stores no session for 20 anonymous views each of /, /login and /signup, nor for a failed login', async () => {
    const before = await sessionRows();
    const browser = new CookieJar();
    for (let round = 0; round < 20; round += 1) {
      for (const path of ['/', '/login', '/signup']) {
        // A fresh client each time, and one browser that sends back whatever it was given.
        const fresh = await rawRequest(app, 'GET', path);
        const returning = browser.keep(
          await rawRequest(app, 'GET', path, { headers: { cookie: browser.header() } }),
        );
        for (const response of [fresh, returning]) {
          expect(response.status).toBe(200);
          expect(String(response.headers['set-cookie'] ?? '')).not.toContain('vd_session');
        }
      }
    }
    const page = await rawRequest(app, 'GET', '/login', { headers: { cookie: browser.header() } });
    const failed = await rawRequest(app, 'POST', '/login', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: browser.header() },
      body: form({ _csrf: csrfFrom(page.text), email: alice.email, password: 'not the password' }),
    });
    expect(failed.status).toBe(401);
    expect(await sessionRows()).toBe(before);
  });

  it('stores exactly one session when a fresh browser logs in through the form, and that session works', async () => {
    const before = await sessionRows();
    const { jar } = await logIn(app, alice.email, alice.password);
    expect(await sessionRows()).toBe(before + 1);
    const page = await rawRequest(app, 'GET', '/settings/api-keys', { headers: { cookie: jar.header() } });
    expect(page.status).toBe(200);
  });

  it('refuses the login form with 403 when the CSRF token is missing, wrong, from another browser, or without its cookie', async () => {
    const before = await sessionRows();
    const jar = new CookieJar();
    const page = jar.keep(await rawRequest(app, 'GET', '/login'));
    const token = csrfFrom(page.text);
    const other = csrfFrom((await rawRequest(app, 'GET', '/login')).text);
    const tampered = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    // The right password every time: only the CSRF check stands between these posts and a session.
    const credentials = { email: alice.email, password: alice.password };
    const attempts = [
      { cookie: jar.header(), fields: credentials },
      { cookie: jar.header(), fields: { ...credentials, _csrf: tampered } },
      { cookie: jar.header(), fields: { ...credentials, _csrf: other } },
      { cookie: '', fields: { ...credentials, _csrf: token } },
    ];
    for (const { cookie, fields } of attempts) {
      const response = await rawRequest(app, 'POST', '/login', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
        body: form(fields),
      });
      expect(response.status).toBe(403);
    }
    expect(await sessionRows()).toBe(before);
  });

  it('refuses (403) a token from an anonymous page once the same browser is signed in', async () => {
    const jar = new CookieJar();
    const anonymousToken = csrfFrom(jar.keep(await rawRequest(app, 'GET', '/login')).text);
    const signedIn = await logIn(app, alice.email, alice.password);
    // Same browser: the CSRF cookie from before login, the session from the login.
    const cookie = signedIn.jar.header({ csrf: jar.get('csrf') });
    const name = `anonymous-token-${Date.now()}`;
    const response = await rawRequest(app, 'POST', '/settings/api-keys', {
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: form({ _csrf: anonymousToken, name }),
    });
    expect(response.status).toBe(403);
    expect(await apiKeysNamed(name)).toBe(0);
  });

  it("refuses (403) one signed-in user's token, even with that user's CSRF cookie, for another signed-in user", async () => {
    const a = await logIn(app, alice.email, alice.password);
    const b = await logIn(app, bob.email, bob.password);
    const tokenOf = async (user: SignedIn) =>
      csrfFrom(
        user.jar.keep(
          await rawRequest(app, 'GET', '/settings/api-keys', { headers: { cookie: user.jar.header() } }),
        ).text,
      );
    const aliceToken = await tokenOf(a);
    const bobToken = await tokenOf(b);
    const post = (cookie: string, token: string, name: string) =>
      rawRequest(app, 'POST', '/settings/api-keys', {
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
        body: form({ _csrf: token, name }),
      });

    // Bob's session with Alice's CSRF cookie and token: the pair is valid, but it was made for Alice.
    const stolen = `stolen-${Date.now()}`;
    const attack = await post(b.jar.header({ csrf: a.jar.get('csrf') }), aliceToken, stolen);
    expect(attack.status).toBe(403);
    expect(await apiKeysNamed(stolen)).toBe(0);

    // Each with their own: the same form works.
    const own = `own-${Date.now()}`;
    expect((await post(b.jar.header(), bobToken, own)).status).toBe(200);
    expect((await post(a.jar.header(), aliceToken, `${own}-a`)).status).toBe(200);
    expect(await apiKeysNamed(own)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Item 8: security headers and caching
// ---------------------------------------------------------------------------------------------------------

/** The Content-Security-Policy as directive → sources. */
function cspOf(response: { headers: Record<string, unknown> }): Map<string, string[]> {
  const header = String(response.headers['content-security-policy'] ?? '');
  return new Map(
    header
      .split(';')
      .map((part) => part.trim().split(/\s+/))
      .filter(([name]) => name)
      .map(([name = '', ...sources]) => [name.toLowerCase(), sources]),
  );
}

describe('security headers (issue 7, item 8)', () => {
  let app: FastifyInstance;
  let httpsApp: FastifyInstance;
  let apiKey: string;
  let wave: Awaited<ReturnType<typeof openWaveWithRespondents>>;

  beforeAll(async () => {
    app = await buildTestApp({ publicUrl: 'http://surveys.example.no' });
    wave = await openWaveWithRespondents(app);
    apiKey = await createApiKey(wave.admin.agent);
    httpsApp = await buildTestApp({ publicUrl: 'https://surveys.example.no' });
  });

  afterAll(async () => {
    await app?.close();
    await httpsApp?.close();
  });

  describe('with an http PUBLIC_URL', () => {
    const pages = [
      { name: 'the login page', get: () => supertest(app.server).get('/login') },
      { name: 'a signed-in page', get: () => wave.admin.agent.get('/accounts') },
      { name: 'a respondent page', get: () => supertest(app.server).get(wave.customerPath) },
      { name: 'a 404 page', get: () => supertest(app.server).get('/no-such-page') },
    ];

    it.each(pages)(
      'sends on $name a CSP that forbids framing, plugins, <base> and inline script',
      async ({ get }) => {
        const csp = cspOf(await get());
        expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
        expect(csp.get('object-src')).toEqual(["'none'"]);
        expect(csp.get('base-uri')).toEqual(["'none'"]);
        expect(csp.get('script-src')).toBeDefined();
        expect(csp.get('script-src')).not.toContain("'unsafe-inline'");
        expect(csp.get('default-src')).toEqual(["'self'"]);
      },
    );

    it.each(pages)(
      'sends on $name neither Strict-Transport-Security nor upgrade-insecure-requests',
      async ({ get }) => {
        const response = await get();
        expect(response.headers['strict-transport-security']).toBeUndefined();
        expect(cspOf(response).has('upgrade-insecure-requests')).toBe(false);
      },
    );
  });

  describe('with an https PUBLIC_URL', () => {
    it('sends Strict-Transport-Security and upgrade-insecure-requests, with the same CSP rules', async () => {
      const response = await supertest(httpsApp.server).get('/login').expect(200);
      expect(response.headers['strict-transport-security']).toMatch(/max-age=[1-9]\d*/);
      const csp = cspOf(response);
      expect(csp.has('upgrade-insecure-requests')).toBe(true);
      expect(csp.get('frame-ancestors')).toEqual(["'none'"]);
      expect(csp.get('object-src')).toEqual(["'none'"]);
      expect(csp.get('base-uri')).toEqual(["'none'"]);
    });
  });

  describe('Cache-Control', () => {
    it.each(['/accounts', '/surveys', '/settings/api-keys', '/surveys/:id', '/surveys/:id/report'])(
      'is no-store on the signed-in page %s',
      async (page) => {
        const response = await wave.admin.agent.get(page.replace(':id', wave.surveyId));
        expect(response.status).toBe(200);
        expect(response.headers['cache-control']).toContain('no-store');
      },
    );

    const apiAnswers = [
      { name: 'GET /api/v1/me with a key (200)', path: '/api/v1/me', key: true, status: 200 },
      { name: 'GET /api/v1/me without a key (401)', path: '/api/v1/me', key: false, status: 401 },
      {
        name: 'an unknown survey with a key (404)',
        path: '/api/v1/surveys/00000000-0000-4000-8000-000000000000',
        key: true,
        status: 404,
      },
      { name: 'an unknown API path with a key (404)', path: '/api/v1/no-such-thing', key: true, status: 404 },
      {
        name: 'an unknown API path without a key (404)',
        path: '/api/v1/no-such-thing',
        key: false,
        status: 404,
      },
    ];

    it.each(apiAnswers)('is no-store on the API answer to $name', async ({ path, key, status }) => {
      const request = supertest(app.server).get(path);
      const response = await (key ? request.set('Authorization', `Bearer ${apiKey}`) : request);
      expect(response.status).toBe(status);
      expect(response.headers['content-type']).toMatch(/^application\/json/);
      expect(response.headers['cache-control']).toContain('no-store');
    });

    it('is no-store on respondent pages: the form, a refused submission and an unknown link', async () => {
      const http = () => supertest(app.server);
      const answers = [
        await http().get(wave.sellerPath).expect(200),
        await http().post(wave.sellerPath).send({ answers: 'not a list' }).expect(400),
        await http().get('/r/UnknownTokenUnknownTokenUnknown0123').expect(404),
      ];
      for (const response of answers) expect(response.headers['cache-control']).toContain('no-store');
    });

    it('leaves static files cacheable', async () => {
      const response = await supertest(app.server).get('/static/css/app.css').expect(200);
      expect(response.headers['cache-control']).not.toContain('no-store');
      expect(response.headers['cache-control']).toMatch(/max-age=[1-9]/);
    });
  });
});
