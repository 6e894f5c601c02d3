import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listActiveCriteria } from '../../../server/features/criteria/criteria.queries.js';
import { slugOf } from '../../../server/features/criteria/criteria.schemas.js';
import { DEFAULT_CRITERIA } from '../../../server/features/criteria/default-criteria.js';
import { chooseWelcomePassword } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, browser, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

async function organizationOf(email: string): Promise<string> {
  const row = await app.db
    .selectFrom('users')
    .select('organization_id')
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
  return row.organization_id;
}

async function newOrganization() {
  const admin = await signUp(app);
  return { ...admin, organizationId: await organizationOf(admin.email) };
}

const idOf = async (organizationId: string, key: string) =>
  (
    await app.db
      .selectFrom('criteria')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('key', '=', key)
      .executeTakeFirstOrThrow()
  ).id;

const activeKeys = async (organizationId: string) =>
  (await listActiveCriteria(app.db, organizationId)).map((criterion) => criterion.key);

describe('the default library', () => {
  it('gives a new organisation the 13 default criteria in order, crm_system for sellers only', async () => {
    const { organizationId, agent } = await newOrganization();
    const criteria = await listActiveCriteria(app.db, organizationId);
    expect(criteria).toHaveLength(13);
    expect(criteria.map((criterion) => criterion.key)).toEqual(
      DEFAULT_CRITERIA.map((criterion) => criterion.key),
    );
    expect(criteria[0]).toEqual({
      id: expect.any(String),
      key: 'availability',
      labelNb: 'Tilgjengelighet',
      labelEn: 'Availability',
      audience: 'both',
      position: 0,
    });
    expect(criteria.find((criterion) => criterion.key === 'crm_system')?.audience).toBe('seller');
    expect(criteria.filter((criterion) => criterion.audience === 'seller')).toHaveLength(1);

    const page = await agent.get('/criteria').expect(200);
    expect(page.text).toContain('Tilgjengelighet');
    expect(page.text).toContain('Bare selgere');
  });
});

describe('criteria pages', () => {
  it('adds a criterion at the end with a key slugged from the English label, unique in the organisation', async () => {
    const { agent, organizationId } = await newOrganization();
    const first = await submitForm(agent, '/criteria', '/criteria', {
      label_nb: 'Pris',
      label_en: 'Price & value',
      audience: 'both',
    });
    expect(first.status).toBe(303);
    const second = await submitForm(agent, '/criteria', '/criteria', {
      label_nb: 'Pris igjen',
      label_en: 'Price & Value',
      audience: 'seller',
    });
    expect(second.status).toBe(303);

    const criteria = await listActiveCriteria(app.db, organizationId);
    expect(criteria.slice(-2)).toEqual([
      {
        id: expect.any(String),
        key: 'price_value',
        labelNb: 'Pris',
        labelEn: 'Price & value',
        audience: 'both',
        position: 13,
      },
      {
        id: expect.any(String),
        key: 'price_value_2',
        labelNb: 'Pris igjen',
        labelEn: 'Price & Value',
        audience: 'seller',
        position: 14,
      },
    ]);
  });

  it('re-renders the add form with 400 and keeps the other values', async () => {
    const { agent, organizationId } = await newOrganization();
    const response = await submitForm(agent, '/criteria', '/criteria', {
      label_nb: 'Leveringstid',
      label_en: '',
      audience: 'seller',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="label_en-error"');
    expect(response.text).toContain('value="Leveringstid"');
    expect(response.text).toContain('<option value="seller" selected>');
    expect(await listActiveCriteria(app.db, organizationId)).toHaveLength(13);
  });

  it('renames a criterion, and refuses an empty or multi-line label', async () => {
    const { agent, organizationId } = await newOrganization();
    const id = await idOf(organizationId, 'trust');
    const renamed = await submitForm(agent, `/criteria/${id}`, `/criteria/${id}`, {
      label_nb: 'Tiltro',
      label_en: 'Confidence',
    });
    expect(renamed.status).toBe(303);
    const bad = await submitForm(agent, `/criteria/${id}`, `/criteria/${id}`, {
      label_nb: 'To\r\nlinjer',
      label_en: 'Confidence',
    });
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('id="label_nb-error"');

    const row = await app.db
      .selectFrom('criteria')
      .select(['key', 'label_nb', 'label_en'])
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row).toEqual({ key: 'trust', label_nb: 'Tiltro', label_en: 'Confidence' });
  });

  it('moves a criterion up and down by swapping it with its active neighbour', async () => {
    const { agent, organizationId } = await newOrganization();
    const advice = await idOf(organizationId, 'advice');
    const up = await submitForm(agent, '/criteria', `/criteria/${advice}/move`, { direction: 'up' });
    expect(up.status).toBe(303);
    expect((await activeKeys(organizationId)).slice(0, 3)).toEqual([
      'advice',
      'availability',
      'solution_oriented',
    ]);

    // Moving the first one further up changes nothing.
    await submitForm(agent, '/criteria', `/criteria/${advice}/move`, { direction: 'up' });
    expect((await activeKeys(organizationId)).slice(0, 2)).toEqual(['advice', 'availability']);

    // A retired neighbour is skipped.
    const availability = await idOf(organizationId, 'availability');
    await submitForm(agent, '/criteria', `/criteria/${availability}/retire`, {});
    await submitForm(agent, '/criteria', `/criteria/${advice}/move`, { direction: 'down' });
    expect((await activeKeys(organizationId)).slice(0, 3)).toEqual([
      'solution_oriented',
      'advice',
      'customer_oriented',
    ]);

    const bad = await submitForm(agent, '/criteria', `/criteria/${advice}/move`, { direction: 'sideways' });
    expect(bad.status).toBe(400);
  });

  it('retires a criterion into its own section and restores it to its place', async () => {
    const { agent, organizationId } = await newOrganization();
    const trust = await idOf(organizationId, 'trust');
    const retired = await submitForm(agent, '/criteria', `/criteria/${trust}/retire`, {});
    expect(retired.status).toBe(303);
    expect(await activeKeys(organizationId)).not.toContain('trust');
    expect(await activeKeys(organizationId)).toHaveLength(12);
    const page = await agent.get('/criteria?lang=en').expect(200);
    const retiredSection = page.text.slice(page.text.indexOf('id="retired-heading"'));
    expect(retiredSection).toContain('Trust');
    expect(retiredSection).toContain(`action="/criteria/${trust}/restore"`);

    const restored = await submitForm(agent, '/criteria', `/criteria/${trust}/restore`, {});
    expect(restored.status).toBe(303);
    expect(await activeKeys(organizationId)).toEqual(DEFAULT_CRITERIA.map((criterion) => criterion.key));
  });

  it('answers 404 for another organisation’s criterion and for a malformed id', async () => {
    const a = await newOrganization();
    const b = await newOrganization();
    const trustA = await idOf(a.organizationId, 'trust');
    await b.agent.get(`/criteria/${trustA}`).expect(404);
    const rename = await submitForm(b.agent, '/criteria', `/criteria/${trustA}`, {
      label_nb: 'X',
      label_en: 'X',
    });
    expect(rename.status).toBe(404);
    const retire = await submitForm(b.agent, '/criteria', `/criteria/${trustA}/retire`, {});
    expect(retire.status).toBe(404);
    await b.agent.get('/criteria/nope').expect(404);
    expect(await activeKeys(a.organizationId)).toContain('trust');
    const row = await app.db
      .selectFrom('criteria')
      .select('label_nb')
      .where('id', '=', trustA)
      .executeTakeFirst();
    expect(row?.label_nb).toBe('Tillit');
  });

  it('gives a KAM 403', async () => {
    const { agent } = await newOrganization();
    const email = uniqueEmail('kam');
    await submitForm(agent, '/users', '/users', {
      name: 'K',
      email,
      role: 'kam',
    });
    await chooseWelcomePassword(app, email, 'kam password 123');
    const kam: Agent = browser(app);
    await submitForm(kam, '/login', '/login', { email, password: 'kam password 123' });
    await kam.get('/criteria').expect(403);
  });
});

describe('slugOf', () => {
  it('makes a valid key of any label', () => {
    expect(slugOf('Follow-up')).toBe('follow_up');
    expect(slugOf('Økonomi & Så')).toBe('okonomi_sa');
    expect(slugOf('24/7 support')).toBe('criterion_24_7_support');
    expect(slugOf('!!!')).toBe('criterion');
    expect(slugOf('a'.repeat(300))).toHaveLength(50);
  });
});
