import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { endOfDayInOslo, splitAddress } from '../../server/features/surveys/surveys.routes.js';
import { buildTestApp } from '../helpers/app.js';
import { browser, createApiKey, csrfFrom, signUp, submitForm } from '../helpers/http.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

describe('API keys outside /api', () => {
  it('cannot drive browser forms: a POST with a bearer key gets 401 and creates nothing', async () => {
    const { agent } = await signUp(app);
    const key = await createApiKey(agent);
    const before = await app.db.selectFrom('api_keys').select('id').execute();
    const response = await supertest(app.server)
      .post('/settings/api-keys')
      .set('Authorization', `Bearer ${key}`)
      .type('form')
      .send({ name: 'minted' });
    expect(response.status).toBe(401);
    expect(await app.db.selectFrom('api_keys').select('id').execute()).toHaveLength(before.length);
  });
});

describe('login with odd input', () => {
  it('answers a repeated next parameter with the login page, not a 500', async () => {
    const page = await supertest(app.server).get('/login?next=/a&next=/b').expect(200);
    expect(page.text).toContain('name="next" value="/"');
  });

  it('treats an email with a NUL byte as a failed login (401), not a 500', async () => {
    const response = await submitForm(browser(app), '/login', '/login', {
      email: 'a\u0000b@example.no',
      password: 'x',
    });
    expect(response.status).toBe(401);
  });
});

describe('account import with a NUL byte in a cell', () => {
  it('shows a row error in the preview (200) instead of failing', async () => {
    const { agent } = await signUp(app);
    const page = await agent.get('/accounts/import').expect(200);
    const preview = await agent
      .post('/accounts/import')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), csv: 'Kunde;E-post\nGa\u0000mma AS;x@example.no\n' });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain('Linjeskift eller kontrolltegn i kunde');
  });
});

describe('the wave pages', () => {
  it('refuse to create a wave from an empty criteria library (400), as the API does', async () => {
    const { agent, email } = await signUp(app);
    const user = await app.db
      .selectFrom('users')
      .select('organization_id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    await app.db
      .updateTable('criteria')
      .set({ retired_at: new Date() })
      .where('organization_id', '=', user.organization_id)
      .execute();
    const response = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Tom',
      language: 'nb',
      closesAt: '',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Kriteriebiblioteket er tomt');
    expect(
      await app.db
        .selectFrom('surveys')
        .select('id')
        .where('organization_id', '=', user.organization_id)
        .execute(),
    ).toEqual([]);
  });

  it('reject an invite line over 500 characters with 400', async () => {
    const { agent } = await signUp(app);
    const created = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Lang',
      language: 'nb',
      closesAt: '',
    });
    const wavePath = created.headers.location as string;
    const response = await submitForm(agent, wavePath, `${wavePath}/invitations`, {
      role: 'seller',
      emails: `a${' '.repeat(50_000)}b`,
      language: '',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('for lang');
  });
});

describe('endOfDayInOslo', () => {
  it('ends a close date at midnight Norwegian time, winter (CET) and summer (CEST)', () => {
    expect(endOfDayInOslo('2026-03-15').toISOString()).toBe('2026-03-15T22:59:59.999Z');
    expect(endOfDayInOslo('2026-07-01').toISOString()).toBe('2026-07-01T21:59:59.999Z');
  });
});

describe('splitAddress', () => {
  it('reads "Name <address>" and a bare address', () => {
    expect(splitAddress('Per Selger <per@example.no>')).toEqual({
      name: 'Per Selger',
      email: 'per@example.no',
    });
    expect(splitAddress('per@example.no')).toEqual({ name: undefined, email: 'per@example.no' });
  });
});

describe('organisation settings', () => {
  it('let an admin rename the organisation and set the small-sample threshold; bad values get 400', async () => {
    const { agent, email } = await signUp(app);
    const bad = await submitForm(agent, '/settings/organization', '/settings/organization', {
      name: 'Terskel AS',
      threshold: '0',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="threshold-error"');
    // The message in the reader's language (Norwegian by default), not zod's English.
    expect(bad.text).toContain('Minst 1.');
    const ok = await submitForm(agent, '/settings/organization', '/settings/organization', {
      name: 'Terskel AS',
      threshold: '3',
    });
    expect(ok.status).toBe(303);
    const user = await app.db
      .selectFrom('users')
      .select('organization_id')
      .where('email', '=', email)
      .executeTakeFirstOrThrow();
    const org = await app.db
      .selectFrom('organizations')
      .select(['name', 'small_sample_threshold'])
      .where('id', '=', user.organization_id)
      .executeTakeFirstOrThrow();
    expect(org).toEqual({ name: 'Terskel AS', small_sample_threshold: 3 });
  });
});

describe('the quadrant crosshair of a wave', () => {
  it('can be moved to the scale midpoint from the wave page, and the report follows', async () => {
    const { agent } = await signUp(app);
    const created = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Kors',
      language: 'nb',
      closesAt: '',
    });
    const wavePath = created.headers.location as string;
    const saved = await submitForm(agent, wavePath, `${wavePath}/crosshair`, { crosshair: 'midpoint' });
    expect(saved.status).toBe(303);
    const key = await createApiKey(agent);
    const report = await supertest(app.server)
      .get(`/api/v1${wavePath}/report`)
      .set('Authorization', `Bearer ${key}`)
      .expect(200);
    expect(report.body.crosshair).toEqual({ importance: 5.5, performance: 5.5 });
    const bad = await submitForm(agent, wavePath, `${wavePath}/crosshair`, { crosshair: 'somewhere' });
    expect(bad.status).toBe(400);
  });
});
