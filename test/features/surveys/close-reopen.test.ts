import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chooseWelcomePassword } from '../../helpers/accounts.js';
import { buildTestApp } from '../../helpers/app.js';
import { createApiKey, csrfFrom, submitForm, uniqueEmail } from '../../helpers/http.js';
import { apiClient, customerAnswers, type SurveyCriterion, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

const http = () => supertest(app.server);
const DAY_MS = 24 * 3600 * 1000;
const daysAgo = (days: number) => new Date(Date.now() - days * DAY_MS);

/**
 * An open wave with five invitations: a customer who submitted, a customer and a seller who saved without
 * submitting, a customer who never started, and a revoked customer link that had been saved.
 */
async function waveWithRespondents() {
  const wave = await setUpWave(app);
  const customer = (name: string) => ({
    role: 'customer',
    email: uniqueEmail(name),
    name,
    accountId: wave.accountId,
  });
  const invited = await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        customer('submitted'),
        customer('started'),
        { role: 'seller', email: uniqueEmail('seller'), name: 'started seller' },
        customer('never'),
        customer('revoked'),
      ],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
  const [submitted, started, seller, , revoked] = (
    invited.body.invitations as Array<{ id: string; url: string }>
  ).map((invitation) => ({ ...invitation, path: new URL(invitation.url).pathname }));
  const first = wave.criteria[0] as SurveyCriterion;
  await http()
    .post(submitted?.path as string)
    .send({ answers: customerAnswers(wave.criteria), submit: true })
    .expect(200);
  for (const path of [started?.path, seller?.path, revoked?.path]) {
    await http()
      .post(path as string)
      .send({ answers: [{ criterionId: first.id, importance: 7 }] })
      .expect(200);
  }
  const agent = wave.admin.agent;
  const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
  await agent
    .post(`/surveys/${wave.surveyId}/invitations/${revoked?.id}/revoke`)
    .type('form')
    .send({ _csrf: csrfFrom(page.text) })
    .expect(303);
  return { ...wave, startedPath: started?.path as string };
}

async function surveyRow(surveyId: string) {
  return app.db
    .selectFrom('surveys')
    .select(['status', 'closed_at', 'closes_at'])
    .where('id', '=', surveyId)
    .executeTakeFirstOrThrow();
}

/** Sets what the database knows of a wave's closing, as if time had passed. */
async function setClosing(surveyId: string, values: { closed_at?: Date | null; closes_at?: Date | null }) {
  await app.db.updateTable('surveys').set(values).where('id', '=', surveyId).execute();
}

describe('closing a wave on its page', () => {
  it('offers "close" as a link to a confirmation page, not as a form that closes at once', async () => {
    const wave = await waveWithRespondents();
    const page = await wave.admin.agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toContain(`<a class="button secondary" href="/surveys/${wave.surveyId}/close">`);
    expect(page.text).not.toContain(`action="/surveys/${wave.surveyId}/close"`);
  });

  it('asks for confirmation and says how many started but unsubmitted responses it leaves out', async () => {
    const wave = await waveWithRespondents();
    const confirm = await wave.admin.agent.get(`/surveys/${wave.surveyId}/close`).expect(200);
    expect(confirm.text).toContain('<h1>Stenge «Høst 2026»?</h1>');
    // The started customer and the started seller; not the revoked link, not the one never started.
    expect(confirm.text).toMatch(
      /data-testid="close-unsubmitted"><strong>2 svar er påbegynt, men ikke sendt inn\. De blir ikke med i resultatene\.<\/strong>/,
    );
    expect(confirm.text).toContain('Sendt inn: 1 fra kunder og 0 fra selgere.');
    expect(confirm.text).toContain('Du kan åpne undersøkelsen igjen i 30 dager etter at den er stengt.');
    expect(confirm.text).toContain(
      '<button type="submit" name="confirm" value="yes">Ja, steng undersøkelsen</button>',
    );
    expect((await surveyRow(wave.surveyId)).status).toBe('open');

    const english = await wave.admin.agent.get(`/surveys/${wave.surveyId}/close?lang=en`).expect(200);
    expect(english.text).toContain(
      '2 responses have been started but not submitted. They will be left out of the results.',
    );
  });

  it('says it in the singular for one, and that nobody is left out for none', async () => {
    const wave = await setUpWave(app);
    const invited = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [{ role: 'seller', email: uniqueEmail('s') }],
      })
      .expect(201);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
    const none = await wave.admin.agent.get(`/surveys/${wave.surveyId}/close`).expect(200);
    expect(none.text).toContain('Ingen har påbegynt svar som ikke er sendt inn.');

    // Saved with no answer at all is still started.
    await http().post(new URL(invited.body.invitations[0].url).pathname).send({ answers: [] }).expect(200);
    const one = await wave.admin.agent.get(`/surveys/${wave.surveyId}/close`).expect(200);
    expect(one.text).toContain('1 svar er påbegynt, men ikke sendt inn. Det blir ikke med i resultatene.');
  });

  it('closes on confirmation (303 to the wave page): respondents get "closed", the wave offers reopening', async () => {
    const wave = await waveWithRespondents();
    const agent = wave.admin.agent;
    const confirm = await agent.get(`/surveys/${wave.surveyId}/close`).expect(200);
    const closed = await agent
      .post(`/surveys/${wave.surveyId}/close`)
      .type('form')
      .send({ _csrf: csrfFrom(confirm.text), confirm: 'yes' })
      .expect(303);
    expect(closed.headers.location).toBe(`/surveys/${wave.surveyId}`);
    const row = await surveyRow(wave.surveyId);
    expect(row.status).toBe('closed');
    expect(row.closed_at?.getTime()).toBeGreaterThan(Date.now() - 60_000);
    await http().get(wave.startedPath).expect(410);

    const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toMatch(
      /data-testid="reopen-until">Kan åpnes igjen til og med \d+\. \w+ \d{4} kl\. \d\d:\d\d\./,
    );
    expect(page.text).toContain(`action="/surveys/${wave.surveyId}/reopen"`);
  });

  it('sends a post without the confirmation back to the confirmation page and closes nothing', async () => {
    const wave = await waveWithRespondents();
    const agent = wave.admin.agent;
    const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    const response = await agent
      .post(`/surveys/${wave.surveyId}/close`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(response.headers.location).toBe(`/surveys/${wave.surveyId}/close`);
    expect((await surveyRow(wave.surveyId)).status).toBe('open');
  });

  it('refuses to close a closed wave or a draft with 409 and says why, changing nothing', async () => {
    const wave = await waveWithRespondents();
    const agent = wave.admin.agent;
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    const before = await surveyRow(wave.surveyId);
    const again = await agent.get(`/surveys/${wave.surveyId}/close`).expect(409);
    expect(again.text).toContain('Undersøkelsen er allerede stengt.');
    const posted = await agent
      .post(`/surveys/${wave.surveyId}/close`)
      .type('form')
      .send({ _csrf: csrfFrom(again.text), confirm: 'yes' })
      .expect(409);
    expect(posted.text).toContain('<p class="alert" role="alert">Undersøkelsen er allerede stengt.</p>');
    expect(await surveyRow(wave.surveyId)).toEqual(before);

    const draft = await wave.api.post('/api/v1/surveys', { name: 'Utkast' }).expect(201);
    const notOpen = await agent.get(`/surveys/${draft.body.id}/close`).expect(409);
    expect(notOpen.text).toContain('Undersøkelsen er ikke åpnet, så den kan ikke stenges.');
    expect((await surveyRow(draft.body.id)).status).toBe('draft');
  });
});

describe('POST /api/v1/surveys/:id/close', () => {
  it('closes without a confirmation step: calling is the confirmation', async () => {
    const wave = await waveWithRespondents();
    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    expect(body).toEqual({ id: wave.surveyId, status: 'closed' });
    const row = await surveyRow(wave.surveyId);
    expect(row.status).toBe('closed');
    expect(row.closed_at).toBeInstanceOf(Date);
    const survey = (await wave.api.get(`/api/v1/surveys/${wave.surveyId}`).expect(200)).body;
    expect(new Date(survey.reopenableUntil).getTime()).toBe((row.closed_at as Date).getTime() + 30 * DAY_MS);
  });

  it('answers 409 SURVEY_ALREADY_CLOSED for a closed wave and keeps its closing time', async () => {
    const wave = await waveWithRespondents();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    const before = await surveyRow(wave.surveyId);
    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(409);
    expect(body.error).toEqual({ code: 'SURVEY_ALREADY_CLOSED', message: 'The wave is already closed' });
    expect(await surveyRow(wave.surveyId)).toEqual(before);
  });

  it('treats a wave past its close date as already closed, so closing it cannot restart the reopen window', async () => {
    const wave = await waveWithRespondents();
    await setClosing(wave.surveyId, { closes_at: daysAgo(40) });
    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(409);
    expect(body.error.code).toBe('SURVEY_ALREADY_CLOSED');
    expect((await surveyRow(wave.surveyId)).closed_at).toBeNull();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(409);
  });

  it('answers 409 SURVEY_NOT_OPEN for a draft', async () => {
    const { api, surveyId } = await setUpWave(app);
    const { body } = await api.post(`/api/v1/surveys/${surveyId}/close`).expect(409);
    expect(body.error.code).toBe('SURVEY_NOT_OPEN');
    expect((await surveyRow(surveyId)).status).toBe('draft');
  });
});

describe('POST /api/v1/surveys/:id/reopen', () => {
  it('reopens a wave closed 29 days and 23 hours ago: respondents can continue where they left off', async () => {
    const wave = await waveWithRespondents();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    await setClosing(wave.surveyId, { closed_at: new Date(Date.now() - 30 * DAY_MS + 3600 * 1000) });
    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(200);
    expect(body).toEqual({ id: wave.surveyId, status: 'open' });
    expect(await surveyRow(wave.surveyId)).toEqual({ status: 'open', closed_at: null, closes_at: null });
    const form = await http().get(wave.startedPath).expect(200);
    expect(form.text).toContain('0 av 12 besvart');
    expect(form.text).toMatch(/value="7" checked/);
  });

  it('refuses a wave closed more than 30 days ago with 409 REOPEN_WINDOW_PASSED, changing nothing', async () => {
    const wave = await waveWithRespondents();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    await setClosing(wave.surveyId, { closed_at: new Date(Date.now() - 30 * DAY_MS - 60_000) });
    const before = await surveyRow(wave.surveyId);
    const { body } = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(409);
    expect(body.error).toEqual({
      code: 'REOPEN_WINDOW_PASSED',
      message: 'The wave closed more than 30 days ago; its results are final and it cannot be reopened',
    });
    expect(await surveyRow(wave.surveyId)).toEqual(before);
    await http().get(wave.startedPath).expect(410);
  });

  it('reopens a wave closed by its close date within 30 days, removing the passed date', async () => {
    const wave = await waveWithRespondents();
    await setClosing(wave.surveyId, { closes_at: daysAgo(2) });
    await http().get(wave.startedPath).expect(410);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(200);
    expect(await surveyRow(wave.surveyId)).toEqual({ status: 'open', closed_at: null, closes_at: null });
    await http().get(wave.startedPath).expect(200);
  });

  it('keeps a close date still ahead when reopening a wave closed by hand', async () => {
    const wave = await waveWithRespondents();
    const ahead = new Date(Date.now() + 10 * DAY_MS);
    await setClosing(wave.surveyId, { closes_at: ahead });
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(200);
    expect((await surveyRow(wave.surveyId)).closes_at?.getTime()).toBe(ahead.getTime());
  });

  it('answers 409 SURVEY_NOT_CLOSED for an open wave or a draft', async () => {
    const wave = await waveWithRespondents();
    const open = await wave.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(409);
    expect(open.body.error.code).toBe('SURVEY_NOT_CLOSED');
    const draft = await wave.api.post('/api/v1/surveys', { name: 'Utkast' }).expect(201);
    const notClosed = await wave.api.post(`/api/v1/surveys/${draft.body.id}/reopen`).expect(409);
    expect(notClosed.body.error.code).toBe('SURVEY_NOT_CLOSED');
    expect((await surveyRow(draft.body.id)).status).toBe('draft');
  });

  it('is for managers of the wave’s own organisation: 403 for a KAM, 404 for another organisation', async () => {
    const wave = await waveWithRespondents();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    const email = uniqueEmail('kam');
    await submitForm(wave.admin.agent, '/users', '/users', {
      name: 'K',
      email,
      role: 'kam',
    });
    await chooseWelcomePassword(app, email, 'kam password 123');
    const kam = supertest.agent(app.server);
    await submitForm(kam, '/login', '/login', { email, password: 'kam password 123' });
    await apiClient(app, await createApiKey(kam))
      .post(`/api/v1/surveys/${wave.surveyId}/reopen`)
      .expect(403);
    const other = await setUpWave(app, { organization: 'Andre AS' });
    await other.api.post(`/api/v1/surveys/${wave.surveyId}/reopen`).expect(404);
    expect((await surveyRow(wave.surveyId)).status).toBe('closed');
  });
});

describe('reopening on the wave page', () => {
  it('reopens within the window (303), and past it shows why not and answers a post with 409', async () => {
    const wave = await waveWithRespondents();
    const agent = wave.admin.agent;
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    const reopened = await agent
      .post(`/surveys/${wave.surveyId}/reopen`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text) })
      .expect(303);
    expect(reopened.headers.location).toBe(`/surveys/${wave.surveyId}`);
    expect((await surveyRow(wave.surveyId)).status).toBe('open');

    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    await setClosing(wave.surveyId, { closed_at: daysAgo(31) });
    const final = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(final.text).toContain(
      'Stengt for mer enn 30 dager siden: resultatene er endelige, og den kan ikke åpnes igjen.',
    );
    expect(final.text).not.toContain(`action="/surveys/${wave.surveyId}/reopen"`);
    const refused = await agent
      .post(`/surveys/${wave.surveyId}/reopen`)
      .type('form')
      .send({ _csrf: csrfFrom(final.text) })
      .expect(409);
    expect(refused.text).toContain(
      'Undersøkelsen ble stengt for mer enn 30 dager siden. Resultatene er endelige, og den kan ikke åpnes igjen.',
    );
    expect((await surveyRow(wave.surveyId)).status).toBe('closed');
  });
});

describe('the database’s rules for closing', () => {
  it('refuse to reopen a wave closed more than 30 days ago, whoever writes', async () => {
    const wave = await waveWithRespondents();
    await wave.api.post(`/api/v1/surveys/${wave.surveyId}/close`).expect(200);
    await setClosing(wave.surveyId, { closed_at: daysAgo(31) });
    await expect(
      app.db
        .updateTable('surveys')
        .set({ status: 'open', closed_at: null })
        .where('id', '=', wave.surveyId)
        .execute(),
    ).rejects.toMatchObject({ code: '23514', constraint: 'surveys_reopen_window_check' });
    // Nor by moving a passed close date of a wave that closed by it long ago.
    const byDate = await waveWithRespondents();
    await setClosing(byDate.surveyId, { closes_at: daysAgo(31) });
    await expect(
      setClosing(byDate.surveyId, { closes_at: new Date(Date.now() + DAY_MS) }),
    ).rejects.toMatchObject({ constraint: 'surveys_reopen_window_check' });
  });

  it('keep a closed_at exactly while closed, and date a late close of a wave past its close date to that date', async () => {
    const wave = await waveWithRespondents();
    await expect(setClosing(wave.surveyId, { closed_at: new Date() })).rejects.toMatchObject({
      constraint: 'surveys_closed_check',
    });
    const closesAt = daysAgo(40);
    await setClosing(wave.surveyId, { closes_at: closesAt });
    await app.db
      .updateTable('surveys')
      .set({ status: 'closed', closed_at: sql`now()` })
      .where('id', '=', wave.surveyId)
      .execute();
    expect((await surveyRow(wave.surveyId)).closed_at?.getTime()).toBe(closesAt.getTime());
  });
});
