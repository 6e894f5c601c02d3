import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { latestAccountLink } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { browser, createApiKey, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';

let app: FastifyInstance;
let databaseUrl: string;
beforeAll(async () => {
  app = await buildTestApp();
  databaseUrl = app.pg.pool.options.connectionString as string;
});
afterAll(async () => {
  await app.close();
});

const api = () => supertest(app.server);

describe('GET /api/v1/me', () => {
  it('answers with the key owner’s organisation and user', async () => {
    const { agent, email } = await signUp(app, 'Me AS');
    const key = await createApiKey(agent);
    const { body } = await api().get('/api/v1/me').set('Authorization', `Bearer ${key}`).expect(200);
    expect(body).toEqual({
      organization: { id: expect.any(String), name: 'Me AS' },
      user: { id: expect.any(String), email, name: 'Ada Admin', role: 'admin' },
    });
  });

  it('rejects a missing, an unknown and a revoked key with 401', async () => {
    const { agent } = await signUp(app);
    const key = await createApiKey(agent);
    await api().get('/api/v1/me').expect(401);
    const unknown = await api().get('/api/v1/me').set('Authorization', 'Bearer vd_unknown').expect(401);
    expect(unknown.body.error.code).toBe('UNAUTHORIZED');

    const page = await agent.get('/settings/api-keys').expect(200);
    const keyId = /action="\/settings\/api-keys\/([0-9a-f-]+)\/revoke"/.exec(page.text)?.[1];
    expect(keyId).toBeDefined();
    await submitForm(agent, '/settings/api-keys', `/settings/api-keys/${keyId}/revoke`, {}).then((r) =>
      expect(r.status).toBe(303),
    );
    await api().get('/api/v1/me').set('Authorization', `Bearer ${key}`).expect(401);
  });

  it('stores only a hash of the key', async () => {
    const { agent } = await signUp(app);
    const key = await createApiKey(agent);
    const rows = await app.db.selectFrom('api_keys').select(['key_hash', 'prefix']).execute();
    expect(rows.some((row) => row.key_hash.toString('utf8').includes(key))).toBe(false);
    expect(rows.some((row) => key.startsWith(row.prefix))).toBe(true);
  });
});

describe('users and roles', () => {
  it('lets an admin add a KAM, who can log in but gets 403 on admin pages and endpoints', async () => {
    const { agent } = await signUp(app);
    const kamEmail = uniqueEmail('kam');
    const add = await submitForm(agent, '/users', '/users', {
      name: 'Kari KAM',
      email: kamEmail,
      role: 'kam',
    });
    expect(add.status).toBe(303);
    // No start password: the KAM chooses one through the emailed link (account-emails.test.ts sends it).
    const link = await latestAccountLink(app, kamEmail, 'welcome');
    await submitForm(browser(app), link, link, { password: 'kam password 123' }).then((r) =>
      expect(r.status).toBe(303),
    );

    const kam = browser(app);
    const login = await submitForm(kam, '/login', '/login', {
      email: kamEmail,
      password: 'kam password 123',
    });
    expect(login.status).toBe(303);
    await kam.get('/users').expect(403);
    const kamKey = await createApiKey(kam);
    const denied = await api().get('/api/v1/users').set('Authorization', `Bearer ${kamKey}`).expect(403);
    expect(denied.body.error.code).toBe('FORBIDDEN');
  });

  it('re-renders the add-user form with 400 for a bad email and keeps the name', async () => {
    const { agent } = await signUp(app);
    const response = await submitForm(agent, '/users', '/users', {
      name: 'Per',
      email: 'not-an-email',
      role: 'manager',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="email-error"');
    expect(response.text).toContain('value="Per"');
  });

  it('ends a deactivated user’s session and key at once', async () => {
    const { agent } = await signUp(app);
    const email = uniqueEmail('leaver');
    await submitForm(agent, '/users', '/users', { name: 'Leaver', email, role: 'manager' });
    const link = await latestAccountLink(app, email, 'welcome');
    await submitForm(browser(app), link, link, { password: 'leaver password 1' });
    const leaver = browser(app);
    await submitForm(leaver, '/login', '/login', { email, password: 'leaver password 1' });
    const key = await createApiKey(leaver);
    await api().get('/api/v1/me').set('Authorization', `Bearer ${key}`).expect(200);

    const page = await agent.get('/users').expect(200);
    const userId = /action="\/users\/([0-9a-f-]+)\/deactivate"/.exec(page.text)?.[1];
    const done = await submitForm(agent, '/users', `/users/${userId}/deactivate`, {});
    expect(done.status).toBe(303);
    await leaver.get('/settings/api-keys').expect(303);
    await api().get('/api/v1/me').set('Authorization', `Bearer ${key}`).expect(401);
  });
});

describe('tenancy', () => {
  it('never shows organisation B’s users to organisation A, on pages or through the API', async () => {
    const a = await signUp(app, 'Alpha AS', uniqueEmail('alpha'));
    const b = await signUp(app, 'Beta AS', uniqueEmail('beta'));
    const aPage = await a.agent.get('/users').expect(200);
    expect(aPage.text).toContain(a.email);
    expect(aPage.text).not.toContain(b.email);

    const aKey = await createApiKey(a.agent);
    const { body } = await api().get('/api/v1/users').set('Authorization', `Bearer ${aKey}`).expect(200);
    const emails = body.users.map((user: { email: string }) => user.email);
    expect(emails).toEqual([a.email]);
  });

  it('refuses to deactivate a user of another organisation', async () => {
    const a = await signUp(app, 'Alpha AS');
    const b = await signUp(app, 'Beta AS');
    const bUser = await app.db
      .selectFrom('users')
      .select('id')
      .where('email', '=', b.email)
      .executeTakeFirstOrThrow();
    const response = await submitForm(a.agent, '/users', `/users/${bUser.id}/deactivate`, {});
    expect(response.status).toBe(404);
    await b.agent.get('/users').expect(200);
  });

  it('refuses, in the database itself, a row that points into another organisation', async () => {
    const a = await signUp(app, 'Alpha AS');
    const b = await signUp(app, 'Beta AS');
    const userA = await app.db
      .selectFrom('users')
      .select(['organization_id', 'id'])
      .where('email', '=', a.email)
      .executeTakeFirstOrThrow();
    const userB = await app.db
      .selectFrom('users')
      .select(['organization_id'])
      .where('email', '=', b.email)
      .executeTakeFirstOrThrow();
    await expect(
      app.db
        .insertInto('api_keys')
        .values({
          organization_id: userB.organization_id,
          user_id: userA.id,
          name: 'x',
          prefix: 'x',
          key_hash: Buffer.from('x'),
        })
        .execute(),
    ).rejects.toThrow(/foreign key/);
  });
});

describe('admin CLI', () => {
  const run = promisify(execFile);
  const cli = (...args: string[]) =>
    run('npx', ['tsx', 'scripts/admin.ts', ...args], { env: { ...process.env, DATABASE_URL: databaseUrl } });

  it('create-org prints one JSON line whose key works on /api/v1/me, and create-user adds a KAM', async () => {
    const email = uniqueEmail('cli');
    const { stdout } = await cli(
      'create-org',
      '--name',
      'CLI AS',
      '--email',
      email,
      '--password',
      'cli password 123',
    );
    const lines = stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const created = JSON.parse(lines[0] ?? '');
    expect(created).toEqual({
      organizationId: expect.any(String),
      userId: expect.any(String),
      apiKey: expect.any(String),
    });
    const me = await api().get('/api/v1/me').set('Authorization', `Bearer ${created.apiKey}`).expect(200);
    expect(me.body.organization).toEqual({ id: created.organizationId, name: 'CLI AS' });

    const kam = await cli(
      'create-user',
      '--org',
      created.organizationId,
      '--email',
      uniqueEmail('clikam'),
      '--password',
      'kam password 123',
      '--role',
      'kam',
      '--name',
      'Kim',
    );
    const user = JSON.parse(kam.stdout.trim());
    expect(user).toEqual({ userId: expect.any(String), apiKey: expect.any(String) });
    const kamMe = await api().get('/api/v1/me').set('Authorization', `Bearer ${user.apiKey}`).expect(200);
    expect(kamMe.body.user).toMatchObject({ name: 'Kim', role: 'kam' });
  });

  it('prints a JSON error and exits non-zero for a taken email', async () => {
    const email = uniqueEmail('dup');
    await cli('create-org', '--name', 'One', '--email', email, '--password', 'cli password 123');
    const failure = await cli(
      'create-org',
      '--name',
      'Two',
      '--email',
      email,
      '--password',
      'cli password 123',
    ).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(JSON.parse(failure.stdout.trim()).error.code).toBe('EMAIL_TAKEN');
  });
});
