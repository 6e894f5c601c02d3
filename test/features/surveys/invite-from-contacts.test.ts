import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, csrfFrom, submitForm, uniqueEmail } from '../../helpers/http.js';
import { setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ publicUrl: 'http://survey.example.no' });
});
afterAll(async () => {
  await app.close();
});

type Wave = Awaited<ReturnType<typeof setUpWave>>;

async function organizationOf(wave: Wave): Promise<string> {
  return (await wave.api.get('/api/v1/me').expect(200)).body.organization.id;
}

/** Adds a contact through the account page's form ('' for language: not known). Returns its id. */
async function addContact(
  agent: Agent,
  accountId: string,
  contact: { name: string; email: string; language: 'nb' | 'en' | '' },
): Promise<string> {
  const page = `/accounts/${accountId}`;
  const added = await submitForm(agent, page, `${page}/contacts`, contact);
  expect(added.status).toBe(303);
  const { id } = await app.db
    .selectFrom('contacts')
    .select('id')
    .where('account_id', '=', accountId)
    .where(sql<boolean>`lower(email) = lower(${contact.email})`)
    .executeTakeFirstOrThrow();
  return id;
}

async function addAccount(wave: Wave, name = `Kunde ${uniqueEmail('acc')}`): Promise<string> {
  return (await wave.api.post('/api/v1/accounts', { name }).expect(201)).body.id;
}

/** A user of the wave's organisation, inserted directly: how users are created is not this file's subject. */
async function addUser(wave: Wave, user: { name: string; active?: boolean }) {
  const email = uniqueEmail('user');
  const { id } = await app.db
    .insertInto('users')
    .values({
      organization_id: await organizationOf(wave),
      email,
      name: user.name,
      role: 'kam',
      password_hash: 'not-a-login',
      active: user.active ?? true,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { id, email };
}

function invitationsOf(surveyId: string) {
  return app.db
    .selectFrom('invitations')
    .select(['role', 'email', 'name', 'language', 'account_id', 'contact_id', 'user_id'])
    .where('survey_id', '=', surveyId)
    .orderBy('email')
    .execute();
}

/** The invite page with these accounts chosen, as its GET form sends them. */
function pickPage(wave: Wave, accountIds: readonly string[], lang?: 'en') {
  const query = new URLSearchParams(accountIds.map((id): [string, string] => ['accountIds', id]));
  if (lang) query.set('lang', lang);
  return `/surveys/${wave.surveyId}/invite?${query}`;
}

/** The `<li>` of the page that holds `text`. */
function itemWith(html: string, text: string): string {
  const item = [...html.matchAll(/<li>[\s\S]*?<\/li>/g)].map((m) => m[0]).find((li) => li.includes(text));
  if (!item) throw new Error(`no list item with ${text}`);
  return item;
}

/** Posts the invite form of `page` with the given ticks (contacts as `accountId:contactId`). */
async function postPick(
  agent: Agent,
  wave: Wave,
  page: string,
  form: { accountIds?: string[]; contacts?: string[]; userIds?: string[] },
) {
  const { text } = await agent.get(page).expect(200);
  const body = new URLSearchParams({ _csrf: csrfFrom(text) });
  for (const [field, values] of Object.entries(form)) for (const value of values) body.append(field, value);
  return agent.post(`/surveys/${wave.surveyId}/invite`).type('form').send(body.toString());
}

describe('GET /surveys/:id/invite — choosing accounts and seeing their contacts', () => {
  it('offers the accounts on the wave page in a GET form that works without JavaScript', async () => {
    const wave = await setUpWave(app);
    const page = await wave.admin.agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toContain(`<form method="get" action="/surveys/${wave.surveyId}/invite"`);
    expect(page.text).toContain(`name="accountIds" value="${wave.accountId}"`);
    expect(page.text).toContain('Velg kontakter og selgere');
  });

  it('ticks every contact of the chosen accounts, shows each one’s language (the wave’s when it has none) and flags role addresses', async () => {
    const wave = await setUpWave(app);
    const agent = wave.admin.agent;
    const other = await addAccount(wave);
    const ola = await addContact(agent, wave.accountId, {
      name: 'Ola',
      email: uniqueEmail('ola'),
      language: 'en',
    });
    const kari = await addContact(agent, wave.accountId, {
      name: 'Kari',
      email: uniqueEmail('kari'),
      language: '',
    });
    const post = await addContact(agent, wave.accountId, {
      name: '',
      email: 'post@kunde.no',
      language: 'nb',
    });
    await addContact(agent, other, { name: 'Ikke valgt', email: uniqueEmail('ikke'), language: 'nb' });

    const { text } = await agent.get(pickPage(wave, [wave.accountId])).expect(200);
    for (const id of [ola, kari, post]) {
      expect(text).toMatch(new RegExp(`value="${wave.accountId}:${id}" checked`));
      expect(text).toContain(`<label for="contact-${id}">`);
    }
    expect(text).not.toContain('Ikke valgt');
    expect(itemWith(text, 'Ola')).toContain('Engelsk');
    expect(itemWith(text, 'Kari')).toContain('Norsk (bokmål) (undersøkelsens språk)');
    expect(itemWith(text, 'post@kunde.no')).toContain('⚠ Generisk adresse');
    expect(itemWith(text, 'Ola')).not.toContain('Generisk adresse');
    expect(text).toMatch(/<fieldset[^>]*>\s*<legend>Kunde /);

    const account = await agent.get(`/accounts/${wave.accountId}`).expect(200);
    expect(account.text).toContain('<td>Ikke angitt (undersøkelsens språk)</td>');

    const english = await agent.get(pickPage(wave, [wave.accountId], 'en')).expect(200);
    expect(english.text).toContain('Invite from contacts and users');
    expect(itemWith(english.text, 'post@kunde.no')).toContain('⚠ Generic address');
    expect(itemWith(english.text, 'Kari')).toContain('Norwegian (Bokmål) (the survey’s language)');
  });

  it('shows contacts already invited to the wave without a box to tick', async () => {
    const wave = await setUpWave(app);
    const email = uniqueEmail('invitert');
    const id = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Invitert',
      email,
      language: 'nb',
    });
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', contactId: id }],
      })
      .expect(201);
    const { text } = await wave.admin.agent.get(pickPage(wave, [wave.accountId])).expect(200);
    expect(itemWith(text, 'Invitert')).toContain('allerede invitert');
    expect(text).not.toContain(`value="${wave.accountId}:${id}"`);
  });

  it('lists only the organisation’s own accounts and contacts, whatever ids the query names', async () => {
    const mine = await setUpWave(app);
    const theirs = await setUpWave(app, { organization: 'Andre AS' });
    await addContact(theirs.admin.agent, theirs.accountId, {
      name: 'Fremmed',
      email: uniqueEmail('fremmed'),
      language: 'nb',
    });
    const { text } = await mine.admin.agent.get(pickPage(mine, [theirs.accountId, 'not-an-id'])).expect(200);
    expect(text).not.toContain('Fremmed');
    expect(text).not.toContain(theirs.accountId);
    await theirs.admin.agent.get(`/surveys/${mine.surveyId}/invite`).expect(404);
  });
});

describe('POST /surveys/:id/invite — inviting the ticked contacts and users', () => {
  it('invites the ticked contacts with their name and language (the wave’s when none), linked to the contact, and redirects 303', async () => {
    const wave = await setUpWave(app);
    const agent = wave.admin.agent;
    const olaEmail = uniqueEmail('ola');
    const kariEmail = uniqueEmail('kari');
    const ola = await addContact(agent, wave.accountId, {
      name: 'Ola Nordmann',
      email: olaEmail,
      language: 'en',
    });
    const kari = await addContact(agent, wave.accountId, { name: 'Kari', email: kariEmail, language: '' });
    const unticked = await addContact(agent, wave.accountId, {
      name: 'Per',
      email: uniqueEmail('per'),
      language: 'nb',
    });

    const response = await postPick(agent, wave, pickPage(wave, [wave.accountId]), {
      accountIds: [wave.accountId],
      contacts: [`${wave.accountId}:${ola}`, `${wave.accountId}:${kari}`],
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toBe(`/surveys/${wave.surveyId}`);

    const rows = await invitationsOf(wave.surveyId);
    expect(rows).toEqual(
      [
        { email: olaEmail, name: 'Ola Nordmann', language: 'en', contact_id: ola },
        { email: kariEmail, name: 'Kari', language: 'nb', contact_id: kari },
      ]
        .map((row) => ({ role: 'customer', account_id: wave.accountId, user_id: null, ...row }))
        .sort((a, b) => a.email.localeCompare(b.email)),
    );
    expect(rows.map((row) => row.contact_id)).not.toContain(unticked);
    const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toContain(`Ola Nordmann &lt;${olaEmail}&gt;`);
    expect(page.text).toMatch(/data-testid="rate-customer">0 av 2/);
  });

  it('offers the organisation’s active users as sellers, unticked, and invites the ticked ones by name, linked to the user', async () => {
    const wave = await setUpWave(app);
    const sara = await addUser(wave, { name: 'Sara Selger' });
    const gone = await addUser(wave, { name: 'Sluttet Selger', active: false });
    const page = pickPage(wave, []);
    const { text } = await wave.admin.agent.get(page).expect(200);
    expect(text).toContain(`<input type="checkbox" id="user-${sara.id}" name="userIds" value="${sara.id}">`);
    expect(text).toContain(`<label for="user-${sara.id}">Sara Selger &lt;${sara.email}&gt;</label>`);
    expect(text).not.toContain('Sluttet Selger');

    const response = await postPick(wave.admin.agent, wave, page, { userIds: [sara.id] });
    expect(response.status).toBe(303);
    expect(await invitationsOf(wave.surveyId)).toEqual([
      {
        role: 'seller',
        email: sara.email,
        name: 'Sara Selger',
        language: 'nb',
        account_id: null,
        contact_id: null,
        user_id: sara.id,
      },
    ]);

    const inactive = await postPick(wave.admin.agent, wave, page, { userIds: [gone.id] });
    expect(inactive.status).toBe(400);
    expect(inactive.text).toContain('En avkrysset selger er ikke en aktiv bruker i organisasjonen.');
  });

  it('refuses a contact of another organisation with 400, keeps the ticks, and writes nothing at all', async () => {
    const mine = await setUpWave(app);
    const theirs = await setUpWave(app, { organization: 'Andre AS' });
    const own = await addContact(mine.admin.agent, mine.accountId, {
      name: 'Egen',
      email: uniqueEmail('egen'),
      language: 'nb',
    });
    const foreign = await addContact(theirs.admin.agent, theirs.accountId, {
      name: 'Fremmed',
      email: uniqueEmail('fremmed'),
      language: 'nb',
    });
    const before = await app.db.selectFrom('contacts').select('id').execute();
    for (const pair of [`${mine.accountId}:${foreign}`, `${theirs.accountId}:${foreign}`]) {
      const response = await postPick(mine.admin.agent, mine, pickPage(mine, [mine.accountId]), {
        accountIds: [mine.accountId],
        contacts: [`${mine.accountId}:${own}`, pair],
      });
      expect(response.status).toBe(400);
      expect(response.text).toContain('Ingen invitasjoner ble laget');
      expect(response.text).toContain('En avkrysset kontakt finnes ikke hos kundene deres.');
      expect(response.text).toMatch(new RegExp(`value="${mine.accountId}:${own}" checked`));
      expect(response.text).not.toContain('Fremmed');
    }
    expect(await invitationsOf(mine.surveyId)).toEqual([]);
    expect(await invitationsOf(theirs.surveyId)).toEqual([]);
    expect(await app.db.selectFrom('contacts').select('id').execute()).toHaveLength(before.length);
  });

  it('refuses a contact posted under another account of the organisation, next to that contact', async () => {
    const wave = await setUpWave(app);
    const other = await addAccount(wave);
    const email = uniqueEmail('annen');
    const contact = await addContact(wave.admin.agent, other, { name: 'Annen', email, language: 'nb' });
    const response = await postPick(wave.admin.agent, wave, pickPage(wave, [wave.accountId, other]), {
      accountIds: [wave.accountId, other],
      contacts: [`${wave.accountId}:${contact}`],
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain(`${email} er ikke kontakt hos den valgte kunden.`);
    expect(await invitationsOf(wave.surveyId)).toEqual([]);
  });

  it('refuses ids that are not ids, and an empty choice, with 400 and the form again', async () => {
    const wave = await setUpWave(app);
    const page = pickPage(wave, [wave.accountId]);
    const malformed = await postPick(wave.admin.agent, wave, page, {
      accountIds: [wave.accountId],
      contacts: ["x:1' or 1=1"],
    });
    expect(malformed.status).toBe(400);
    expect(malformed.text).toContain('Skjemaet inneholder et valg som ikke finnes');
    expect(malformed.text).toContain(`name="accountIds" value="${wave.accountId}" checked`);

    const nothing = await postPick(wave.admin.agent, wave, page, { accountIds: [wave.accountId] });
    expect(nothing.status).toBe(400);
    expect(nothing.text).toContain('Kryss av minst én kontakt eller selger.');
    expect(await invitationsOf(wave.surveyId)).toEqual([]);
  });

  it('invites an address once per wave: the same address on two accounts, or invited meanwhile, is refused by name', async () => {
    const wave = await setUpWave(app);
    const other = await addAccount(wave);
    const shared = uniqueEmail('delt');
    const first = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Delt',
      email: shared,
      language: 'nb',
    });
    const second = await addContact(wave.admin.agent, other, {
      name: 'Delt',
      email: shared.toUpperCase(),
      language: 'nb',
    });
    const page = pickPage(wave, [wave.accountId, other]);
    const twice = await postPick(wave.admin.agent, wave, page, {
      accountIds: [wave.accountId, other],
      contacts: [`${wave.accountId}:${first}`, `${other}:${second}`],
    });
    expect(twice.status).toBe(400);
    // The address as the second account stores it (the domain in lower case).
    const stored = shared.toUpperCase().replace(/@EXAMPLE\.NO$/, '@example.no');
    expect(twice.text).toContain(`${stored} er krysset av to ganger`);
    expect(await invitationsOf(wave.surveyId)).toEqual([]);

    // Invited by someone else after this page was shown.
    const stale = await wave.admin.agent.get(page).expect(200);
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', contactId: first }],
      })
      .expect(201);
    const meanwhile = await wave.admin.agent
      .post(`/surveys/${wave.surveyId}/invite`)
      .type('form')
      .send(
        new URLSearchParams([
          ['_csrf', csrfFrom(stale.text)],
          ['accountIds', wave.accountId],
          ['contacts', `${wave.accountId}:${first}`],
        ]).toString(),
      );
    expect(meanwhile.status).toBe(400);
    expect(meanwhile.text).toContain(`${shared} er allerede invitert til denne undersøkelsen.`);
    expect(await invitationsOf(wave.surveyId)).toHaveLength(1);
  });

  it('needs the form’s CSRF token', async () => {
    const wave = await setUpWave(app);
    const contact = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Uten token',
      email: uniqueEmail('csrf'),
      language: 'nb',
    });
    const response = await wave.admin.agent
      .post(`/surveys/${wave.surveyId}/invite`)
      .type('form')
      .send({ accountIds: wave.accountId, contacts: `${wave.accountId}:${contact}` });
    expect(response.status).toBe(403);
    expect(await invitationsOf(wave.surveyId)).toEqual([]);
  });
});

describe('POST /surveys/:id/invitations — typed addresses', () => {
  it('shows an invalid address as an error of the address field, with the line, and keeps what was typed', async () => {
    const wave = await setUpWave(app);
    const path = `/surveys/${wave.surveyId}`;
    const response = await submitForm(wave.admin.agent, path, `${path}/invitations`, {
      role: 'seller',
      emails: `ok.${uniqueEmail()}\nikke-en-adresse`,
      language: 'en',
    });
    expect(response.status).toBe(400);
    expect(response.text).toMatch(
      /<textarea id="emails" name="emails" rows="5" aria-invalid="true" aria-describedby="emails-error">/,
    );
    expect(response.text).toMatch(
      /<p class="field-error" id="emails-error">.*Ugyldig linje: ikke-en-adresse<\/p>/,
    );
    expect(response.text).toContain('<option value="en" selected>');
    expect(await invitationsOf(wave.surveyId)).toEqual([]);
  });

  it('names an address that is already invited instead of failing', async () => {
    const wave = await setUpWave(app);
    const email = uniqueEmail('to-ganger');
    const path = `/surveys/${wave.surveyId}`;
    const form = { role: 'seller', emails: email, language: '' };
    expect((await submitForm(wave.admin.agent, path, `${path}/invitations`, form)).status).toBe(303);
    const again = await submitForm(wave.admin.agent, path, `${path}/invitations`, form);
    expect(again.status).toBe(400);
    expect(again.text).toContain(`${email} er allerede invitert til denne undersøkelsen.`);
    expect(await invitationsOf(wave.surveyId)).toHaveLength(1);
  });
});

describe('POST /api/v1/surveys/:id/invitations — existing contacts and users', () => {
  it('given a contactId, takes the contact’s address, account, name and language', async () => {
    const wave = await setUpWave(app);
    const email = uniqueEmail('kontakt');
    const contactId = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Åse Lie',
      email,
      language: 'en',
    });
    const { body } = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', contactId }],
      })
      .expect(201);
    expect(body.invitations).toEqual([
      {
        id: expect.any(String),
        role: 'customer',
        email,
        name: 'Åse Lie',
        language: 'en',
        accountId: wave.accountId,
        contactId,
        userId: null,
        url: expect.stringMatching(/^http:\/\/survey\.example\.no\/r\/[A-Za-z0-9_-]{43}$/),
      },
    ]);
    expect(await invitationsOf(wave.surveyId)).toEqual([
      {
        role: 'customer',
        email,
        name: 'Åse Lie',
        language: 'en',
        account_id: wave.accountId,
        contact_id: contactId,
        user_id: null,
      },
    ]);
  });

  it('given an email of a contact of the account (in any case), takes the contact’s name and language unless given', async () => {
    const wave = await setUpWave(app);
    const known = uniqueEmail('kjent');
    const named = uniqueEmail('navngitt');
    const knownId = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Kjent',
      email: known,
      language: 'en',
    });
    const namedId = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Gammelt navn',
      email: named,
      language: 'en',
    });
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [
          { role: 'customer', email: known.toUpperCase(), accountId: wave.accountId },
          { role: 'customer', email: named, accountId: wave.accountId, name: 'Nytt navn', language: 'nb' },
        ],
      })
      .expect(201);
    const rows = await invitationsOf(wave.surveyId);
    expect(rows.find((row) => row.contact_id === knownId)).toMatchObject({
      email: known,
      name: 'Kjent',
      language: 'en',
    });
    expect(rows.find((row) => row.contact_id === namedId)).toMatchObject({
      name: 'Nytt navn',
      language: 'nb',
    });
    const contacts = await app.db
      .selectFrom('contacts')
      .select('id')
      .where('account_id', '=', wave.accountId)
      .execute();
    expect(contacts).toHaveLength(2);
  });

  it('adds a new address as a contact without a language, so each later wave uses its own', async () => {
    const wave = await setUpWave(app);
    const email = uniqueEmail('ny');
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'customer', email, name: 'Ny Kontakt', accountId: wave.accountId }],
      })
      .expect(201);
    const contact = await app.db
      .selectFrom('contacts')
      .select(['id', 'name', 'language'])
      .where('account_id', '=', wave.accountId)
      .executeTakeFirstOrThrow();
    expect(contact).toMatchObject({ name: 'Ny Kontakt', language: null });
    expect((await invitationsOf(wave.surveyId))[0]).toMatchObject({ language: 'nb', contact_id: contact.id });

    const english = await wave.api.post('/api/v1/surveys', { name: 'Autumn', language: 'en' }).expect(201);
    const { body } = await wave.api
      .post(`/api/v1/surveys/${english.body.id}/invitations`, {
        invitations: [{ role: 'customer', contactId: contact.id }],
      })
      .expect(201);
    expect(body.invitations[0]).toMatchObject({ email, name: 'Ny Kontakt', language: 'en' });
  });

  it.each([
    ['a contact of another organisation', 'foreign', 'invitations.0.contactId', 'Unknown contact'],
    [
      'a contact under another account',
      'otherAccount',
      'invitations.0.contactId',
      'The contact belongs to another account',
    ],
    [
      'an email that is not the contact’s',
      'otherEmail',
      'invitations.0.email',
      'Not the address of this contact',
    ],
  ] as const)('refuses %s with 400 and writes nothing', async (_label, kind, field, message) => {
    const wave = await setUpWave(app);
    const theirs = await setUpWave(app, { organization: 'Andre AS' });
    const other = await addAccount(wave);
    const own = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Egen',
      email: uniqueEmail(),
      language: 'nb',
    });
    const foreign = await addContact(theirs.admin.agent, theirs.accountId, {
      name: 'Fremmed',
      email: uniqueEmail(),
      language: 'nb',
    });
    const bad = {
      foreign: { role: 'customer', contactId: foreign },
      otherAccount: { role: 'customer', contactId: own, accountId: other },
      otherEmail: { role: 'customer', contactId: own, email: uniqueEmail('feil') },
    }[kind];
    const response = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [bad, { role: 'seller', email: uniqueEmail('selger') }],
      })
      .expect(400);
    expect(response.body.error).toMatchObject({ code: 'BAD_REQUEST', fields: [{ field, message }] });
    expect(await invitationsOf(wave.surveyId)).toEqual([]);
  });

  it('refuses an address already invited to the wave with 409 naming it; once revoked, it can be invited again', async () => {
    const wave = await setUpWave(app);
    const email = uniqueEmail('igjen');
    const contactId = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Igjen',
      email,
      language: 'nb',
    });
    const url = `/api/v1/surveys/${wave.surveyId}/invitations`;
    const first = await wave.api.post(url, { invitations: [{ role: 'customer', contactId }] }).expect(201);
    const again = await wave.api
      .post(url, {
        invitations: [
          { role: 'seller', email: uniqueEmail('ny') },
          { role: 'customer', email: email.toUpperCase(), accountId: wave.accountId },
        ],
      })
      .expect(409);
    expect(again.body.error).toEqual({
      code: 'CONFLICT',
      // The address is the contact's, as the account stores it.
      message: `Already invited to this wave: ${email}`,
      fields: [{ field: 'invitations.1.email', message: 'Already invited to this wave' }],
    });
    expect(await invitationsOf(wave.surveyId)).toHaveLength(1);

    const path = `/surveys/${wave.surveyId}`;
    const revoked = await submitForm(
      wave.admin.agent,
      path,
      `${path}/invitations/${first.body.invitations[0].id}/revoke`,
      {},
    );
    expect(revoked.status).toBe(303);
    await wave.api.post(url, { invitations: [{ role: 'customer', contactId }] }).expect(201);
  });

  it('given a userId, invites the user as a seller by their name and address; a user of another organisation is refused', async () => {
    const wave = await setUpWave(app);
    const theirs = await setUpWave(app, { organization: 'Andre AS' });
    const sara = await addUser(wave, { name: 'Sara Selger' });
    const stranger = await addUser(theirs, { name: 'Fremmed Selger' });
    const url = `/api/v1/surveys/${wave.surveyId}/invitations`;
    const refused = await wave.api
      .post(url, { invitations: [{ role: 'seller', userId: stranger.id }] })
      .expect(400);
    expect(refused.body.error.fields).toEqual([{ field: 'invitations.0.userId', message: 'Unknown user' }]);
    const { body } = await wave.api
      .post(url, { invitations: [{ role: 'seller', userId: sara.id }] })
      .expect(201);
    expect(body.invitations[0]).toMatchObject({
      role: 'seller',
      email: sara.email,
      name: 'Sara Selger',
      userId: sara.id,
    });
  });

  it('refuses a contactId for a seller and a userId for a customer', async () => {
    const wave = await setUpWave(app);
    const url = `/api/v1/surveys/${wave.surveyId}/invitations`;
    const contactId = await addContact(wave.admin.agent, wave.accountId, {
      name: 'K',
      email: uniqueEmail(),
      language: 'nb',
    });
    const sara = await addUser(wave, { name: 'Sara' });
    await wave.api.post(url, { invitations: [{ role: 'seller', contactId }] }).expect(400);
    await wave.api
      .post(url, { invitations: [{ role: 'customer', userId: sara.id, accountId: wave.accountId }] })
      .expect(400);
    expect(await invitationsOf(wave.surveyId)).toEqual([]);
  });
});
