import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseWelcomePassword } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { createApiKey, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';
import { apiClient, customerAnswers, openWaveWithRespondents, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ publicUrl: 'http://survey.example.no' });
});
afterAll(async () => {
  await app.close();
});

describe('POST /api/v1/surveys', () => {
  it('creates a draft wave from the organisation’s library: the 13 default criteria, CRM-system for sellers only', async () => {
    const { surveyId, criteria, api } = await setUpWave(app);
    expect(criteria).toHaveLength(13);
    expect(criteria[0]).toEqual({
      id: expect.any(String),
      key: 'availability',
      label: 'Tilgjengelighet',
      audience: 'both',
    });
    expect(criteria.at(-1)).toMatchObject({ key: 'crm_system', label: 'CRM-system', audience: 'seller' });
    const { body } = await api.get(`/api/v1/surveys/${surveyId}`).expect(200);
    expect(body).toMatchObject({
      id: surveyId,
      status: 'draft',
      counts: { customer: { invited: 0, responded: 0 }, seller: { invited: 0, responded: 0 } },
    });
  });

  it('accepts its own criteria list and freezes it: later library edits do not change the wave', async () => {
    const { api } = await setUpWave(app);
    const created = await api
      .post('/api/v1/surveys', {
        name: 'Egen',
        language: 'en',
        criteria: [
          { key: 'speed', label: 'Speed', audience: 'both' },
          { label: 'Tools', audience: 'seller' },
        ],
      })
      .expect(201);
    expect(created.body.criteria.map((c: { label: string }) => c.label)).toEqual(['Speed', 'Tools']);
    expect(created.body.status).toBe('draft');

    const wave = await api.post('/api/v1/surveys', { name: 'Fra biblioteket' }).expect(201);
    const orgId = (await api.get('/api/v1/me').expect(200)).body.organization.id;
    await app.db
      .updateTable('criteria')
      .set({ label_nb: 'Endret' })
      .where('organization_id', '=', orgId)
      .execute();
    const after = await api.get(`/api/v1/surveys/${wave.body.id}`).expect(200);
    expect(after.body.criteria[0].label).toBe('Tilgjengelighet');
  });

  it.each([
    ['no name', {}],
    ['a 10 kB name', { name: 'x'.repeat(10_240) }],
    ['an unknown language', { name: 'x', language: 'sv' }],
    ['a bad audience', { name: 'x', criteria: [{ label: 'A', audience: 'everyone' }] }],
    ['an unknown field', { name: 'x', owner: 'me' }],
  ])('rejects %s with a JSON 400 and creates nothing', async (_label, body) => {
    const { api } = await setUpWave(app);
    const before = await app.db
      .selectFrom('surveys')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    const response = await api.post('/api/v1/surveys', body).expect(400);
    expect(response.body.error).toMatchObject({ code: 'BAD_REQUEST', fields: expect.any(Array) });
    const after = await app.db
      .selectFrom('surveys')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(after.n).toBe(before.n);
  });

  it('lets a KAM neither create nor read waves through the API (403)', async () => {
    const { admin } = await setUpWave(app);
    const email = uniqueEmail('kam');
    await submitForm(admin.agent, '/users', '/users', {
      name: 'K',
      email,
      role: 'kam',
    });
    await chooseWelcomePassword(app, email, 'kam password 123');
    const agent = supertest.agent(app.server);
    await submitForm(agent, '/login', '/login', { email, password: 'kam password 123' });
    const kamKey = await createApiKey(agent);
    await apiClient(app, kamKey).post('/api/v1/surveys', { name: 'x' }).expect(403);
  });
});

describe('POST /api/v1/surveys/:id/invitations', () => {
  it('returns the invitations in order with personal links under PUBLIC_URL/r/', async () => {
    const { api, surveyId, accountId } = await setUpWave(app);
    const emails = [uniqueEmail('c1'), 'ola@blåbær.no', uniqueEmail('s1')];
    const { body } = await api
      .post(`/api/v1/surveys/${surveyId}/invitations`, {
        invitations: [
          { role: 'customer', email: emails[0], accountId },
          { role: 'customer', email: emails[1], accountId, language: 'en' },
          { role: 'seller', email: emails[2] },
        ],
      })
      .expect(201);
    expect(body.invitations.map((i: { email: string; role: string }) => [i.role, i.email])).toEqual([
      ['customer', emails[0]],
      ['customer', emails[1]],
      ['seller', emails[2]],
    ]);
    for (const invitation of body.invitations) {
      expect(invitation.url).toMatch(/^http:\/\/survey\.example\.no\/r\/[A-Za-z0-9_-]{43}$/);
    }
    const contacts = await app.db
      .selectFrom('contacts')
      .select('email')
      .where('account_id', '=', accountId)
      .execute();
    expect(contacts.map((c) => c.email).sort()).toEqual([emails[0], emails[1]].sort());
  });

  it('stores no usable link: neither the token nor the URL is in the database', async () => {
    const { api, surveyId, accountId } = await setUpWave(app);
    const { body } = await api
      .post(`/api/v1/surveys/${surveyId}/invitations`, {
        invitations: [{ role: 'customer', email: uniqueEmail(), accountId }],
      })
      .expect(201);
    const token = body.invitations[0].url.split('/r/')[1];
    const dump = JSON.stringify(
      await app.db.selectFrom('invitations').selectAll().where('survey_id', '=', surveyId).execute(),
    );
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(Buffer.from(token).toString('hex'));
  });

  it.each([
    ['a customer without accountId', (_: string) => [{ role: 'customer', email: uniqueEmail() }]],
    [
      'an email with CRLF',
      (accountId: string) => [{ role: 'customer', email: 'a@b.no\r\nBcc: c@d.no', accountId }],
    ],
    ['an unknown role', (_: string) => [{ role: 'boss', email: uniqueEmail() }]],
    [
      'an account of another organisation',
      (_: string, foreign: string) => [{ role: 'customer', email: uniqueEmail(), accountId: foreign }],
    ],
    [
      'the same address twice',
      (accountId: string) => {
        const email = uniqueEmail();
        return [
          { role: 'customer', email, accountId },
          { role: 'customer', email, accountId },
        ];
      },
    ],
  ])('rejects %s and writes no invitation at all', async (_label, make) => {
    const { api, surveyId, accountId } = await setUpWave(app);
    const other = await setUpWave(app, { organization: 'Other AS' });
    const invitations = (make as (a: string, f: string) => unknown[])(accountId, other.accountId);
    const response = await api.post(`/api/v1/surveys/${surveyId}/invitations`, { invitations });
    expect([400, 409]).toContain(response.status);
    expect(response.body.error.code).toBeDefined();
    const rows = await app.db
      .selectFrom('invitations')
      .select('id')
      .where('survey_id', '=', surveyId)
      .execute();
    expect(rows).toHaveLength(0);
  });

  it('answers 404 for another organisation’s wave', async () => {
    const mine = await setUpWave(app);
    const theirs = await setUpWave(app, { organization: 'Theirs AS' });
    await mine.api.get(`/api/v1/surveys/${theirs.surveyId}`).expect(404);
    await mine.api
      .post(`/api/v1/surveys/${theirs.surveyId}/invitations`, {
        invitations: [{ role: 'seller', email: uniqueEmail() }],
      })
      .expect(404);
    await mine.api.post(`/api/v1/surveys/${theirs.surveyId}/open`).expect(404);
  });
});

describe('opening and closing a wave', () => {
  it('goes draft → open → closed, refuses to reopen, and counts only submitted responses as responded', async () => {
    const wave = await openWaveWithRespondents(app);
    const { api, surveyId } = wave;
    let counts = (await api.get(`/api/v1/surveys/${surveyId}`).expect(200)).body.counts;
    expect(counts).toEqual({ customer: { invited: 1, responded: 0 }, seller: { invited: 1, responded: 0 } });

    await supertest(app.server).post(wave.customerPath).send({ answers: [], submit: false }).expect(200);
    counts = (await api.get(`/api/v1/surveys/${surveyId}`).expect(200)).body.counts;
    expect(counts.customer.responded).toBe(0);
    await supertest(app.server)
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria), submit: true })
      .expect(200);
    counts = (await api.get(`/api/v1/surveys/${surveyId}`).expect(200)).body.counts;
    expect(counts.customer.responded).toBe(1);

    const closed = await api.post(`/api/v1/surveys/${surveyId}/close`).expect(200);
    expect(closed.body).toEqual({ id: surveyId, status: 'closed' });
    await api.post(`/api/v1/surveys/${surveyId}/open`).expect(400);
  });

  it('treats an open wave past its close date as closed', async () => {
    const wave = await openWaveWithRespondents(app);
    await app.db
      .updateTable('surveys')
      .set({ closes_at: new Date(Date.now() - 1000) })
      .where('id', '=', wave.surveyId)
      .execute();
    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}`).expect(200);
    expect(body.status).toBe('closed');
    await supertest(app.server).get(wave.customerPath).expect(410);
  });
});

describe('the wave page /surveys/:id', () => {
  it('lists each invitation with its status and link, shows the response rate, and revokes and renews links', async () => {
    const wave = await openWaveWithRespondents(app);
    const agent = wave.admin.agent;
    await supertest(app.server).get(wave.sellerPath).expect(200);
    let page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toContain('Ikke åpnet');
    expect(page.text).toContain('Åpnet');
    expect(page.text).toContain(`value="http://survey.example.no${wave.customerPath}"`);
    expect(page.text).toMatch(/data-testid="rate-customer">0 av 1/);

    await supertest(app.server)
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria), submit: true })
      .expect(200);
    page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toMatch(/data-testid="rate-customer">1 av 1 \(100 %\)/);
    expect(page.text).toContain('Sendt inn');

    const sellerInvitation = /action="\/surveys\/[0-9a-f-]+\/invitations\/([0-9a-f-]+)\/renew"/g;
    const ids = [...page.text.matchAll(sellerInvitation)].map((m) => m[1]);
    expect(ids).toHaveLength(2);
    const renew = await submitForm(
      agent,
      `/surveys/${wave.surveyId}`,
      `/surveys/${wave.surveyId}/invitations/${ids[1]}/renew`,
      {},
    );
    expect(renew.status).toBe(303);
    const renewedPage = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    const links = [...renewedPage.text.matchAll(/value="http:\/\/survey\.example\.no(\/r\/[^"]+)"/g)].map(
      (m) => m[1],
    );
    const stale = [wave.customerPath, wave.sellerPath].find((path) => !links.includes(path));
    expect(stale).toBeDefined();
    await supertest(app.server)
      .get(stale as string)
      .expect(404);

    // The customer has submitted: that link cannot be revoked, and its answers keep counting.
    const waveUrl = `/surveys/${wave.surveyId}`;
    const refused = await submitForm(agent, waveUrl, `${waveUrl}/invitations/${ids[0]}/revoke`, {});
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Lenken er allerede besvart');
    const revoke = await submitForm(agent, waveUrl, `${waveUrl}/invitations/${ids[1]}/revoke`, {});
    expect(revoke.status).toBe(303);
    const afterRevoke = await agent.get(waveUrl).expect(200);
    expect(afterRevoke.text).toContain('Trukket tilbake');
    expect(afterRevoke.text).toMatch(/data-testid="rate-customer">1 av 1 \(100 %\)/);
    expect(afterRevoke.text).toMatch(/data-testid="rate-seller">0 av 0/);
  });

  it('creates a wave and invitations through the page forms, and re-renders a bad invite list with 400', async () => {
    const { agent } = await signUp(app);
    const created = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Vår 2027',
      language: 'nb',
      closesAt: '',
    });
    expect(created.status).toBe(303);
    const surveyPath = created.headers.location as string;
    const bad = await submitForm(agent, surveyPath, `${surveyPath}/invitations`, {
      role: 'seller',
      emails: 'not an email',
      language: '',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('Ugyldig linje');
    expect(bad.text).toContain('not an email');
    const good = await submitForm(agent, surveyPath, `${surveyPath}/invitations`, {
      role: 'seller',
      emails: `Per Selger <${uniqueEmail('per')}>\n${uniqueEmail('pål')}`,
      language: '',
    });
    expect(good.status).toBe(303);
    const page = await agent.get(surveyPath).expect(200);
    expect(page.text).toContain('Per Selger');
    expect(page.text).toMatch(/data-testid="rate-seller">0 av 2/);
  });
});
