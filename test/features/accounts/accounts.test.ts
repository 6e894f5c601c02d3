import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findAccount, findOrCreateContact } from '../../../server/features/accounts/accounts.queries.js';
import { chooseWelcomePassword } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, browser, createApiKey, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

const api = () => supertest(app.server);

async function organizationOf(email: string) {
  return app.db
    .selectFrom('users')
    .select(['organization_id as organizationId', 'id as userId'])
    .where('email', '=', email)
    .executeTakeFirstOrThrow();
}

/** Adds a user with `role` through the users page; returns their id and a logged-in browser. */
async function addMember(admin: Agent, role: 'kam' | 'manager', name = 'Kari KAM') {
  const email = uniqueEmail(role);
  const added = await submitForm(admin, '/users', '/users', {
    name,
    email,
    role,
  });
  await chooseWelcomePassword(app, email, 'member password 1');
  expect(added.status).toBe(303);
  const agent = browser(app);
  await submitForm(agent, '/login', '/login', { email, password: 'member password 1' });
  const { userId } = await organizationOf(email);
  return { agent, email, userId };
}

async function createAccount(agent: Agent, form: Record<string, string>): Promise<string> {
  const response = await submitForm(agent, '/accounts', '/accounts', { segment: '', kamUserId: '', ...form });
  expect(response.status).toBe(303);
  const id = /^\/accounts\/([0-9a-f-]{36})$/.exec(response.headers.location ?? '')?.[1];
  if (!id) throw new Error(`unexpected redirect ${response.headers.location}`);
  return id;
}

const accountCount = async (organizationId: string) =>
  Number(
    (
      await app.db
        .selectFrom('accounts')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirstOrThrow()
    ).n,
  );

const contactCount = async (organizationId: string) =>
  Number(
    (
      await app.db
        .selectFrom('contacts')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .where('organization_id', '=', organizationId)
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('accounts pages', () => {
  it('creates an account with segment and KAM, lists it and shows it', async () => {
    const admin = await signUp(app, 'Leverandør AS');
    const kam = await addMember(admin.agent, 'kam', 'Kari Nordmann');
    const id = await createAccount(admin.agent, { name: 'Blåbær AS', segment: 'A', kamUserId: kam.userId });

    const row = await app.db
      .selectFrom('accounts')
      .select(['name', 'segment', 'kam_user_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ name: 'Blåbær AS', segment: 'A', kam_user_id: kam.userId });

    const list = await admin.agent.get('/accounts').expect(200);
    expect(list.text).toContain('Blåbær AS');
    expect(list.text).toContain('Kari Nordmann');
    const page = await admin.agent.get(`/accounts/${id}`).expect(200);
    expect(page.text).toContain('<h1>Blåbær AS</h1>');
    expect(page.text).toMatch(new RegExp(`<option value="${kam.userId}" selected>`));
  });

  it('re-renders the form with 400 for an empty name and keeps the segment', async () => {
    const { agent, email } = await signUp(app);
    const response = await submitForm(agent, '/accounts', '/accounts', {
      name: '  ',
      segment: 'B',
      kamUserId: '',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="name-error"');
    expect(response.text).toContain('<option value="B" selected>');
    expect(await accountCount((await organizationOf(email)).organizationId)).toBe(0);
  });

  it('re-renders with 400 for a 10 kB name', async () => {
    const { agent, email } = await signUp(app);
    const response = await submitForm(agent, '/accounts', '/accounts', { name: 'x'.repeat(10_000) });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="name-error"');
    expect(await accountCount((await organizationOf(email)).organizationId)).toBe(0);
  });

  it('refuses a duplicate name, whatever its case, with a field error', async () => {
    const { agent, email } = await signUp(app);
    await createAccount(agent, { name: 'Fjord Shipping' });
    const response = await submitForm(agent, '/accounts', '/accounts', {
      name: 'FJORD shipping',
      segment: 'C',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="name-error"');
    expect(response.text).toContain('Det finnes allerede en kunde med dette navnet.');
    expect(response.text).toContain('value="FJORD shipping"');
    expect(await accountCount((await organizationOf(email)).organizationId)).toBe(1);
  });

  it('refuses a KAM from another organisation', async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const bUser = await organizationOf(b.email);
    const response = await submitForm(a.agent, '/accounts', '/accounts', {
      name: 'X',
      kamUserId: bUser.userId,
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="kamUserId-error"');
  });

  it('updates an account, and refuses to rename it to another account’s name', async () => {
    const { agent } = await signUp(app);
    const id = await createAccount(agent, { name: 'Old name' });
    await createAccount(agent, { name: 'Taken' });
    const saved = await submitForm(agent, `/accounts/${id}`, `/accounts/${id}`, {
      name: 'New name',
      segment: 'C',
      kamUserId: '',
    });
    expect(saved.status).toBe(303);
    expect(saved.headers.location).toBe(`/accounts/${id}?saved=1`);
    const row = await app.db
      .selectFrom('accounts')
      .select(['name', 'segment'])
      .where('id', '=', id)
      .executeTakeFirst();
    expect(row).toEqual({ name: 'New name', segment: 'C' });

    const taken = await submitForm(agent, `/accounts/${id}`, `/accounts/${id}`, {
      name: 'taken',
      segment: 'C',
    });
    expect(taken.status).toBe(400);
    expect(taken.text).toContain('id="name-error"');
    const unchanged = await app.db
      .selectFrom('accounts')
      .select('name')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(unchanged?.name).toBe('New name');
  });

  it('answers 404 for a non-uuid id', async () => {
    const { agent } = await signUp(app);
    await agent.get('/accounts/not-a-uuid').expect(404);
    const response = await submitForm(agent, '/accounts', '/accounts/not-a-uuid/contacts', {
      email: 'a@b.no',
    });
    expect(response.status).toBe(404);
  });

  it('gives a KAM 403 on the pages and the API', async () => {
    const admin = await signUp(app);
    const kam = await addMember(admin.agent, 'kam');
    await kam.agent.get('/accounts').expect(403);
    await kam.agent.get('/accounts/import').expect(403);
    const key = await createApiKey(kam.agent);
    await api().get('/api/v1/accounts').set('Authorization', `Bearer ${key}`).expect(403);
  });

  it('lets a manager in', async () => {
    const admin = await signUp(app);
    const manager = await addMember(admin.agent, 'manager');
    await manager.agent.get('/accounts').expect(200);
  });
});

describe('contacts', () => {
  it('adds a contact with an IDN address, and flags a role address with a visible marker', async () => {
    const { agent } = await signUp(app);
    const id = await createAccount(agent, { name: 'Blåbær AS' });
    const added = await submitForm(agent, `/accounts/${id}`, `/accounts/${id}/contacts`, {
      name: 'Ola Nordmann',
      email: 'ola@blåbær.no',
      language: 'en',
    });
    expect(added.status).toBe(303);
    expect(added.headers.location).toBe(`/accounts/${id}`);
    const contact = await app.db
      .selectFrom('contacts')
      .select(['name', 'email', 'language'])
      .where('account_id', '=', id)
      .executeTakeFirst();
    expect(contact).toEqual({ name: 'Ola Nordmann', email: 'ola@blåbær.no', language: 'en' });
    expect((await agent.get(`/accounts/${id}`).expect(200)).text).not.toContain('Generisk adresse');

    const role = await submitForm(agent, `/accounts/${id}`, `/accounts/${id}/contacts`, {
      name: '',
      email: 'post@blåbær.no',
      language: 'nb',
    });
    expect(role.status).toBe(303);
    expect(role.headers.location).toBe(`/accounts/${id}?warning=roleAddress`);
    const afterAdd = await agent.get(role.headers.location ?? '').expect(200);
    expect(afterAdd.text).toContain('class="warning"');
    const page = await agent.get(`/accounts/${id}?lang=en`).expect(200);
    expect(page.text).toMatch(/post@blåbær\.no <strong class="role-address">⚠ Generic address<\/strong>/);
    expect(page.text).not.toMatch(/ola@blåbær\.no <strong/);
  });

  it('refuses a duplicate email on the same account, in any case, with a field error', async () => {
    const { agent } = await signUp(app);
    const id = await createAccount(agent, { name: 'Dup AS' });
    const form = { name: 'Per', email: 'per@dup.no', language: 'nb' };
    expect((await submitForm(agent, `/accounts/${id}`, `/accounts/${id}/contacts`, form)).status).toBe(303);
    const again = await submitForm(agent, `/accounts/${id}`, `/accounts/${id}/contacts`, {
      ...form,
      email: 'PER@dup.no',
    });
    expect(again.status).toBe(400);
    expect(again.text).toContain('id="contact-email-error"');
    expect(again.text).toContain('value="PER@dup.no"');
    const rows = await app.db.selectFrom('contacts').select('id').where('account_id', '=', id).execute();
    expect(rows).toHaveLength(1);
  });

  it('refuses an email with a CRLF header injection and keeps the name', async () => {
    const { agent } = await signUp(app);
    const id = await createAccount(agent, { name: 'Inject AS' });
    const response = await submitForm(agent, `/accounts/${id}`, `/accounts/${id}/contacts`, {
      name: 'Eve',
      email: 'eve@inject.no\r\nBcc: all@example.com',
      language: 'nb',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="contact-email-error"');
    expect(response.text).toContain('value="Eve"');
    const rows = await app.db.selectFrom('contacts').select('id').where('account_id', '=', id).execute();
    expect(rows).toHaveLength(0);
  });

  it('removes a contact, but not one an invitation refers to', async () => {
    const { agent, email } = await signUp(app);
    const { organizationId } = await organizationOf(email);
    const id = await createAccount(agent, { name: 'Remove AS' });
    for (const address of ['a@remove.no', 'b@remove.no']) {
      await submitForm(agent, `/accounts/${id}`, `/accounts/${id}/contacts`, {
        email: address,
        language: 'nb',
      });
    }
    const contacts = await app.db
      .selectFrom('contacts')
      .select(['id', 'email'])
      .where('account_id', '=', id)
      .orderBy('email')
      .execute();
    const [free, invited] = contacts;
    if (!free || !invited) throw new Error('contacts missing');
    const survey = await app.db
      .insertInto('surveys')
      .values({ organization_id: organizationId, name: 'Wave 1' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await app.db
      .insertInto('invitations')
      .values({
        organization_id: organizationId,
        survey_id: survey.id,
        role: 'customer',
        email: invited.email,
        language: 'nb',
        account_id: id,
        contact_id: invited.id,
        token_salt: randomBytes(16),
        token_hash: randomBytes(32),
      })
      .execute();

    const refused = await submitForm(
      agent,
      `/accounts/${id}`,
      `/accounts/${id}/contacts/${invited.id}/delete`,
      {},
    );
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('Kontakten er invitert til en undersøkelse og kan ikke fjernes.');
    const removed = await submitForm(
      agent,
      `/accounts/${id}`,
      `/accounts/${id}/contacts/${free.id}/delete`,
      {},
    );
    expect(removed.status).toBe(303);
    const left = await app.db.selectFrom('contacts').select('id').where('account_id', '=', id).execute();
    expect(left).toEqual([{ id: invited.id }]);
  });
});

describe('tenancy', () => {
  it('answers 404 when organisation B reads or edits organisation A’s account, and changes nothing', async () => {
    const a = await signUp(app, 'Alpha AS');
    const b = await signUp(app, 'Beta AS');
    const id = await createAccount(a.agent, { name: 'Alpha customer' });
    await submitForm(a.agent, `/accounts/${id}`, `/accounts/${id}/contacts`, {
      email: 'c@alpha.no',
      language: 'nb',
    });

    await b.agent.get(`/accounts/${id}`).expect(404);
    const edit = await submitForm(b.agent, '/accounts', `/accounts/${id}`, { name: 'Stolen' });
    expect(edit.status).toBe(404);
    const contact = await submitForm(b.agent, '/accounts', `/accounts/${id}/contacts`, {
      email: 'x@beta.no',
      language: 'nb',
    });
    expect(contact.status).toBe(404);
    const [existing] = await app.db
      .selectFrom('contacts')
      .select('id')
      .where('account_id', '=', id)
      .execute();
    const remove = await submitForm(
      b.agent,
      '/accounts',
      `/accounts/${id}/contacts/${existing?.id}/delete`,
      {},
    );
    expect(remove.status).toBe(404);

    const row = await app.db.selectFrom('accounts').select('name').where('id', '=', id).executeTakeFirst();
    expect(row?.name).toBe('Alpha customer');
    const contacts = await app.db
      .selectFrom('contacts')
      .select('email')
      .where('account_id', '=', id)
      .execute();
    expect(contacts).toEqual([{ email: 'c@alpha.no' }]);
    expect((await b.agent.get('/accounts').expect(200)).text).not.toContain('Alpha customer');

    const bKey = await createApiKey(b.agent);
    const { body } = await api().get('/api/v1/accounts').set('Authorization', `Bearer ${bKey}`).expect(200);
    expect(body).toEqual({ accounts: [] });
  });

  it('findAccount does not find another organisation’s account', async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const id = await createAccount(a.agent, { name: 'Mine' });
    const orgA = await organizationOf(a.email);
    const orgB = await organizationOf(b.email);
    expect(await findAccount(app.db, orgA.organizationId, id)).toMatchObject({ id, name: 'Mine' });
    expect(await findAccount(app.db, orgB.organizationId, id)).toBeUndefined();
  });
});

describe('findOrCreateContact', () => {
  it('returns the existing contact for the same email in another case, and adds a missing one', async () => {
    const { agent, email } = await signUp(app);
    const { organizationId } = await organizationOf(email);
    const id = await createAccount(agent, { name: 'Invitees AS' });
    const first = await app.db.transaction().execute((trx) =>
      findOrCreateContact(trx, organizationId, id, {
        email: 'Siri@invitees.no',
        name: 'Siri',
        language: 'en',
      }),
    );
    const again = await findOrCreateContact(app.db, organizationId, id, {
      email: 'siri@INVITEES.no',
      name: null,
      language: 'nb',
    });
    expect(again).toBe(first);
    const rows = await app.db
      .selectFrom('contacts')
      .select(['id', 'name', 'language'])
      .where('account_id', '=', id)
      .execute();
    expect(rows).toEqual([{ id: first, name: 'Siri', language: 'en' }]);
  });
});

const BOM = '\uFEFF';
const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  '#x27': "'",
  '#x60': '`',
  '#x3D': '=',
};
const unescapeHtml = (html: string) =>
  html.replace(/&(amp|lt|gt|quot|#x27|#x60|#x3D);/g, (_, name) => ENTITIES[name] ?? '');
const csvOf = (...lines: string[]) => `${BOM}${lines.join('\r\n')}\r\n`;

describe('CSV import', () => {
  async function setUp() {
    const admin = await signUp(app);
    const { organizationId } = await organizationOf(admin.email);
    const kam = await addMember(admin.agent, 'kam', 'Kåre KAM');
    return { ...admin, organizationId, kam };
  }

  it('previews rows with errors, warnings and database duplicates, and writes nothing', async () => {
    const { agent, organizationId, kam } = await setUp();
    const existing = await createAccount(agent, { name: 'Eksisterende AS' });
    await submitForm(agent, `/accounts/${existing}`, `/accounts/${existing}/contacts`, {
      email: 'finnes@eks.no',
      language: 'nb',
    });
    const accountsBefore = await accountCount(organizationId);
    const contactsBefore = await contactCount(organizationId);

    const csv = csvOf(
      'Kunde;Segment;KAM;Kontaktperson;E-post;Språk',
      `Blåbær Æøå AS;A;${kam.email};Øystein Ærø;oystein@blåbær.no;nb`,
      'eksisterende as;;;Ny Person;ny@eks.no;en',
      'Eksisterende AS;;;Gammel;finnes@eks.no;nb',
      'Ukjent KAM AS;B;nobody@example.no;;;',
    );
    const response = await submitForm(agent, '/accounts/import', '/accounts/import', { csv });
    expect(response.status).toBe(200);
    expect(response.text).toContain('Blåbær Æøå AS');
    expect(response.text).toContain('Kunden finnes allerede');
    expect(response.text).toContain('Kontakten finnes allerede på denne kunden (finnes@eks.no)');
    expect(response.text).toContain('Ukjent KAM: nobody@example.no');
    expect(response.text).toContain('4 rader: 2 uten feil, 2 med feil.');
    expect(response.text).not.toContain('action="/accounts/import/commit"');

    expect(await accountCount(organizationId)).toBe(accountsBefore);
    expect(await contactCount(organizationId)).toBe(contactsBefore);
  });

  it('commits a ;-delimited UTF-8 file with BOM in one go, flagging the role address', async () => {
    const { agent, organizationId, kam } = await setUp();
    const existing = await createAccount(agent, { name: 'Fjord ASA', segment: 'C' });
    const csv = csvOf(
      'Kunde;Segment;KAM;Kontaktperson;E-post;Språk',
      `Blåbær Æøå AS;A;${kam.email};Øystein Ærø;oystein@blåbær.no;norsk`,
      `Blåbær Æøå AS;A;${kam.email};;post@blåbær.no;nb`,
      'fjord asa;B;;Åse Lie;ase@fjord.no;English',
      'Tomt Kontaktløst AS;Gull;;;;',
    );
    const preview = await submitForm(agent, '/accounts/import', '/accounts/import', { csv });
    expect(preview.status).toBe(200);
    expect(preview.text).toMatch(
      /post@blåbær\.no \(nb\) <strong class="role-address">⚠ Generisk adresse<\/strong>/,
    );
    expect(preview.text).toContain('Importer 4 gyldige rader');
    expect(await accountCount(organizationId)).toBe(1);

    // What the preview's hidden field posts back, after the browser's own line-break normalisation.
    const posted = /<textarea name="csv" hidden>\n([\s\S]*?)<\/textarea>/.exec(preview.text)?.[1];
    expect(posted).toBeDefined();
    const commit = await submitForm(agent, '/accounts', '/accounts/import/commit', {
      csv: unescapeHtml(posted ?? ''),
    });
    expect(commit.status).toBe(303);
    expect(commit.headers.location).toBe('/accounts?imported=4');
    expect((await agent.get('/accounts?imported=4').expect(200)).text).toContain('4 rader er importert.');

    const accounts = await app.db
      .selectFrom('accounts')
      .select(['id', 'name', 'segment', 'kam_user_id as kamUserId'])
      .where('organization_id', '=', organizationId)
      .orderBy('name')
      .execute();
    expect(accounts).toEqual([
      { id: expect.any(String), name: 'Blåbær Æøå AS', segment: 'A', kamUserId: kam.userId },
      { id: existing, name: 'Fjord ASA', segment: 'C', kamUserId: null },
      { id: expect.any(String), name: 'Tomt Kontaktløst AS', segment: 'Gull', kamUserId: null },
    ]);
    const contacts = await app.db
      .selectFrom('contacts')
      .select(['account_id as accountId', 'name', 'email', 'language'])
      .where('organization_id', '=', organizationId)
      .orderBy('email')
      .execute();
    const blaabaer = accounts[0]?.id;
    expect(contacts).toEqual([
      { accountId: existing, name: 'Åse Lie', email: 'ase@fjord.no', language: 'en' },
      { accountId: blaabaer, name: 'Øystein Ærø', email: 'oystein@blåbær.no', language: 'nb' },
      { accountId: blaabaer, name: null, email: 'post@blåbær.no', language: 'nb' },
    ]);
  });

  it('writes nothing when one row is invalid, and re-renders the preview with 400', async () => {
    const { agent, organizationId } = await setUp();
    const csv = csvOf(
      'Kunde;Kontaktperson;E-post;Språk',
      'Gyldig AS;Per;per@gyldig.no;nb',
      'Ugyldig AS;Pål;ikke-en-epost;nb',
    );
    const commit = await submitForm(agent, '/accounts/import', '/accounts/import/commit', { csv });
    expect(commit.status).toBe(400);
    expect(commit.text).toContain('Ingenting ble importert');
    expect(commit.text).toContain('Ugyldig e-postadresse: ikke-en-epost');
    expect(await accountCount(organizationId)).toBe(0);
    expect(await contactCount(organizationId)).toBe(0);
  });

  it('re-renders the upload form with 400 when nothing was pasted', async () => {
    const { agent } = await setUp();
    const response = await submitForm(agent, '/accounts/import', '/accounts/import', { csv: '   ' });
    expect(response.status).toBe(400);
    expect(response.text).toContain('id="csv-error"');
  });
});

describe('/api/v1/accounts', () => {
  it('creates an account with 201 and lists it', async () => {
    const admin = await signUp(app);
    const kam = await addMember(admin.agent, 'kam');
    const key = await createApiKey(admin.agent);
    const created = await api()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'API Kunde AS', segment: 'B', kamUserId: kam.userId })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'API Kunde AS',
      segment: 'B',
      kamUserId: kam.userId,
    });
    const minimal = await api()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'Minimal AS' })
      .expect(201);
    expect(minimal.body).toMatchObject({ segment: null, kamUserId: null });

    const { body } = await api().get('/api/v1/accounts').set('Authorization', `Bearer ${key}`).expect(200);
    expect(body.accounts).toEqual([
      created.body,
      { id: minimal.body.id, name: 'Minimal AS', segment: null, kamUserId: null },
    ]);
  });

  it('answers 400 with fields for a bad body and for a KAM of another organisation', async () => {
    const a = await signUp(app);
    const b = await signUp(app);
    const key = await createApiKey(a.agent);
    const empty = await api()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: '' });
    expect(empty.status).toBe(400);
    expect(empty.body.error).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [{ field: 'name', message: expect.any(String) }],
    });

    const foreign = await organizationOf(b.email);
    const response = await api()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'X', kamUserId: foreign.userId });
    expect(response.status).toBe(400);
    expect(response.body.error.fields).toEqual([{ field: 'kamUserId', message: expect.any(String) }]);
    expect(await accountCount((await organizationOf(a.email)).organizationId)).toBe(0);
  });

  it('answers 409 CONFLICT for a duplicate name, and 401 without a key', async () => {
    const { agent } = await signUp(app);
    const key = await createApiKey(agent);
    await api()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'Twice' })
      .expect(201);
    const again = await api()
      .post('/api/v1/accounts')
      .set('Authorization', `Bearer ${key}`)
      .send({ name: 'TWICE' });
    expect(again.status).toBe(409);
    expect(again.body.error.code).toBe('CONFLICT');
    await api().post('/api/v1/accounts').send({ name: 'No key' }).expect(401);
  });
});
