import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseWelcomePassword } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, createApiKey, csrfFrom, submitForm, uniqueEmail } from '../../helpers/http.js';
import { apiClient, type SurveyCriterion, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ publicUrl: 'http://survey.example.no' });
});
afterAll(async () => {
  await app.close();
});

interface Invitation {
  id: string;
  role: 'customer' | 'seller';
  email: string;
  name: string | null;
  language: 'nb' | 'en';
  accountId: string | null;
  contactId: string | null;
  userId: string | null;
  status: string;
  url: string | null;
}

type Wave = Awaited<ReturnType<typeof setUpWave>>;

/** The response, after checking its status (submitForm resolves to a plain response). */
function expectStatus<T extends { status: number }>(response: T, status: number): T {
  expect(response.status).toBe(status);
  return response;
}

const pathOf = (url: string) => new URL(url).pathname;
const organizationOf = async (wave: Wave) =>
  (await wave.api.get('/api/v1/me').expect(200)).body.organization.id as string;

/** A user of the wave's organisation, added on the users page and given a password; returns id and browser. */
async function addUser(wave: Wave, role: 'kam' | 'manager', name: string) {
  const email = uniqueEmail(role);
  await expectStatus(await submitForm(wave.admin.agent, '/users', '/users', { name, email, role }), 303);
  await chooseWelcomePassword(app, email, 'a password of the user');
  const user = await app.db
    .selectFrom('users')
    .select('id')
    .where('email', '=', email.toLowerCase())
    .executeTakeFirstOrThrow();
  const agent = supertest.agent(app.server);
  await expectStatus(
    await submitForm(agent, '/login', '/login', { email, password: 'a password of the user' }),
    303,
  );
  return { id: user.id, email: email.toLowerCase(), agent };
}

/** A wave with two customers (one in English) and two sellers (one a user), opened. */
async function waveWithInvitees(wave: Wave) {
  const seller = await addUser(wave, 'kam', 'Siri Selger');
  const { body } = await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        { role: 'customer', email: uniqueEmail('kari'), name: 'Kari Kunde', accountId: wave.accountId },
        { role: 'customer', email: uniqueEmail('ken'), accountId: wave.accountId, language: 'en' },
        { role: 'seller', userId: seller.id },
        { role: 'seller', email: uniqueEmail('sara'), name: 'Sara Selger' },
      ],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
  return { invitations: body.invitations as Invitation[], seller };
}

const invitee = (i: Invitation) => ({
  role: i.role,
  email: i.email,
  name: i.name,
  language: i.language,
  accountId: i.accountId,
  contactId: i.contactId,
  userId: i.userId,
});
const byEmail = (a: { email: string }, b: { email: string }) => a.email.localeCompare(b.email);

const countSurveys = async () =>
  Number(
    (
      await app.db
        .selectFrom('surveys')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );

describe('POST /api/v1/surveys/:id/copy', () => {
  it('creates a draft that follows the wave: the same criteria by key, the same invitees with fresh links, the same settings', async () => {
    const wave = await setUpWave(app);
    const { invitations: before } = await waveWithInvitees(wave);
    await expectStatus(
      await submitForm(wave.admin.agent, `/surveys/${wave.surveyId}`, `/surveys/${wave.surveyId}/intro`, {
        intro: 'Takk for sist!\nVi spør igjen.',
      }),
      303,
    );
    await expectStatus(
      await submitForm(wave.admin.agent, `/surveys/${wave.surveyId}`, `/surveys/${wave.surveyId}/crosshair`, {
        crosshair: 'midpoint',
      }),
      303,
    );
    await app.db
      .updateTable('surveys')
      .set({ reminder_after_days: 9, max_reminders: 1, closes_at: new Date(Date.now() + 7 * 86_400_000) })
      .where('id', '=', wave.surveyId)
      .execute();

    const { body: copy } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);

    expect(copy).toMatchObject({
      id: expect.any(String),
      name: 'Høst 2026 – oppfølging',
      status: 'draft',
      language: 'nb',
      closesAt: null,
      intro: 'Takk for sist!\nVi spør igjen.',
      previousSurveyId: wave.surveyId,
      leftOut: [],
      skipped: [],
    });
    expect(copy.id).not.toBe(wave.surveyId);
    const shape = (c: SurveyCriterion) => ({ key: c.key, label: c.label, audience: c.audience });
    expect(copy.criteria.map(shape)).toEqual(wave.criteria.map(shape));
    expect(copy.criteria.map((c: SurveyCriterion) => c.id)).not.toContain(wave.criteria[0]?.id);

    const after = copy.invitations as Invitation[];
    expect(after.map(invitee).sort(byEmail)).toEqual(before.map(invitee).sort(byEmail));
    expect(after.every((i) => i.status === 'not_opened')).toBe(true);
    const beforeIds = new Set(before.map((i) => i.id));
    const beforeUrls = new Set(before.map((i) => i.url));
    for (const invitation of after) {
      expect(beforeIds.has(invitation.id)).toBe(false);
      expect(beforeUrls.has(invitation.url)).toBe(false);
      expect(invitation.url).toMatch(/^http:\/\/survey\.example\.no\/r\/[A-Za-z0-9_-]{43}$/);
    }

    const settings = await app.db
      .selectFrom('surveys')
      .select(['id', 'crosshair', 'reminder_after_days', 'max_reminders', 'closes_at', 'previous_survey_id'])
      .where('id', 'in', [wave.surveyId, copy.id])
      .execute();
    const source = settings.find((s) => s.id === wave.surveyId);
    const copied = settings.find((s) => s.id === copy.id);
    expect(copied).toMatchObject({
      crosshair: 'midpoint',
      reminder_after_days: 9,
      max_reminders: 1,
      closes_at: null,
      previous_survey_id: wave.surveyId,
    });
    expect(source?.previous_survey_id).toBeNull();

    // The new links belong to the new wave (a draft until opened); the old links still open the old one.
    const customerUrl = after.find((i) => i.name === 'Kari Kunde')?.url ?? '';
    const oldCustomerUrl = before.find((i) => i.name === 'Kari Kunde')?.url ?? '';
    await supertest(app.server).get(pathOf(customerUrl)).expect(403);
    await wave.api.post(`/api/v1/surveys/${copy.id}/open`).expect(200);
    const fresh = await supertest(app.server).get(pathOf(customerUrl)).expect(200);
    expect(fresh.text).toContain('<h1>Høst 2026 – oppfølging</h1>');
    const old = await supertest(app.server).get(pathOf(oldCustomerUrl)).expect(200);
    expect(old.text).toContain('<h1>Høst 2026</h1>');
  });

  it('takes a name, and by default suffixes the original’s in the wave’s language within 200 characters', async () => {
    const wave = await setUpWave(app);
    const named = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/copy`, { name: '  Vår 2027 ' })
      .expect(201);
    expect(named.body.name).toBe('Vår 2027');

    const long = 'Å'.repeat(200);
    const english = await wave.api.post('/api/v1/surveys', { name: long, language: 'en' }).expect(201);
    const { body } = await wave.api.post(`/api/v1/surveys/${english.body.id}/copy`).expect(201);
    expect(body.name).toBe(`${'Å'.repeat(200 - ' – follow-up'.length)} – follow-up`);
    expect([...body.name]).toHaveLength(200);
    expect(body.language).toBe('en');
  });

  it.each([
    ['an empty name', { name: '' }],
    ['a 201-character name', { name: 'x'.repeat(201) }],
    ['an unknown field', { closesAt: '2027-01-01T00:00:00Z' }],
  ])('refuses %s with 400 and creates nothing', async (_label, body) => {
    const wave = await setUpWave(app);
    const surveys = await countSurveys();
    const response = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`, body).expect(400);
    expect(response.body.error).toMatchObject({ code: 'BAD_REQUEST', fields: expect.any(Array) });
    expect(await countSurveys()).toBe(surveys);
  });

  it('leaves out the criteria retired from the library since, says which, and keeps the positions dense', async () => {
    const wave = await setUpWave(app);
    const organizationId = await organizationOf(wave);
    const trust = await app.db
      .selectFrom('criteria')
      .select('id')
      .where('organization_id', '=', organizationId)
      .where('key', '=', 'trust')
      .executeTakeFirstOrThrow();
    await expectStatus(
      await submitForm(wave.admin.agent, '/criteria', `/criteria/${trust.id}/retire`, {}),
      303,
    );

    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);

    expect(body.leftOut).toEqual([{ key: 'trust', label: 'Tillit' }]);
    const expectedKeys = wave.criteria.map((c) => c.key).filter((key) => key !== 'trust');
    expect(body.criteria.map((c: SurveyCriterion) => c.key)).toEqual(expectedKeys);
    const positions = await app.db
      .selectFrom('survey_criteria')
      .select('position')
      .where('survey_id', '=', body.id)
      .orderBy('position')
      .execute();
    expect(positions.map((p) => p.position)).toEqual(expectedKeys.map((_key, index) => index));
  });

  it('refuses a wave whose every criterion is retired (409) and writes nothing', async () => {
    const wave = await setUpWave(app);
    const own = await wave.api
      .post('/api/v1/surveys', { name: 'Egen', criteria: [{ label: 'Egen', audience: 'both' }] })
      .expect(201);
    // A wave of library criteria only, all of them retired.
    const organizationId = await organizationOf(wave);
    await app.db
      .updateTable('criteria')
      .set({ retired_at: new Date() })
      .where('organization_id', '=', organizationId)
      .execute();
    const surveys = await countSurveys();
    const refused = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(409);
    expect(refused.body.error.code).toBe('NO_ACTIVE_CRITERIA');
    expect(await countSurveys()).toBe(surveys);
    // A criterion of the wave's own (no library criterion) is never retired.
    const copy = await wave.api.post(`/api/v1/surveys/${own.body.id}/copy`).expect(201);
    expect(copy.body.criteria.map((c: SurveyCriterion) => c.label)).toEqual(['Egen']);
  });

  it('copies neither revoked links nor opted-out addresses nor deactivated sellers, and lists those it left out', async () => {
    const wave = await setUpWave(app);
    const { invitations, seller } = await waveWithInvitees(wave);
    const organizationId = await organizationOf(wave);
    const [kari, ken, , sara] = invitations;
    if (!kari || !ken || !sara) throw new Error('four invitations expected');
    await expectStatus(
      await submitForm(
        wave.admin.agent,
        `/surveys/${wave.surveyId}`,
        `/surveys/${wave.surveyId}/invitations/${ken.id}/revoke`,
        {},
      ),
      303,
    );
    await app.db
      .insertInto('email_opt_outs')
      .values({ organization_id: organizationId, email: sara.email.toLowerCase() })
      .execute();
    await expectStatus(
      await submitForm(wave.admin.agent, '/users', `/users/${seller.id}/deactivate`, {}),
      303,
    );
    const sellerInvitation = invitations.find((i) => i.userId === seller.id);

    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);

    expect(body.invitations.map((i: Invitation) => i.email)).toEqual([kari.email]);
    expect(body.skipped).toEqual(
      expect.arrayContaining([
        { invitationId: sara.id, role: 'seller', email: sara.email, reason: 'optedOut' },
        { invitationId: sellerInvitation?.id, role: 'seller', email: seller.email, reason: 'userInactive' },
      ]),
    );
    expect(body.skipped).toHaveLength(2);
  });

  it('answers 409 ALREADY_FOLLOWED_UP with the successor for a second copy, also when two race', async () => {
    const wave = await setUpWave(app);
    const first = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);
    const surveys = await countSurveys();
    const second = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(409);
    expect(second.body.error).toEqual({
      code: 'ALREADY_FOLLOWED_UP',
      message: expect.any(String),
      successorId: first.body.id,
    });
    expect(await countSurveys()).toBe(surveys);

    // The copy can itself be run again: the series goes on.
    const third = await wave.api.post(`/api/v1/surveys/${first.body.id}/copy`).expect(201);
    expect(third.body.previousSurveyId).toBe(first.body.id);

    const other = await wave.api.post('/api/v1/surveys', { name: 'Parallell' }).expect(201);
    const raced = await Promise.all([
      wave.api.post(`/api/v1/surveys/${other.body.id}/copy`),
      wave.api.post(`/api/v1/surveys/${other.body.id}/copy`),
    ]);
    expect(raced.map((r) => r.status).sort()).toEqual([201, 409]);
    const winner = raced.find((r) => r.status === 201);
    expect(raced.find((r) => r.status === 409)?.body.error.successorId).toBe(winner?.body.id);
  });

  it('writes nothing when an invitation cannot be written (one transaction)', async () => {
    const wave = await setUpWave(app);
    const doomed = uniqueEmail('doomed');
    await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [
          { role: 'customer', email: uniqueEmail('first'), accountId: wave.accountId },
          { role: 'seller', email: doomed },
        ],
      })
      .expect(201);
    // The database refuses the copy's second invitation, after the wave, its criteria and one invitation.
    await sql`create function refuse_doomed() returns trigger language plpgsql as $$
      begin
        if new.email = ${sql.lit(doomed)} and new.survey_id <> ${sql.lit(wave.surveyId)}::uuid then
          raise exception 'refused by the test';
        end if;
        return new;
      end $$`.execute(app.db);
    await sql`create trigger refuse_doomed before insert on invitations
      for each row execute function refuse_doomed()`.execute(app.db);
    try {
      const surveys = await countSurveys();
      const criteria = await app.db
        .selectFrom('survey_criteria')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(500);
      expect(await countSurveys()).toBe(surveys);
      const criteriaAfter = await app.db
        .selectFrom('survey_criteria')
        .select((eb) => eb.fn.countAll<string>().as('n'))
        .executeTakeFirstOrThrow();
      expect(criteriaAfter.n).toBe(criteria.n);
      const successor = await app.db
        .selectFrom('surveys')
        .select('id')
        .where('previous_survey_id', '=', wave.surveyId)
        .execute();
      expect(successor).toEqual([]);
    } finally {
      await sql`drop trigger refuse_doomed on invitations`.execute(app.db);
      await sql`drop function refuse_doomed()`.execute(app.db);
    }
    // Once the obstacle is gone, the copy goes through.
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);
  });

  it('answers 404 for another organisation’s wave, an unknown id and a malformed id', async () => {
    const mine = await setUpWave(app);
    const theirs = await setUpWave(app, { organization: 'Konkurrent AS' });
    const surveys = await countSurveys();
    const refused = await theirs.api.post(`/api/v1/surveys/${mine.surveyId}/copy`).expect(404);
    expect(refused.body.error.code).toBe('NOT_FOUND');
    await theirs.api.get(`/api/v1/surveys/${mine.surveyId}/invitations`).expect(404);
    await mine.api.post('/api/v1/surveys/00000000-0000-4000-8000-000000000000/copy').expect(404);
    await mine.api.post('/api/v1/surveys/not-a-uuid/copy').expect(404);
    expect(await countSurveys()).toBe(surveys);
  });

  it('is for managers and admins: a KAM gets 403, on the API and the page', async () => {
    const wave = await setUpWave(app);
    const kam = await addUser(wave, 'kam', 'Kåre KAM');
    const kamApi = apiClient(app, await createApiKey(kam.agent));
    await kamApi.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(403);
    await kamApi.get(`/api/v1/surveys/${wave.surveyId}/invitations`).expect(403);
    const page = await kam.agent.get('/settings/api-keys').expect(200);
    await kam.agent
      .post(`/surveys/${wave.surveyId}/copy`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(403);
    const successor = await app.db
      .selectFrom('surveys')
      .select('id')
      .where('previous_survey_id', '=', wave.surveyId)
      .execute();
    expect(successor).toEqual([]);

    const manager = await addUser(wave, 'manager', 'Mona Manager');
    const managerApi = apiClient(app, await createApiKey(manager.agent));
    await managerApi.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);
  });
});

describe('GET /api/v1/surveys/:id/invitations', () => {
  it('lists the wave’s invitations in the copy’s shape, with their links; a revoked one is flagged without a link', async () => {
    const wave = await setUpWave(app);
    const { invitations } = await waveWithInvitees(wave);
    const revoked = invitations[1];
    if (!revoked) throw new Error('an invitation expected');
    await expectStatus(
      await submitForm(
        wave.admin.agent,
        `/surveys/${wave.surveyId}`,
        `/surveys/${wave.surveyId}/invitations/${revoked.id}/revoke`,
        {},
      ),
      303,
    );

    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}/invitations`).expect(200);
    const listed = body.invitations as Invitation[];
    expect(listed.map((i) => i.id).sort()).toEqual(invitations.map((i) => i.id).sort());
    for (const created of invitations) {
      const entry = listed.find((i) => i.id === created.id);
      if (created.id === revoked.id) {
        expect(entry).toMatchObject({ ...invitee(created), status: 'revoked', url: null });
      } else {
        expect(entry).toEqual({ ...created, status: 'not_opened' });
      }
    }

    const copy = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);
    const copied = await wave.api.get(`/api/v1/surveys/${copy.body.id}/invitations`).expect(200);
    expect([...copied.body.invitations].sort(byEmail)).toEqual([...copy.body.invitations].sort(byEmail));
  });
});

describe('Run again on the wave page', () => {
  const copyButton = 'Kjør målingen på nytt';

  async function postCopy(agent: Agent, surveyId: string) {
    return submitForm(agent, `/surveys/${surveyId}`, `/surveys/${surveyId}/copy`, {});
  }

  it('copies, redirects to the new wave with a notice, and links the two waves both ways', async () => {
    const wave = await setUpWave(app);
    await waveWithInvitees(wave);
    const organizationId = await organizationOf(wave);
    await app.db
      .updateTable('criteria')
      .set({ retired_at: new Date() })
      .where('organization_id', '=', organizationId)
      .where('key', 'in', ['efficiency', 'crm_system'])
      .execute();
    const source = await wave.admin.agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(source.text).toContain(copyButton);
    expect(source.text).toContain(`action="/surveys/${wave.surveyId}/copy"`);
    expect(source.text).not.toContain('data-testid="series"');

    const response = expectStatus(await postCopy(wave.admin.agent, wave.surveyId), 303);
    const location = response.headers.location ?? '';
    const [, newId] = /^\/surveys\/([0-9a-f-]{36})\?copied=4&skipped=0$/.exec(location) ?? [];
    expect(newId).toBeDefined();

    const page = await wave.admin.agent.get(location).expect(200);
    expect(page.text).toContain('<h1>Høst 2026 – oppfølging</h1>');
    expect(page.text).toContain('4 invitasjoner er kopiert med nye lenker');
    expect(page.text).toMatch(/<li>Effektivitet<\/li>\s*<li>CRM-system<\/li>/);
    expect(page.text).toContain(
      `Forrige måling: <a href="/surveys/${wave.surveyId}" rel="prev">Høst 2026</a>`,
    );
    // The new wave can be run again in its turn.
    expect(page.text).toContain(copyButton);

    const after = await wave.admin.agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(after.text).toContain(
      `Neste måling: <a href="/surveys/${newId}" rel="next">Høst 2026 – oppfølging</a>`,
    );
    expect(after.text).not.toContain(copyButton);
    expect(after.text).not.toContain('data-testid="copy-notice"');

    const again = expectStatus(await postCopy(wave.admin.agent, wave.surveyId), 409);
    expect(again.text).toContain('Målingen er allerede kjørt på nytt.');
  });

  it('shows the links and the button in English', async () => {
    const wave = await setUpWave(app);
    const copy = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/copy`).expect(201);
    const page = await wave.admin.agent.get(`/surveys/${copy.body.id}?lang=en`).expect(200);
    expect(page.text).toContain('Previous survey:');
    expect(page.text).toContain('Run again');
  });
});
