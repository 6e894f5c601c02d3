import { createHmac, hkdfSync } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../../server/features/auth/organizations.service.js';
import { deliver } from '../../../server/features/email/email.service.js';
import { optOutKey, optOutToken } from '../../../server/features/email/opt-out-links.js';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, browser, createApiKey, csrfFrom, submitForm, uniqueEmail } from '../../helpers/http.js';
import { apiClient, customerAnswers, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type Wave = Awaited<ReturnType<typeof setUpWave>>;

/** The keyed hash the audit log and erased opt-outs must hold, computed here from the documented recipe. */
function expectedHash(email: string): Buffer {
  const key = Buffer.from(
    hkdfSync('sha256', app.config.sessionSecret, 'viktig-dyktig', 'privacy hashes v1', 32),
  );
  return createHmac('sha256', key).update(email.toLowerCase()).digest();
}

async function organizationOf(wave: Wave): Promise<string> {
  return (await wave.api.get('/api/v1/me').expect(200)).body.organization.id;
}

async function addContact(agent: Agent, accountId: string, contact: { name: string; email: string }) {
  const page = `/accounts/${accountId}`;
  const added = await submitForm(agent, page, `${page}/contacts`, { ...contact, language: 'nb' });
  expect(added.status).toBe(303);
  const { id } = await app.db
    .selectFrom('contacts')
    .select('id')
    .where('account_id', '=', accountId)
    .where(sql<boolean>`lower(email) = lower(${contact.email})`)
    .executeTakeFirstOrThrow();
  return id;
}

async function member(organizationId: string, role: 'kam' | 'manager') {
  const email = uniqueEmail(role);
  const password = `${role} password 123`;
  await createMember(app.db, organizationId, { email, name: `${role} person`, role, password });
  const agent = browser(app);
  const login = await submitForm(agent, '/login', '/login', { email, password });
  if (login.status !== 303) throw new Error(`login failed: ${login.status}`);
  return { agent, api: apiClient(app, await createApiKey(agent)) };
}

/**
 * Every text, varchar, json(b) and array column of every table in the public schema that contains `needle`
 * (case-insensitively) — in rows of any organisation but `except`, which keeps its own copy of the address.
 */
async function whereAddressIs(needle: string, except: string): Promise<string[]> {
  const { rows: columns } = await sql<{ table_name: string; column_name: string; tenant: boolean }>`
    select c.table_name, c.column_name,
           exists (select 1 from information_schema.columns o where o.table_schema = 'public'
                   and o.table_name = c.table_name and o.column_name = 'organization_id') as tenant
    from information_schema.columns c
    join information_schema.tables t on t.table_schema = c.table_schema and t.table_name = c.table_name
    where c.table_schema = 'public' and t.table_type = 'BASE TABLE'
      and c.data_type in ('text', 'character varying', 'character', 'json', 'jsonb', 'ARRAY', 'USER-DEFINED')
    order by 1, 2`.execute(app.db);
  expect(columns.length).toBeGreaterThan(20);
  expect(columns).toContainEqual({ table_name: 'invitations', column_name: 'email', tenant: true });
  const found: string[] = [];
  for (const { table_name, column_name, tenant } of columns) {
    const others = tenant ? sql`organization_id is distinct from ${except}` : sql`true`;
    const { rows } = await sql<{ n: string }>`select count(*) as n from ${sql.table(table_name)}
      where strpos(lower(${sql.ref(column_name)}::text), lower(${needle})) > 0 and ${others}`.execute(app.db);
    if (Number(rows[0]?.n) > 0) found.push(`${table_name}.${column_name}`);
  }
  return found;
}

/** Every row of every public table (but the audit log and what a request's authentication touches), hashed. */
async function dump(): Promise<Record<string, string>> {
  const { rows: tables } = await sql<{ table_name: string }>`
    select table_name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'
      and table_name not in ('audit_log', 'api_keys', 'sessions', 'kysely_migration', 'kysely_migration_lock')
    order by 1`.execute(app.db);
  const result: Record<string, string> = {};
  for (const { table_name } of tables) {
    const { rows } = await sql<{ n: string; digest: string | null }>`
      select count(*) as n, md5(string_agg(t::text, '|' order by t::text)) as digest
      from ${sql.table(table_name)} t`.execute(app.db);
    result[table_name] = `${rows[0]?.n}:${rows[0]?.digest}`;
  }
  return result;
}

describe('privacy requests', () => {
  // Per Person is a contact of an account, invited to two waves, who answered the first (saved, then
  // submitted: two revisions) and opted out of email. Another customer answered too. Another organisation
  // has a contact with the same address.
  const personEmail = `Per.Person.${process.pid}@Example.no`;
  let wave: Wave;
  let organizationId: string;
  let secondSurveyId: string;
  let contactId: string;
  let personPaths: string[];
  let otherOrgContactId: string;
  let otherOrganizationId: string;
  let reportBefore: unknown;

  beforeAll(async () => {
    wave = await setUpWave(app, { organization: 'Leverandør AS' });
    organizationId = await organizationOf(wave);
    contactId = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Per Person',
      email: personEmail,
    });
    const second = await wave.api.post('/api/v1/surveys', { name: 'Vår 2027' }).expect(201);
    secondSurveyId = second.body.id;
    const otherAccount = await wave.api.post('/api/v1/accounts', { name: 'Annen Kunde AS' }).expect(201);

    personPaths = [];
    let otherPath = '';
    for (const surveyId of [wave.surveyId, secondSurveyId]) {
      const invited = await wave.api
        .post(`/api/v1/surveys/${surveyId}/invitations`, {
          invitations: [
            { role: 'customer', contactId },
            ...(surveyId === wave.surveyId
              ? [
                  {
                    role: 'customer',
                    email: uniqueEmail('kunde'),
                    name: 'Kim',
                    accountId: otherAccount.body.id,
                  },
                ]
              : []),
          ],
        })
        .expect(201);
      personPaths.push(new URL(invited.body.invitations[0].url).pathname);
      if (surveyId === wave.surveyId) otherPath = new URL(invited.body.invitations[1].url).pathname;
      await wave.api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
    }

    const answers = customerAnswers(wave.criteria, 9);
    const [firstPath = ''] = personPaths;
    await supertest(app.server)
      .post(firstPath)
      .send({ answers: answers.slice(0, 3), comment: 'Bra, men treg', submit: false })
      .expect(200);
    await supertest(app.server)
      .post(firstPath)
      .send({
        answers,
        comment: `Bra service. Svar meg gjerne på ${personEmail.toUpperCase()}`,
        submit: true,
      })
      .expect(200);
    await supertest(app.server)
      .post(otherPath)
      .send({ answers: customerAnswers(wave.criteria, 6), comment: 'Ok', submit: true })
      .expect(200);

    // The person opts out through the link in their first invitation email.
    const message = await app.db
      .selectFrom('email_messages as m')
      .innerJoin('invitations as i', (join) =>
        join.onRef('i.organization_id', '=', 'm.organization_id').onRef('i.id', '=', 'm.invitation_id'),
      )
      .select('m.id')
      .where('m.organization_id', '=', organizationId)
      .where('i.contact_id', '=', contactId)
      .where('m.survey_id', '=', wave.surveyId)
      .executeTakeFirstOrThrow();
    const optOutPath = `/u/${optOutToken(optOutKey(app.config.sessionSecret), organizationId, message.id)}`;
    await supertest(app.server).post(optOutPath).expect(200);

    const other = await setUpWave(app, { organization: 'Konkurrent AS' });
    otherOrganizationId = await organizationOf(other);
    otherOrgContactId = await addContact(other.admin.agent, other.accountId, {
      name: 'Per i et annet firma',
      email: personEmail.toLowerCase(),
    });

    reportBefore = (await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200)).body;
  });

  it('exports everything stored about the address, whatever its case, without links', async () => {
    const response = await wave.api
      .get(`/api/v1/privacy/export?email=${encodeURIComponent(personEmail.toUpperCase())}`)
      .expect(200);
    const data = response.body;
    expect(data.email).toBe(personEmail.toLowerCase());
    expect(data.contacts).toHaveLength(1);
    expect(data.contacts[0]).toMatchObject({ id: contactId, name: 'Per Person', accountId: wave.accountId });
    expect(data.contacts[0].email.toLowerCase()).toBe(personEmail.toLowerCase());
    expect(data.invitations).toHaveLength(2);
    expect(data.invitations.map((i: { surveyId: string }) => i.surveyId).sort()).toEqual(
      [wave.surveyId, secondSurveyId].sort(),
    );
    for (const invitation of data.invitations) {
      expect(invitation).toMatchObject({ role: 'customer', name: 'Per Person', contactId, language: 'nb' });
      expect(invitation).toHaveProperty('openedAt');
      expect(invitation).toHaveProperty('revokedAt');
    }
    expect(data.responses).toHaveLength(1);
    const [response0] = data.responses;
    expect(response0).toMatchObject({
      surveyId: wave.surveyId,
      status: 'submitted',
      accountId: wave.accountId,
    });
    expect(response0.comment).toContain('Bra service');
    expect(
      response0.revisions.map((r: { version: number; status: string }) => [r.version, r.status]),
    ).toEqual([
      [1, 'in_progress'],
      [2, 'submitted'],
    ]);
    expect(response0.revisions[0].comment).toBe('Bra, men treg');
    const customerCriteria = wave.criteria.filter((c) => c.audience === 'both').length;
    expect(response0.answers).toHaveLength(customerCriteria * 2);
    expect(response0.answers.filter((a: { dimension: string }) => a.dimension === 'importance')).toHaveLength(
      customerCriteria,
    );
    expect(response0.answers.every((a: { score: number }) => a.score === 9 || a.score === 8)).toBe(true);
    // One invitation email per wave, queued when it opened.
    expect(data.emailMessages).toHaveLength(2);
    expect(data.emailMessages.every((m: { kind: string }) => m.kind === 'invitation')).toBe(true);
    expect(data.optOuts).toEqual([{ createdAt: expect.any(String), storedAs: 'address' }]);
    expect(data.accountEmails).toEqual([]);
    expect(data.userAccount).toBeNull();

    // No link, token, salt or hash, and nothing of the other organisation.
    const text = JSON.stringify(data);
    for (const path of personPaths) expect(text).not.toContain(path.split('/').pop());
    expect(text).not.toMatch(/token|salt|\/r\//i);
    expect(text).not.toContain(otherOrgContactId);
    expect(text).not.toContain('Per i et annet firma');
  });

  it('answers 400 for an address that is not one, and 403 to managers and KAMs on both endpoints', async () => {
    const bad = await wave.api.get('/api/v1/privacy/export?email=not-an-address').expect(400);
    expect(bad.body.error.code).toBe('BAD_REQUEST');
    await wave.api.post('/api/v1/privacy/erase', {}).expect(400);
    for (const role of ['manager', 'kam'] as const) {
      const other = await member(organizationId, role);
      const exported = await other.api
        .get(`/api/v1/privacy/export?email=${encodeURIComponent(personEmail)}`)
        .expect(403);
      expect(exported.body.error.code).toBe('FORBIDDEN');
      await other.api.post('/api/v1/privacy/erase', { email: personEmail }).expect(403);
      await other.agent.get('/settings/privacy').expect(403);
    }
    expect(await whereAddressIs(personEmail, otherOrganizationId)).toEqual([
      'contacts.email',
      'email_opt_outs.email',
      'invitations.email',
      'response_revisions.comment',
      'responses.comment',
    ]);
  });

  it('erases an unknown address with {"erased":0} and changes nothing but recording the request', async () => {
    const before = await dump();
    const auditBefore = await app.db.selectFrom('audit_log').select('id').execute();
    const unknown = 'nobody.here@example.no';
    const response = await wave.api.post('/api/v1/privacy/erase', { email: unknown }).expect(200);
    expect(response.body.erased).toBe(0);
    expect(response.body).toMatchObject({ contacts: 0, invitations: 0, responses: 0, userAccount: 'none' });
    expect(await dump()).toEqual(before);
    const auditAfter = await app.db
      .selectFrom('audit_log')
      .select(['id', 'action', 'subject_hash'])
      .where(
        'id',
        'not in',
        auditBefore.map((row) => row.id),
      )
      .execute();
    expect(auditAfter).toEqual([
      { id: expect.any(String), action: 'privacy_erase', subject_hash: expectedHash(unknown) },
    ]);
  });

  it('erases the address: no table holds it, the report is the same, the export is empty, the link is dead', async () => {
    const response = await wave.api
      .post('/api/v1/privacy/erase', { email: personEmail.toUpperCase() })
      .expect(200);
    expect(response.body).toEqual({
      erased: 1 + 2 + 1 + 2 + 2 + 0 + 1,
      contacts: 1,
      invitations: 2,
      responses: 1,
      responseRevisions: 2,
      emailMessages: 2,
      accountEmails: 0,
      optOuts: 1,
      userAccount: 'none',
    });

    expect(await whereAddressIs(personEmail, otherOrganizationId)).toEqual([]);
    expect(await whereAddressIs('Per Person', otherOrganizationId)).toEqual([]);

    const reportAfter = (await wave.api.get(`/api/v1/surveys/${wave.surveyId}/report`).expect(200)).body;
    expect(reportAfter).toEqual(reportBefore);
    expect(reportAfter.responseRate.customer).toEqual({ invited: 2, responded: 2 });
    // The comment stays, without the address in it.
    const comments = await app.db
      .selectFrom('responses')
      .select('comment')
      .where('organization_id', '=', organizationId)
      .where('erased_at', 'is not', null)
      .execute();
    expect(comments).toEqual([{ comment: 'Bra service. Svar meg gjerne på […]' }]);

    const exported = await wave.api
      .get(`/api/v1/privacy/export?email=${encodeURIComponent(personEmail)}`)
      .expect(200);
    expect(exported.body).toMatchObject({
      contacts: [],
      invitations: [],
      responses: [],
      emailMessages: [],
      accountEmails: [],
      userAccount: null,
    });
    // The opt-out is kept, as a keyed hash: the one thing left, so that it is still honoured.
    expect(exported.body.optOuts).toEqual([{ createdAt: expect.any(String), storedAs: 'keyed_hash' }]);

    for (const path of personPaths) {
      const page = await supertest(app.server).get(path);
      expect(page.status).toBe(404);
      expect(page.text).not.toContain('Bra service');
    }

    // The response and its answers are still there, anonymous; the invitation counts as before.
    const invitations = await app.db
      .selectFrom('invitations')
      .select(['email', 'name', 'contact_id', 'erased_at', 'account_id'])
      .where('organization_id', '=', organizationId)
      .where('erased_at', 'is not', null)
      .execute();
    expect(invitations).toHaveLength(2);
    for (const invitation of invitations) {
      expect(invitation.email).toMatch(/^erased-[0-9a-f-]{36}@invalid$/);
      expect(invitation).toMatchObject({ name: null, contact_id: null, account_id: wave.accountId });
    }
    // The wave's listing says so and offers no link, and no new link can be drawn for them.
    const listed = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/invitations`).expect(200);
    const erased = listed.body.invitations.filter(
      (invitation: { status: string }) => invitation.status === 'erased',
    );
    expect(erased.length).toBeGreaterThan(0);
    for (const invitation of erased) expect(invitation.url).toBeNull();
    const page = await wave.admin.agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toContain('Personopplysninger slettet');
    const hashOf = async (id: string) =>
      (
        await app.db
          .selectFrom('invitations')
          .select('token_hash')
          .where('id', '=', id)
          .executeTakeFirstOrThrow()
      ).token_hash;
    const before = await hashOf(erased[0].id);
    const renewed = await submitForm(
      wave.admin.agent,
      `/surveys/${wave.surveyId}`,
      `/surveys/${wave.surveyId}/invitations/${erased[0].id}/renew`,
      {},
    );
    expect(renewed.status).toBe(404);
    expect((await hashOf(erased[0].id)).equals(before)).toBe(true);

    // Running the wave again invites nobody in their place: they are listed as skipped, erased.
    const copy = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);
    const erasedIds = new Set(erased.map((invitation: { id: string }) => invitation.id));
    expect(copy.body.invitations.some((i: { email: string }) => i.email.endsWith('@invalid'))).toBe(false);
    const skippedErased = copy.body.skipped.filter((s: { reason: string }) => s.reason === 'erased');
    expect(skippedErased.map((s: { invitationId: string }) => s.invitationId).sort()).toEqual(
      [...erasedIds].sort(),
    );
  });

  it('leaves another organisation’s contact with the same address untouched', async () => {
    const contact = await app.db
      .selectFrom('contacts')
      .select(['name', 'email'])
      .where('id', '=', otherOrgContactId)
      .executeTakeFirst();
    expect(contact).toEqual({ name: 'Per i et annet firma', email: personEmail.toLowerCase() });
  });

  it('records the requests in the audit log by a keyed hash, never the address', async () => {
    const rows = await app.db
      .selectFrom('audit_log')
      .select(['action', 'user_id', 'subject_hash', 'detail'])
      .where('organization_id', '=', organizationId)
      .where('subject_hash', '=', expectedHash(personEmail))
      .orderBy('at')
      .execute();
    expect(rows.map((row) => row.action)).toEqual(['privacy_export', 'privacy_erase', 'privacy_export']);
    expect(rows[1]?.detail).toMatchObject({ erased: 9, contacts: 1, invitations: 2 });
    expect(rows.every((row) => row.user_id !== null)).toBe(true);
    // The audit log can be appended to only.
    await expect(sql`update audit_log set action = 'x'`.execute(app.db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_log`.execute(app.db)).rejects.toThrow(/append-only/);
  });

  it('still honours the opt-out when the address comes back as a new contact', async () => {
    const newContact = await addContact(wave.admin.agent, wave.accountId, {
      name: 'Per igjen',
      email: personEmail,
    });
    const third = await wave.api.post('/api/v1/surveys', { name: 'Høst 2027' }).expect(201);
    await wave.api
      .post(`/api/v1/surveys/${third.body.id}/invitations`, {
        invitations: [{ role: 'customer', contactId: newContact }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${third.body.id}/open`).expect(200);
    const message = await app.db
      .selectFrom('email_messages')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('survey_id', '=', third.body.id)
      .executeTakeFirstOrThrow();
    const sent: unknown[] = [];
    const outcome = await deliver(
      app.db,
      {
        publicUrl: app.config.publicUrl,
        sessionSecret: app.config.sessionSecret,
        mailFrom: app.config.mailFrom,
      },
      async (email) => {
        sent.push(email);
      },
      { organizationId, messageId: message.id },
      3,
    );
    expect(outcome).toBe('skipped');
    expect(sent).toEqual([]);
    const row = await app.db
      .selectFrom('email_messages')
      .select(['status', 'last_error'])
      .where('id', '=', message.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'skipped', last_error: 'opted out' });
  });
});

describe('the privacy page', () => {
  it('looks an address up, offers the JSON and erases it after a confirmation step (admins only)', async () => {
    const wave = await setUpWave(app, { organization: 'Side AS' });
    const email = uniqueEmail('side');
    await addContact(wave.admin.agent, wave.accountId, { name: 'Siri Side', email });
    const agent = wave.admin.agent;

    const settings = await agent.get('/settings/organization').expect(200);
    expect(settings.text).toContain('href="/settings/privacy"');

    const invalid = await submitForm(agent, '/settings/privacy', '/settings/privacy/lookup', {
      email: 'nope',
    });
    expect(invalid.status).toBe(400);
    expect(invalid.text).toContain('aria-invalid="true"');

    const lookup = await submitForm(agent, '/settings/privacy', '/settings/privacy/lookup', { email });
    expect(lookup.status).toBe(200);
    expect(lookup.text).toMatch(/<th scope="row">Kontakter<\/th><td class="num">1<\/td>/);
    expect(lookup.text).toContain('action="/settings/privacy/export"');

    const csrf = csrfFrom(lookup.text);
    const download = await agent.post('/settings/privacy/export').type('form').send({ _csrf: csrf, email });
    expect(download.status).toBe(200);
    expect(download.headers['content-disposition']).toBe('attachment; filename="personal-data.json"');
    expect(JSON.parse(download.text).contacts[0].name).toBe('Siri Side');

    const confirm = await agent
      .post('/settings/privacy/erase/confirm')
      .type('form')
      .send({ _csrf: csrf, email });
    expect(confirm.status).toBe(200);
    expect(confirm.text).toContain('name="confirm" value="yes"');
    // Without the confirmation nothing is erased.
    const unconfirmed = await agent.post('/settings/privacy/erase').type('form').send({ _csrf: csrf, email });
    expect(unconfirmed.status).toBe(400);
    expect(
      await app.db.selectFrom('contacts').select('id').where('email', '=', email).execute(),
    ).toHaveLength(1);

    const erased = await agent
      .post('/settings/privacy/erase')
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text), email, confirm: 'yes' });
    expect(erased.status).toBe(303);
    expect(erased.headers.location).toBe('/settings/privacy?erased=1');
    expect(await app.db.selectFrom('contacts').select('id').where('email', '=', email).execute()).toEqual([]);

    const page = await agent.get('/settings/privacy?erased=1').expect(200);
    expect(page.text).toContain('Slettet: 1 poster endret.');
    expect(page.text).toContain('<th scope="col">Hvem</th>');
    expect(page.text).toContain('Sletting');
    expect(page.text).toContain('Innsyn: eksport');
    expect(page.text).not.toContain(email);
  });
});

describe('the audit log of exports', () => {
  it('records the report CSV (each layout), the PDF and the actions CSV with who and which wave; not a refused one', async () => {
    const wave = await setUpWave(app, { organization: 'Eksport AS' });
    const organizationId = await organizationOf(wave);
    const get = (path: string) => wave.admin.agent.get(path);
    await get(`/surveys/${wave.surveyId}/export.csv`).expect(200);
    await get(`/surveys/${wave.surveyId}/export.csv?layout=wide`).expect(200);
    await get(`/surveys/${wave.surveyId}/export.csv?layout=nonsense`).expect(400);
    await get(`/surveys/${wave.surveyId}/report.pdf`).expect(200);
    await get(`/surveys/${wave.surveyId}/actions.csv`).expect(200);
    const rows = await app.db
      .selectFrom('audit_log')
      .innerJoin('users', (join) =>
        join
          .onRef('users.organization_id', '=', 'audit_log.organization_id')
          .onRef('users.id', '=', 'audit_log.user_id'),
      )
      .select(['audit_log.action', 'audit_log.survey_id', 'audit_log.detail', 'users.email'])
      .where('audit_log.organization_id', '=', organizationId)
      .orderBy('audit_log.at')
      .execute();
    expect(rows).toEqual([
      {
        action: 'report_export_csv',
        survey_id: wave.surveyId,
        detail: { layout: 'long' },
        email: wave.admin.email,
      },
      {
        action: 'report_export_csv',
        survey_id: wave.surveyId,
        detail: { layout: 'wide' },
        email: wave.admin.email,
      },
      { action: 'report_export_pdf', survey_id: wave.surveyId, detail: {}, email: wave.admin.email },
      { action: 'actions_export_csv', survey_id: wave.surveyId, detail: {}, email: wave.admin.email },
    ]);
  });
});
