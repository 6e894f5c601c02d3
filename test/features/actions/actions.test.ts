import { parse } from 'csv-parse/sync';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../../server/features/auth/organizations.service.js';
import { buildTestApp } from '../../helpers/app.js';
import {
  type Agent,
  browser,
  createApiKey,
  csrfFrom,
  signUp,
  submitForm,
  uniqueEmail,
} from '../../helpers/http.js';
import { apiClient, openWaveWithRespondents, type SurveyCriterion } from '../../helpers/surveys.js';

// Actions on a wave's criteria (issue 11): recorded by a manager, or by a KAM for their own accounts;
// a KAM sees and changes only the actions of their portfolio.

let app: FastifyInstance;

interface Member {
  userId: string;
  agent: Agent;
  key: string;
}

interface Org {
  organizationId: string;
  admin: Member;
  surveyId: string;
  criteria: SurveyCriterion[];
}

let org: Org;
let other: Org;
let kari: Member;
let ola: Member;
let manager: Member;
let accounts: { kari: string; ola: string; none: string; otherOrg: string };

// Dates far enough from today that the test never straddles them.
const PAST = '2020-01-15';
const FUTURE = '2099-06-30';

function api(key: string) {
  const client = apiClient(app, key);
  return {
    ...client,
    patch: (path: string, body?: object) =>
      supertest(app.server)
        .patch(path)
        .set('Authorization', `Bearer ${key}`)
        .send(body ?? {}),
  };
}

async function organization(name: string): Promise<Org> {
  const signedUp = await signUp(app, name);
  const key = await createApiKey(signedUp.agent);
  const me = await api(key).get('/api/v1/me').expect(200);
  const survey = await api(key)
    .post('/api/v1/surveys', { name: `Høst 2026 ${name}` })
    .expect(201);
  return {
    organizationId: me.body.organization.id,
    admin: { userId: me.body.user.id, agent: signedUp.agent, key },
    surveyId: survey.body.id,
    criteria: survey.body.criteria,
  };
}

/** A user of `organizationId` with `role`, logged in in a browser of their own, with an API key. */
async function member(organizationId: string, role: 'kam' | 'manager', name: string): Promise<Member> {
  const email = uniqueEmail(role);
  const password = `${role} password 123`;
  const userId = await createMember(app.db, organizationId, { email, name, role, password });
  const agent = browser(app);
  const login = await submitForm(agent, '/login', '/login', { email, password });
  if (login.status !== 303) throw new Error(`login failed: ${login.status}`);
  return { userId, agent, key: await createApiKey(agent) };
}

async function account(key: string, name: string, kamUserId?: string): Promise<string> {
  const { body } = await api(key)
    .post('/api/v1/accounts', { name, segment: 'A', ...(kamUserId ? { kamUserId } : {}) })
    .expect(201);
  return body.id;
}

const actionsPath = (surveyId = org.surveyId) => `/api/v1/surveys/${surveyId}/actions`;

function countActions(organizationId = org.organizationId) {
  return app.db
    .selectFrom('actions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('organization_id', '=', organizationId)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

/** Records an action through the API as `key` and returns its id. */
async function recordAction(key: string, body: Record<string, unknown>, surveyId = org.surveyId) {
  const response = await api(key)
    .post(actionsPath(surveyId), { criterionKey: 'availability', title: 'Fast kontaktperson', ...body })
    .expect(201);
  return response.body.id as string;
}

beforeAll(async () => {
  app = await buildTestApp();
  org = await organization('Leverandør AS');
  other = await organization('Konkurrent AS');
  kari = await member(org.organizationId, 'kam', 'Kari KAM');
  ola = await member(org.organizationId, 'kam', 'Ola KAM');
  manager = await member(org.organizationId, 'manager', 'Mona Manager');
  accounts = {
    kari: await account(org.admin.key, 'Karis kunde', kari.userId),
    ola: await account(org.admin.key, 'Olas kunde', ola.userId),
    none: await account(org.admin.key, 'Kunde uten KAM'),
    otherOrg: await account(other.admin.key, 'Annen organisasjons kunde'),
  };
});
afterAll(async () => {
  await app.close();
});

describe('POST /api/v1/surveys/:id/actions', () => {
  it('records an action on a criterion by its key, for an account, with an owner and a due date', async () => {
    const availability = org.criteria.find((c) => c.key === 'availability');
    const response = await api(manager.key)
      .post(actionsPath(), {
        criterionKey: 'availability',
        title: '  Fast kontaktperson hver uke  ',
        accountId: accounts.kari,
        ownerUserId: kari.userId,
        dueDate: FUTURE,
        note: 'Avtalt med kunden.\nFølges opp i mars.',
      })
      .expect(201);
    expect(response.body).toEqual({
      id: expect.any(String),
      surveyId: org.surveyId,
      criterionKey: 'availability',
      criterionId: availability?.id,
      criterionLabel: 'Tilgjengelighet',
      title: 'Fast kontaktperson hver uke',
      accountId: accounts.kari,
      ownerUserId: kari.userId,
      dueDate: FUTURE,
      status: 'planned',
      note: 'Avtalt med kunden.\nFølges opp i mars.',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      warnings: [],
    });
    const row = await app.db
      .selectFrom('actions')
      .select(['survey_criterion_id', 'created_by_user_id', 'title', 'status'])
      .select((eb) => eb.cast<string>('due_date', 'text').as('due'))
      .where('organization_id', '=', org.organizationId)
      .where('id', '=', response.body.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({
      survey_criterion_id: availability?.id,
      created_by_user_id: manager.userId,
      title: 'Fast kontaktperson hver uke',
      status: 'planned',
      due: FUTURE,
    });
  });

  it('takes the survey criterion id for a criterion without a key, and a wave-wide action without an account', async () => {
    const wave = await api(org.admin.key)
      .post('/api/v1/surveys', {
        name: 'Egen liste',
        language: 'en',
        criteria: [{ label: 'Speed', audience: 'both' }],
      })
      .expect(201);
    const criterion = wave.body.criteria[0];
    const response = await api(org.admin.key)
      .post(actionsPath(wave.body.id), {
        criterionId: criterion.id,
        title: 'Faster replies',
        status: 'in_progress',
      })
      .expect(201);
    expect(response.body).toMatchObject({
      criterionKey: null,
      criterionId: criterion.id,
      criterionLabel: 'Speed',
      accountId: null,
      ownerUserId: null,
      dueDate: null,
      status: 'in_progress',
      note: null,
    });
  });

  it('refuses a criterion the wave does not have with 400 UNKNOWN_CRITERION, and writes nothing', async () => {
    const before = await countActions();
    const unknownKey = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'no_such_criterion', title: 'X' })
      .expect(400);
    expect(unknownKey.body.error.code).toBe('UNKNOWN_CRITERION');
    // A real criterion, but of another wave.
    const otherWave = await api(org.admin.key).post('/api/v1/surveys', { name: 'Vår 2027' }).expect(201);
    const foreign = await api(manager.key)
      .post(actionsPath(), { criterionId: otherWave.body.criteria[0].id, title: 'X' })
      .expect(400);
    expect(foreign.body.error.code).toBe('UNKNOWN_CRITERION');
    expect(await countActions()).toBe(before);
  });

  it('wants exactly one of criterionKey and criterionId', async () => {
    const both = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'availability', criterionId: org.criteria[0]?.id, title: 'X' })
      .expect(400);
    expect(both.body.error.fields).toEqual([
      { field: 'criterionKey', message: 'Give exactly one of criterionKey and criterionId' },
    ]);
    await api(manager.key).post(actionsPath(), { title: 'X' }).expect(400);
  });

  it('saves a due date in the past with a DUE_DATE_PAST warning', async () => {
    const response = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'advice', title: 'Etterregistrert', dueDate: PAST })
      .expect(201);
    expect(response.body.dueDate).toBe(PAST);
    expect(response.body.warnings).toEqual([{ code: 'DUE_DATE_PAST', message: expect.any(String) }]);
  });

  it.each([['2026-02-30'], ['2026-13-01'], ['15.03.2026'], ['2026-3-5'], ['0000-01-01']])(
    'refuses the due date %s with 400',
    async (dueDate) => {
      const before = await countActions();
      const response = await api(manager.key)
        .post(actionsPath(), { criterionKey: 'advice', title: 'X', dueDate })
        .expect(400);
      expect(response.body.error.fields[0].field).toBe('dueDate');
      expect(await countActions()).toBe(before);
    },
  );

  it('refuses an owner who is not an active user of the organisation with 400', async () => {
    const foreign = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'advice', title: 'X', ownerUserId: other.admin.userId })
      .expect(400);
    expect(foreign.body.error.code).toBe('UNKNOWN_OWNER');

    const leaver = await createMember(app.db, org.organizationId, {
      email: uniqueEmail('leaver'),
      name: 'Slutter',
      role: 'kam',
      password: 'leaver password 123',
    });
    await app.db.updateTable('users').set({ active: false }).where('id', '=', leaver).execute();
    const inactive = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'advice', title: 'X', ownerUserId: leaver })
      .expect(400);
    expect(inactive.body.error.code).toBe('UNKNOWN_OWNER');
  });

  it('refuses another organisation’s account with 400', async () => {
    const response = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'advice', title: 'X', accountId: accounts.otherOrg })
      .expect(400);
    expect(response.body.error.code).toBe('UNKNOWN_ACCOUNT');
  });

  it('lets a KAM record an action for their own account only: another KAM’s is 403, none is 400', async () => {
    const before = await countActions();
    const own = await api(kari.key)
      .post(actionsPath(), { criterionKey: 'trust', title: 'Kari sitt tiltak', accountId: accounts.kari })
      .expect(201);
    expect(own.body.accountId).toBe(accounts.kari);
    const othersAccount = await api(kari.key)
      .post(actionsPath(), { criterionKey: 'trust', title: 'X', accountId: accounts.ola })
      .expect(403);
    expect(othersAccount.body.error.code).toBe('FORBIDDEN');
    await api(kari.key)
      .post(actionsPath(), { criterionKey: 'trust', title: 'X', accountId: accounts.none })
      .expect(403);
    const noAccount = await api(kari.key)
      .post(actionsPath(), { criterionKey: 'trust', title: 'X' })
      .expect(400);
    expect(noAccount.body.error.code).toBe('ACCOUNT_REQUIRED');
    expect(await countActions()).toBe(before + 1);
  });

  it.each([
    ['a blank title', { title: '   ' }, 'title'],
    ['a title of 201 characters', { title: 'x'.repeat(201) }, 'title'],
    ['a line break in the title', { title: 'To\nlinjer' }, 'title'],
    ['a control character in the note', { title: 'X', note: 'bjelle\u0007' }, 'note'],
    ['a note of 5001 characters', { title: 'X', note: 'n'.repeat(5001) }, 'note'],
    ['an unknown status', { title: 'X', status: 'cancelled' }, 'status'],
    ['an unknown field', { title: 'X', organizationId: 'x' }, '_form'],
  ])('refuses %s with 400', async (_what, body, field) => {
    const response = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'advice', ...body })
      .expect(400);
    expect(response.body.error.code).toBe('BAD_REQUEST');
    expect(response.body.error.fields.map((f: { field: string }) => f.field)).toContain(field);
  });

  it('keeps a 200-character title and a 5000-character note with tabs and line breaks', async () => {
    const note = `${'n'.repeat(4990)}\tslutt\r\nok`;
    const response = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'advice', title: 't'.repeat(200), note })
      .expect(201);
    expect(response.body.title).toHaveLength(200);
    expect(response.body.note).toBe(`${'n'.repeat(4990)}\tslutt\nok`);
  });

  it('answers 404 for another organisation’s wave and for an unknown wave', async () => {
    await api(manager.key)
      .post(actionsPath(other.surveyId), { criterionKey: 'advice', title: 'X' })
      .expect(404);
    await api(manager.key).get(actionsPath(other.surveyId)).expect(404);
    await api(manager.key)
      .post(actionsPath('00000000-0000-4000-8000-000000000000'), { criterionKey: 'advice', title: 'X' })
      .expect(404);
    await api(manager.key).get('/api/v1/surveys/not-a-uuid/actions').expect(404);
  });

  it('is not for respondents or strangers: no key is 401', async () => {
    await supertest(app.server).post(actionsPath()).send({ criterionKey: 'advice', title: 'X' }).expect(401);
  });
});

describe('PATCH /api/v1/actions/:id', () => {
  it('changes the status and the note and bumps updated_at', async () => {
    const id = await recordAction(manager.key, { accountId: accounts.kari });
    await app.db
      .updateTable('actions')
      .set({ updated_at: new Date('2026-01-01T00:00:00Z') })
      .where('id', '=', id)
      .execute();
    const response = await api(manager.key)
      .patch(`/api/v1/actions/${id}`, { status: 'done', note: 'Kontaktperson på plass fra 1. mars.' })
      .expect(200);
    expect(response.body).toMatchObject({
      id,
      status: 'done',
      note: 'Kontaktperson på plass fra 1. mars.',
      title: 'Fast kontaktperson',
      warnings: [],
    });
    expect(new Date(response.body.updatedAt).getTime()).toBeGreaterThan(Date.parse('2026-01-02T00:00:00Z'));
  });

  it('changes the title, owner and due date, clears them with null, and warns of a past due date', async () => {
    const id = await recordAction(manager.key, {
      ownerUserId: manager.userId,
      dueDate: FUTURE,
      accountId: accounts.kari,
    });
    const past = await api(manager.key)
      .patch(`/api/v1/actions/${id}`, { title: 'Nytt navn', ownerUserId: kari.userId, dueDate: PAST })
      .expect(200);
    expect(past.body).toMatchObject({ title: 'Nytt navn', ownerUserId: kari.userId, dueDate: PAST });
    expect(past.body.warnings.map((w: { code: string }) => w.code)).toEqual(['DUE_DATE_PAST']);
    const cleared = await api(manager.key)
      .patch(`/api/v1/actions/${id}`, { ownerUserId: null, dueDate: null, note: null })
      .expect(200);
    expect(cleared.body).toMatchObject({ ownerUserId: null, dueDate: null, note: null, warnings: [] });
  });

  it('lets a KAM own only actions on their own accounts, so every action they own is one they can see', async () => {
    const wide = await api(manager.key)
      .post(actionsPath(), { criterionKey: 'availability', title: 'Hele bølgen', ownerUserId: kari.userId })
      .expect(400);
    expect(wide.body.error.code).toBe('OWNER_OUT_OF_SCOPE');
    await api(manager.key)
      .post(actionsPath(), {
        criterionKey: 'availability',
        title: 'Olas kunde',
        ownerUserId: kari.userId,
        accountId: accounts.ola,
      })
      .expect(400);
    const id = await recordAction(manager.key, { accountId: accounts.ola });
    await api(manager.key).patch(`/api/v1/actions/${id}`, { ownerUserId: kari.userId }).expect(400);
    const own = await recordAction(manager.key, { accountId: accounts.kari, ownerUserId: kari.userId });
    const mine = await api(kari.key).get('/api/v1/actions').expect(200);
    expect(mine.body.actions.map((action: { id: string }) => action.id)).toContain(own);
  });

  it('refuses an empty body, an unknown status, a foreign owner and a bad date with 400, changing nothing', async () => {
    const id = await recordAction(manager.key, {});
    await api(manager.key).patch(`/api/v1/actions/${id}`, {}).expect(400);
    await api(manager.key).patch(`/api/v1/actions/${id}`, { status: 'finished' }).expect(400);
    await api(manager.key).patch(`/api/v1/actions/${id}`, { title: '' }).expect(400);
    await api(manager.key).patch(`/api/v1/actions/${id}`, { dueDate: '2026-02-29' }).expect(400);
    const owner = await api(manager.key)
      .patch(`/api/v1/actions/${id}`, { status: 'done', ownerUserId: other.admin.userId })
      .expect(400);
    expect(owner.body.error.code).toBe('UNKNOWN_OWNER');
    const row = await app.db
      .selectFrom('actions')
      .select(['status', 'owner_user_id'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'planned', owner_user_id: null });
  });

  it('lets a KAM change the actions of their accounts; another KAM’s and wave-wide ones are 404', async () => {
    const own = await recordAction(manager.key, { accountId: accounts.kari });
    const olas = await recordAction(manager.key, { accountId: accounts.ola });
    const waveWide = await recordAction(manager.key, {});
    await api(kari.key).patch(`/api/v1/actions/${own}`, { status: 'in_progress' }).expect(200);
    const hidden = await api(kari.key).patch(`/api/v1/actions/${olas}`, { status: 'done' }).expect(404);
    expect(hidden.body.error.code).toBe('NOT_FOUND');
    await api(kari.key).patch(`/api/v1/actions/${waveWide}`, { status: 'done' }).expect(404);
    const statuses = await app.db
      .selectFrom('actions')
      .select(['id', 'status'])
      .where('id', 'in', [olas, waveWide])
      .execute();
    expect(statuses.map((row) => row.status)).toEqual(['planned', 'planned']);
  });

  it('answers 404 for another organisation’s action and for an unknown one', async () => {
    const id = await recordAction(manager.key, {});
    await api(other.admin.key).patch(`/api/v1/actions/${id}`, { status: 'done' }).expect(404);
    await api(manager.key)
      .patch('/api/v1/actions/00000000-0000-4000-8000-000000000000', { status: 'done' })
      .expect(404);
  });
});

describe('GET /api/v1/surveys/:id/actions', () => {
  it('lists every action of the wave for a manager, and only their own accounts’ for a KAM', async () => {
    const wave = await api(org.admin.key).post('/api/v1/surveys', { name: 'Portefølje' }).expect(201);
    const surveyId = wave.body.id as string;
    const karis = await recordAction(manager.key, { accountId: accounts.kari, title: 'Karis' }, surveyId);
    const olas = await recordAction(manager.key, { accountId: accounts.ola, title: 'Olas' }, surveyId);
    const unassigned = await recordAction(
      manager.key,
      { accountId: accounts.none, title: 'Uten KAM' },
      surveyId,
    );
    const waveWide = await recordAction(manager.key, { title: 'Hele bølgen' }, surveyId);

    const all = await api(manager.key).get(actionsPath(surveyId)).expect(200);
    expect(all.body.actions.map((a: { id: string }) => a.id).sort()).toEqual(
      [karis, olas, unassigned, waveWide].sort(),
    );
    const asKari = await api(kari.key).get(actionsPath(surveyId)).expect(200);
    expect(asKari.body.actions.map((a: { id: string }) => a.id)).toEqual([karis]);
    expect(asKari.body.actions[0]).toMatchObject({
      title: 'Karis',
      accountId: accounts.kari,
      criterionKey: 'availability',
    });
    const asOla = await api(ola.key).get(actionsPath(surveyId)).expect(200);
    expect(asOla.body.actions.map((a: { id: string }) => a.id)).toEqual([olas]);
    const asOther = await api(other.admin.key).get(actionsPath(surveyId)).expect(404);
    expect(asOther.body.error.code).toBe('NOT_FOUND');
  });
});

describe('GET /api/v1/actions', () => {
  it('lists the caller’s own open actions across waves; ?status=done the done ones', async () => {
    const owner = await member(org.organizationId, 'manager', 'Eier Eiersen');
    const open = await recordAction(manager.key, { ownerUserId: owner.userId, title: 'Åpent' });
    const started = await recordAction(manager.key, { ownerUserId: owner.userId, status: 'in_progress' });
    const done = await recordAction(manager.key, { ownerUserId: owner.userId, status: 'done' });
    await recordAction(manager.key, { ownerUserId: manager.userId });
    const mine = await api(owner.key).get('/api/v1/actions').expect(200);
    expect(mine.body.actions.map((a: { id: string }) => a.id).sort()).toEqual([open, started].sort());
    const finished = await api(owner.key).get('/api/v1/actions?status=done').expect(200);
    expect(finished.body.actions.map((a: { id: string }) => a.id)).toEqual([done]);
    await api(owner.key).get('/api/v1/actions?status=closed').expect(400);
  });
});

// ---- Pages --------------------------------------------------------------------------------------

const pagePath = (surveyId = org.surveyId) => `/surveys/${surveyId}/actions`;

/** The rows of the page's actions table, by action id: their cells' text. */
function rowsOn(html: string): Map<string, string> {
  const table = /<table[^>]*data-testid="actions"[^>]*>([\s\S]*?)<\/table>/.exec(html)?.[1] ?? '';
  return new Map(
    [...table.matchAll(/<tr id="action-([0-9a-f-]+)"[^>]*>([\s\S]*?)<\/tr>/g)].map((match) => [
      match[1] ?? '',
      (match[2] ?? '').replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' '),
    ]),
  );
}

async function newWave(name: string) {
  const wave = await api(org.admin.key).post('/api/v1/surveys', { name }).expect(201);
  return { surveyId: wave.body.id as string, criteria: wave.body.criteria as SurveyCriterion[] };
}

describe('GET/POST /surveys/:id/actions', () => {
  it('adds an action through the form and lists it with its criterion, account, owner, due date and status', async () => {
    const { surveyId, criteria } = await newWave('Skjema');
    const advice = criteria.find((c) => c.key === 'advice');
    const page = await org.admin.agent.get(`${pagePath(surveyId)}?criterion=advice`).expect(200);
    expect(page.text).toContain('Ingen tiltak ennå.');
    // ?criterion= preselects the criterion, by key or id.
    expect(page.text).toMatch(new RegExp(`<option value="${advice?.id}" selected>Rådgivning</option>`));
    const byId = await org.admin.agent.get(`${pagePath(surveyId)}?criterion=${advice?.id}`).expect(200);
    expect(byId.text).toMatch(new RegExp(`<option value="${advice?.id}" selected>`));

    const response = await org.admin.agent
      .post(pagePath(surveyId))
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        criterion: advice?.id,
        title: 'Kvartalsvis rådgivningsmøte',
        accountId: accounts.ola,
        ownerUserId: ola.userId,
        dueDate: FUTURE,
        note: '',
      })
      .expect(303);
    expect(response.headers.location).toMatch(new RegExp(`^${pagePath(surveyId)}\\?notice=created#action-`));

    const stored = await app.db
      .selectFrom('actions')
      .select([
        'id',
        'survey_criterion_id',
        'account_id',
        'owner_user_id',
        'title',
        'note',
        'created_by_user_id',
      ])
      .where('survey_id', '=', surveyId)
      .execute();
    expect(stored).toEqual([
      {
        id: expect.any(String),
        survey_criterion_id: advice?.id,
        account_id: accounts.ola,
        owner_user_id: ola.userId,
        title: 'Kvartalsvis rådgivningsmøte',
        note: null,
        created_by_user_id: org.admin.userId,
      },
    ]);
    const after = await org.admin.agent.get(response.headers.location as string).expect(200);
    expect(after.text).toContain('Tiltaket er registrert.');
    const row = rowsOn(after.text).get(stored[0]?.id as string);
    expect(row).toContain('Rådgivning');
    expect(row).toContain('Kvartalsvis rådgivningsmøte');
    expect(row).toContain('Olas kunde');
    expect(row).toContain('Ola KAM');
    expect(row).toContain(FUTURE);
    expect(row).toContain('Planlagt');
    expect(row).not.toContain('forfalt');
  });

  it('re-renders the form with 400 on a blank title, keeping the other answers, and writes nothing', async () => {
    const { surveyId, criteria } = await newWave('Tom tittel');
    const trust = criteria.find((c) => c.key === 'trust');
    const response = await submitForm(org.admin.agent, pagePath(surveyId), pagePath(surveyId), {
      criterion: trust?.id as string,
      title: '   ',
      accountId: accounts.kari,
      ownerUserId: '',
      dueDate: FUTURE,
      note: 'Beholdes',
    });
    expect(response.status).toBe(400);
    expect(response.text).toContain('Skjemaet har feil');
    expect(response.text).toMatch(/id="title-error"[^>]*>[\s\S]*?Må fylles ut\./);
    expect(response.text).toMatch(new RegExp(`<option value="${trust?.id}" selected>`));
    expect(response.text).toMatch(new RegExp(`<option value="${accounts.kari}" selected>`));
    expect(response.text).toContain(`value="${FUTURE}"`);
    expect(response.text).toContain('>Beholdes</textarea>');
    expect(await countActionsOf(surveyId)).toBe(0);
  });

  it('re-renders with 400 for an invalid date and for an owner of another organisation', async () => {
    const { surveyId, criteria } = await newWave('Feil');
    const criterion = criteria[0]?.id as string;
    const badDate = await submitForm(org.admin.agent, pagePath(surveyId), pagePath(surveyId), {
      criterion,
      title: 'X',
      dueDate: '2026-02-30',
    });
    expect(badDate.status).toBe(400);
    expect(badDate.text).toContain('Ikke en gyldig dato.');
    const foreignOwner = await submitForm(org.admin.agent, pagePath(surveyId), pagePath(surveyId), {
      criterion,
      title: 'X',
      ownerUserId: other.admin.userId,
    });
    expect(foreignOwner.status).toBe(400);
    expect(foreignOwner.text).toContain('Ansvarlig må være en aktiv bruker i organisasjonen.');
    const foreignCriterion = await submitForm(org.admin.agent, pagePath(surveyId), pagePath(surveyId), {
      criterion: org.criteria[0]?.id as string,
      title: 'X',
    });
    expect(foreignCriterion.status).toBe(400);
    expect(foreignCriterion.text).toContain('Undersøkelsen har ikke dette kriteriet.');
    expect(await countActionsOf(surveyId)).toBe(0);
  });

  it('saves a past due date and shows a warning; the action is marked overdue in text', async () => {
    const { surveyId, criteria } = await newWave('Forsinket');
    const response = await submitForm(org.admin.agent, pagePath(surveyId), pagePath(surveyId), {
      criterion: criteria[0]?.id as string,
      title: 'Gjort i fjor',
      dueDate: PAST,
    });
    expect(response.status).toBe(303);
    expect(response.headers.location).toContain('notice=pastDue');
    const page = await org.admin.agent.get(response.headers.location as string).expect(200);
    expect(page.text).toContain('fristen er allerede passert');
    const [row] = [...rowsOn(page.text).values()];
    expect(row).toContain(`${PAST} (forfalt)`);
  });

  it('changes an action’s status and note through its form; a bad status re-renders with 400', async () => {
    const { surveyId } = await newWave('Status');
    const id = await recordAction(manager.key, { dueDate: PAST }, surveyId);
    const page = await org.admin.agent.get(pagePath(surveyId)).expect(200);
    const bad = await org.admin.agent
      .post(`${pagePath(surveyId)}/${id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), status: 'finished', note: 'Kept' })
      .expect(400);
    expect(bad.text).toContain(`id="status-${id}-error"`);
    expect(bad.text).toContain('>Kept</textarea>');

    const done = await org.admin.agent
      .post(`${pagePath(surveyId)}/${id}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), status: 'done', note: 'Ukentlige møter\r\nfra mars.' })
      .expect(303);
    expect(done.headers.location).toBe(`${pagePath(surveyId)}?notice=updated#action-${id}`);
    const row = await app.db
      .selectFrom('actions')
      .select(['status', 'note'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ status: 'done', note: 'Ukentlige møter\nfra mars.' });
    const after = await org.admin.agent.get(pagePath(surveyId)).expect(200);
    const cells = rowsOn(after.text).get(id);
    expect(cells).toContain('Fullført');
    expect(after.text).toContain('<td>Ukentlige møter<br>fra mars.</td>');
    // Done: no longer overdue, whatever its date.
    expect(cells).not.toContain('forfalt');
  });

  it('refuses a form post without the CSRF token', async () => {
    const { surveyId, criteria } = await newWave('CSRF');
    await org.admin.agent
      .post(pagePath(surveyId))
      .type('form')
      .send({ criterion: criteria[0]?.id, title: 'X' })
      .expect(403);
    expect(await countActionsOf(surveyId)).toBe(0);
  });

  it('shows a KAM only their own accounts’ actions and offers only their own accounts', async () => {
    const { surveyId } = await newWave('KAM-siden');
    const karis = await recordAction(
      manager.key,
      { accountId: accounts.kari, title: 'Karis tiltak' },
      surveyId,
    );
    const olas = await recordAction(manager.key, { accountId: accounts.ola, title: 'Olas tiltak' }, surveyId);
    await recordAction(manager.key, { title: 'Felles tiltak' }, surveyId);
    const page = await kari.agent.get(pagePath(surveyId)).expect(200);
    expect([...rowsOn(page.text).keys()]).toEqual([karis]);
    expect(page.text).not.toContain('Olas tiltak');
    expect(page.text).not.toContain('Felles tiltak');
    const accountSelect = /<select id="accountId"[\s\S]*?<\/select>/.exec(page.text)?.[0] ?? '';
    expect(accountSelect).toContain('Karis kunde');
    expect(accountSelect).not.toContain('Olas kunde');
    expect(accountSelect).not.toContain('Kunde uten KAM');

    // Ola's action cannot be changed through Kari's page either.
    await kari.agent
      .post(`${pagePath(surveyId)}/${olas}`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), status: 'done' })
      .expect(404);
    // A forged account of another KAM is refused.
    await kari.agent
      .post(pagePath(surveyId))
      .type('form')
      .send({
        _csrf: csrfFrom(page.text),
        criterion: org.criteria[0]?.id,
        title: 'X',
        accountId: accounts.ola,
      })
      .expect(400);
  });

  it('proposes the criteria in “Concentrate here” first in the criterion list', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Forslag AS' });
    // One customer: availability important and poorly delivered; advice important and well delivered;
    // the rest less important. Grand means: importance (10 + 10 + 10 × 5) / 12 = 5.83, performance
    // (2 + 10 + 10 × 6) / 12 = 6 — only availability is important (≥ 5.83) and below par (< 6).
    const answers = wave.customerCriteria.map((c) => {
      if (c.key === 'availability') return { criterionId: c.id, importance: 10, performance: 2 };
      if (c.key === 'advice') return { criterionId: c.id, importance: 10, performance: 10 };
      return { criterionId: c.id, importance: 5, performance: 6 };
    });
    await supertest(app.server).post(wave.customerPath).send({ answers, submit: true }).expect(200);
    const page = await wave.admin.agent.get(`/surveys/${wave.surveyId}/actions`).expect(200);
    const proposed = /<optgroup label="Foreslått: konsentrer innsatsen her">([\s\S]*?)<\/optgroup>/.exec(
      page.text,
    )?.[1];
    expect(proposed?.match(/<option [^>]*>([^<]*)<\/option>/g)).toEqual([
      `<option value="${wave.criteria.find((c) => c.key === 'availability')?.id}">Tilgjengelighet</option>`,
    ]);
  });

  it('answers 404 for another organisation’s wave and lists the page in English', async () => {
    await org.admin.agent.get(pagePath(other.surveyId)).expect(404);
    const en = await org.admin.agent.get(`${pagePath()}?lang=en`).expect(200);
    expect(en.text).toContain('Record an action');
    await org.admin.agent.get(`${pagePath()}?lang=nb`).expect(200);
  });
});

function countActionsOf(surveyId: string) {
  return app.db
    .selectFrom('actions')
    .select((eb) => eb.fn.countAll<string>().as('count'))
    .where('survey_id', '=', surveyId)
    .executeTakeFirstOrThrow()
    .then((row) => Number(row.count));
}

describe('GET /actions', () => {
  it('lists the signed-in user’s open actions across waves, not done ones nor others’; managers can see all', async () => {
    const owner = await member(org.organizationId, 'manager', 'Åse Ansvarlig');
    const first = await newWave('Bølge 1');
    const second = await newWave('Bølge 2');
    const planned = await recordAction(
      manager.key,
      { ownerUserId: owner.userId, title: 'Planlagt A' },
      first.surveyId,
    );
    const started = await recordAction(
      manager.key,
      { ownerUserId: owner.userId, title: 'Pågår B', status: 'in_progress', dueDate: PAST },
      second.surveyId,
    );
    await recordAction(
      manager.key,
      { ownerUserId: owner.userId, title: 'Ferdig C', status: 'done' },
      first.surveyId,
    );
    await recordAction(manager.key, { ownerUserId: manager.userId, title: 'Annens D' }, first.surveyId);

    const page = await owner.agent.get('/actions').expect(200);
    expect(page.text).toContain('Mine åpne tiltak');
    const table = /data-testid="open-actions"[\s\S]*?<\/table>/.exec(page.text)?.[0] ?? '';
    const ids = [...table.matchAll(/<tr id="action-([0-9a-f-]+)"/g)].map((match) => match[1]);
    // The earliest due date first; none last.
    expect(ids).toEqual([started, planned]);
    expect(table).toContain(`href="/surveys/${second.surveyId}/actions#action-${started}"`);
    expect(table).toContain('(forfalt)');
    expect(table).not.toContain('Ferdig C');
    expect(table).not.toContain('Annens D');

    const all = await owner.agent.get('/actions?all=1').expect(200);
    expect(all.text).toContain('Alle åpne tiltak');
    expect(all.text).toContain('Annens D');
    expect(all.text).not.toContain('Ferdig C');
  });

  it('keeps a KAM to their own open actions in their portfolio, even with ?all=1', async () => {
    const { surveyId } = await newWave('KAM åpne');
    await recordAction(
      manager.key,
      { ownerUserId: ola.userId, accountId: accounts.ola, title: 'Olas egne' },
      surveyId,
    );
    await recordAction(
      manager.key,
      { ownerUserId: manager.userId, accountId: accounts.ola, title: 'Lederens' },
      surveyId,
    );
    const page = await ola.agent.get('/actions?all=1').expect(200);
    expect(page.text).toContain('Mine åpne tiltak');
    expect(page.text).toContain('Olas egne');
    expect(page.text).not.toContain('Lederens');
    expect(page.text).not.toContain('?all=1');
  });

  it('is linked from the navigation of a signed-in user', async () => {
    const page = await kari.agent.get('/surveys').expect(200);
    expect(page.text).toContain('<a href="/actions">Tiltak</a>');
  });
});

describe('GET /surveys/:id/actions.csv', () => {
  it('exports the wave’s actions, scoped for a KAM, with formula-looking cells neutralised', async () => {
    const { surveyId } = await newWave('Eksport "2026"');
    await recordAction(
      manager.key,
      {
        accountId: accounts.kari,
        ownerUserId: kari.userId,
        title: '=HYPERLINK("x")',
        dueDate: FUTURE,
        note: 'To\nlinjer',
      },
      surveyId,
    );
    await recordAction(
      manager.key,
      { criterionKey: 'trust', accountId: accounts.ola, title: 'Olas' },
      surveyId,
    );

    const response = await manager.agent.get(`${pagePath(surveyId)}.csv`).expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="eksport-2026-tiltak\.csv"/,
    );
    expect(response.text.startsWith('\uFEFF')).toBe(true);
    const rows = parse(response.text, { delimiter: ';', bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(rows).toHaveLength(2);
    expect(rows[0]).toEqual({
      Undersøkelse: 'Eksport "2026"',
      Kriterienøkkel: 'availability',
      Kriterium: 'Tilgjengelighet',
      Tiltak: `'=HYPERLINK("x")`,
      Kunde: 'Karis kunde',
      Ansvarlig: 'Kari KAM',
      Frist: FUTURE,
      Status: 'Planlagt',
      Notat: 'To\nlinjer',
      Opprettet: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/),
      Endret: expect.stringMatching(/Z$/),
    });
    expect(rows[1]).toMatchObject({ Kriterienøkkel: 'trust', Tiltak: 'Olas', Kunde: 'Olas kunde' });

    const asKari = await kari.agent.get(`${pagePath(surveyId)}.csv?lang=en`).expect(200);
    const kariRows = parse(asKari.text, { delimiter: ';', bom: true, columns: true }) as Record<
      string,
      string
    >[];
    expect(kariRows.map((row) => row.Action)).toEqual([`'=HYPERLINK("x")`]);
    expect(kariRows[0]?.Status).toBe('Planned');

    await manager.agent.get(`${pagePath(other.surveyId)}.csv`).expect(404);
    // An API key works for the download too.
    await supertest(app.server)
      .get(`${pagePath(surveyId)}.csv`)
      .set('Authorization', `Bearer ${manager.key}`)
      .expect(200);
  });
});
