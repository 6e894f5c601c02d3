import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findMessageContext } from '../../../server/features/email/email.queries.js';
import { renderMessage } from '../../../server/features/email/email.templates.js';
import { hashToken } from '../../../server/features/surveys/invitation-links.js';
import { buildTestApp } from '../../helpers/app.js';
import { signUp, submitForm } from '../../helpers/http.js';
import { customerAnswers, openWaveWithRespondents, type SurveyCriterion } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

const http = () => supertest(app.server);

/** The stored response of a link (undefined when none), with its overall answer and its revisions. */
async function stored(path: string) {
  const invitation = await app.db
    .selectFrom('invitations')
    .select(['organization_id', 'id'])
    .where('token_hash', '=', hashToken(path.split('/r/')[1] as string))
    .executeTakeFirstOrThrow();
  const response = await app.db
    .selectFrom('responses')
    .select(['id', 'status', 'overall_answered', 'overall_score'])
    .where('organization_id', '=', invitation.organization_id)
    .where('invitation_id', '=', invitation.id)
    .executeTakeFirst();
  const revisions = response
    ? await app.db
        .selectFrom('response_revisions')
        .select(['version', 'status', 'overall_answered', 'overall_score'])
        .where('response_id', '=', response.id)
        .orderBy('version')
        .execute()
    : [];
  return { response, revisions };
}

/** A complete browser form for a customer (no overall field). */
function customerForm(criteria: readonly SurveyCriterion[], score = 8): Record<string, string> {
  const form: Record<string, string> = {};
  for (const criterion of criteria.filter((c) => c.audience === 'both')) {
    form[`i_${criterion.id}`] = String(score);
    form[`p_${criterion.id}`] = String(score - 1);
  }
  return form;
}

/** The radio inputs named `overall` on a page, with the value that is checked (if any). */
function overallRadios(html: string) {
  const inputs = [...html.matchAll(/<input type="radio" name="overall" value="([^"]+)"( checked)?>/g)];
  return { values: inputs.map((m) => m[1]), checked: inputs.filter((m) => m[2]).map((m) => m[1]) };
}

const QUESTION_NB = 'Alt i alt, hvor fornøyd er du med Mediehuset AS?';
const QUESTION_EN = 'Overall, how satisfied are you with Mediehuset AS?';

describe('the overall satisfaction question on the respondent form', () => {
  it('is asked of customers after the criteria and before the comment, in nb and en, with 1–10 and «Vet ikke»', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    const page = await http().get(wave.customerPath).expect(200);
    expect(page.text).toContain(QUESTION_NB);
    expect(overallRadios(page.text)).toEqual({
      values: ['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', 'dk'],
      checked: [],
    });
    const question = page.text.indexOf(QUESTION_NB);
    const lastCriterion = page.text.lastIndexOf('<fieldset class="criterion');
    expect(lastCriterion).toBeGreaterThan(0);
    expect(question).toBeGreaterThan(lastCriterion);
    expect(question).toBeLessThan(page.text.indexOf('<textarea id="comment"'));
    // A fieldset with its question as legend, like every rating.
    expect(page.text).toMatch(
      /<fieldset class="overall" id="overall-question"\s*>\s*<legend><strong>Alt i alt/,
    );

    const en = await http().get(`${wave.customerPath}?lang=en`).expect(200);
    expect(en.text).toContain(QUESTION_EN);
    expect(en.text).toContain('<span>Don&#x27;t know</span>');
  });

  it('is never asked of sellers', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    const page = await http().get(wave.sellerPath).expect(200);
    expect(page.text).not.toContain('Alt i alt');
    expect(overallRadios(page.text).values).toEqual([]);
  });

  it('is not asked when the wave has it switched off', async () => {
    const wave = await openWaveWithRespondents(app, {
      organization: 'Mediehuset AS',
      overallQuestion: false,
    });
    const page = await http().get(wave.customerPath).expect(200);
    expect(page.text).not.toContain('Alt i alt');
    expect(overallRadios(page.text).values).toEqual([]);
    // Submitting without it is complete.
    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), action: 'submit' })
      .expect(303);
    expect((await stored(wave.customerPath)).response).toMatchObject({
      status: 'submitted',
      overall_answered: false,
      overall_score: null,
    });
  });
});

describe('the time the invitation email promises', () => {
  it('counts overall satisfaction as one more rating for customers of a wave that asks it', async () => {
    const minutes = async (overallQuestion: boolean) => {
      const wave = await openWaveWithRespondents(app, { overallQuestion });
      const messages = await app.db
        .selectFrom('email_messages')
        .innerJoin('invitations', 'invitations.id', 'email_messages.invitation_id')
        .select(['email_messages.organization_id', 'email_messages.id', 'invitations.role'])
        .where('email_messages.survey_id', '=', wave.surveyId)
        .execute();
      const byRole: Record<string, string | undefined> = {};
      for (const message of messages) {
        const context = await findMessageContext(app.db, message.organization_id, message.id);
        if (!context) throw new Error('no message context');
        const { text } = renderMessage(context, {
          url: 'http://localhost/r/x',
          optOutUrl: 'http://localhost/u/x',
          mailFrom: 'noreply@example.no',
          intro: null,
        });
        byRole[message.role] = /Det tar omtrent (\d+) minutter/.exec(text)?.[1];
      }
      return byRole;
    };
    // 12 criteria × 2 + 1 = 25 ratings: 13 minutes; without the question 12; a seller's 13 ratings: 7.
    expect(await minutes(true)).toEqual({ customer: '13', seller: '7' });
    expect(await minutes(false)).toEqual({ customer: '12', seller: '7' });
  });
});

describe('POST /r/:token (browser form) with overall satisfaction', () => {
  it('refuses a submit without it: 400, the error at the question, the other answers kept, nothing stored', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    const first = wave.customerCriteria[0] as SurveyCriterion;
    const refused = await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), action: 'submit' })
      .expect(400);
    expect(refused.text).toMatch(
      /<fieldset class="overall invalid" id="overall-question" aria-describedby="overall-error">/,
    );
    expect(refused.text).toContain('<p class="field-error" id="overall-error">');
    expect(refused.text).toContain('Svar på dette (eller velg «Vet ikke»).');
    expect(refused.text).toContain(`name="i_${first.id}" value="8" checked`);
    expect((await stored(wave.customerPath)).response).toBeUndefined();
  });

  it('keeps an invalid value out: 400 with «Velg en karakter», nothing stored', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    const refused = await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), overall: '11', action: 'submit' })
      .expect(400);
    expect(refused.text).toContain('Velg en karakter fra 1 til 10 eller «Vet ikke».');
    expect((await stored(wave.customerPath)).response).toBeUndefined();
  });

  it('saves for later without it, stores «Vet ikke» as answered without a score, and shows the stored answer checked', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), action: 'save' })
      .expect(303);
    expect((await stored(wave.customerPath)).response).toMatchObject({
      status: 'in_progress',
      overall_answered: false,
      overall_score: null,
    });

    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), overall: 'dk', action: 'submit' })
      .expect(303);
    expect((await stored(wave.customerPath)).response).toMatchObject({
      status: 'submitted',
      overall_answered: true,
      overall_score: null,
    });
    expect(overallRadios((await http().get(wave.customerPath).expect(200)).text).checked).toEqual(['dk']);

    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), overall: '7', action: 'submit' })
      .expect(303);
    const after = await stored(wave.customerPath);
    expect(after.response).toMatchObject({ overall_answered: true, overall_score: 7 });
    expect(overallRadios((await http().get(wave.customerPath).expect(200)).text).checked).toEqual(['7']);
    // Every version is in the audit trail with its overall answer.
    expect(after.revisions).toEqual([
      { version: 1, status: 'in_progress', overall_answered: false, overall_score: null },
      { version: 2, status: 'submitted', overall_answered: true, overall_score: null },
      { version: 3, status: 'submitted', overall_answered: true, overall_score: 7 },
    ]);
  });

  it('refuses an edit after submitting that leaves it out, keeping the stored answer', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), overall: '9', action: 'submit' })
      .expect(303);
    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria, 5), action: 'save' })
      .expect(400);
    expect((await stored(wave.customerPath)).response).toMatchObject({ overall_score: 9 });
  });

  it('refuses the field from a seller as a field that does not belong to the survey', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS', overallQuestion: true });
    const form: Record<string, string> = { action: 'submit', overall: '5' };
    for (const criterion of wave.criteria) form[`i_${criterion.id}`] = '6';
    const refused = await http().post(wave.sellerPath).type('form').send(form).expect(400);
    expect(refused.text).toContain('Skjemaet inneholder felt som ikke hører til undersøkelsen.');
    expect((await stored(wave.sellerPath)).response).toBeUndefined();
  });
});

describe('POST /r/:token (JSON) with overall satisfaction', () => {
  it('stores a number, and null as «don’t know»', async () => {
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    const answers = customerAnswers(wave.criteria);
    expect(
      (await http().post(wave.customerPath).send({ answers, overall: 3, submit: true }).expect(200)).body,
    ).toEqual({ status: 'submitted' });
    expect((await stored(wave.customerPath)).response).toMatchObject({
      overall_answered: true,
      overall_score: 3,
    });
    await http().post(wave.customerPath).send({ answers, overall: null, submit: true }).expect(200);
    expect((await stored(wave.customerPath)).response).toMatchObject({
      overall_answered: true,
      overall_score: null,
    });
  });

  it('refuses a submit without it (400 unanswered, nothing stored) but saves for later without it', async () => {
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    const answers = customerAnswers(wave.criteria);
    const refused = await http().post(wave.customerPath).send({ answers, submit: true }).expect(400);
    expect(refused.body.error).toMatchObject({
      code: 'VALIDATION',
      fields: [
        { field: 'overall', code: 'unanswered', message: 'Please answer this (or choose "Don\'t know").' },
      ],
    });
    expect((await stored(wave.customerPath)).response).toBeUndefined();

    expect((await http().post(wave.customerPath).send({ answers, submit: false }).expect(200)).body).toEqual({
      status: 'saved',
    });
    expect((await stored(wave.customerPath)).response).toMatchObject({
      status: 'in_progress',
      overall_answered: false,
    });
  });

  it('refuses a score outside 1–10 or not a whole number with invalid_score', async () => {
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    const answers = customerAnswers(wave.criteria);
    for (const overall of [0, 11, 7.5, '7']) {
      const refused = await http()
        .post(wave.customerPath)
        .send({ answers, overall, submit: true })
        .expect(400);
      expect(refused.body.error.fields).toEqual([
        expect.objectContaining({ field: 'overall', code: 'invalid_score' }),
      ]);
    }
    expect((await stored(wave.customerPath)).response).toBeUndefined();
  });

  it('refuses a number from a seller or for a wave without the question (unknown field); null is dropped', async () => {
    const asked = await openWaveWithRespondents(app, { overallQuestion: true });
    const sellerAnswers = asked.criteria.map((c) => ({ criterionId: c.id, importance: 7 }));
    const refused = await http()
      .post(asked.sellerPath)
      .send({ answers: sellerAnswers, overall: 8, submit: true })
      .expect(400);
    expect(refused.body.error.fields).toEqual([
      expect.objectContaining({ field: 'overall', code: 'unknown_field' }),
    ]);
    expect((await stored(asked.sellerPath)).response).toBeUndefined();
    await http()
      .post(asked.sellerPath)
      .send({ answers: sellerAnswers, overall: null, submit: true })
      .expect(200);
    expect((await stored(asked.sellerPath)).response).toMatchObject({
      status: 'submitted',
      overall_answered: false,
      overall_score: null,
    });

    const notAsked = await openWaveWithRespondents(app, { overallQuestion: false });
    const answers = customerAnswers(notAsked.criteria);
    const off = await http()
      .post(notAsked.customerPath)
      .send({ answers, overall: 8, submit: true })
      .expect(400);
    expect(off.body.error.fields).toEqual([
      expect.objectContaining({ field: 'overall', code: 'unknown_field' }),
    ]);
    await http().post(notAsked.customerPath).send({ answers, submit: true }).expect(200);
    expect((await stored(notAsked.customerPath)).response).toMatchObject({ overall_answered: false });
    // The database refuses it too, whoever writes.
    const id = (await stored(notAsked.customerPath)).response?.id as string;
    await expect(
      app.db
        .updateTable('responses')
        .set({ overall_answered: true, overall_score: 8 })
        .where('id', '=', id)
        .execute(),
    ).rejects.toThrow(/responses_overall_asked_check/);
  });

  it('is refused by the database for a seller, outside 1–10, or a score without an answer', async () => {
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    await http()
      .post(wave.sellerPath)
      .send({ answers: wave.criteria.map((c) => ({ criterionId: c.id, importance: 7 })), submit: true })
      .expect(200);
    await http()
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria), overall: 6, submit: true })
      .expect(200);
    const seller = (await stored(wave.sellerPath)).response?.id as string;
    const customer = (await stored(wave.customerPath)).response?.id as string;
    const set = (id: string, values: { overall_answered?: boolean; overall_score?: number | null }) =>
      app.db.updateTable('responses').set(values).where('id', '=', id).execute();
    await expect(set(seller, { overall_answered: true, overall_score: 5 })).rejects.toThrow(
      /responses_overall_role_check/,
    );
    await expect(set(customer, { overall_score: 11 })).rejects.toThrow(/responses_overall_score_check/);
    await expect(set(customer, { overall_answered: false })).rejects.toThrow(
      /responses_overall_answered_check/,
    );
  });
});

describe('the wave setting overallQuestion', () => {
  it('is on by default in POST /api/v1/surveys, can be switched off, and shows in every survey JSON', async () => {
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    const byDefault = await wave.api.post('/api/v1/surveys', { name: 'Standard' }).expect(201);
    expect(byDefault.body.overallQuestion).toBe(true);
    const off = await wave.api.post('/api/v1/surveys', { name: 'Uten', overallQuestion: false }).expect(201);
    expect(off.body.overallQuestion).toBe(false);
    expect((await wave.api.get(`/api/v1/surveys/${off.body.id}`).expect(200)).body.overallQuestion).toBe(
      false,
    );
    expect(
      (await wave.api.get(`/api/v1/surveys/${byDefault.body.id}`).expect(200)).body.overallQuestion,
    ).toBe(true);
    const bad = await wave.api.post('/api/v1/surveys', { name: 'Feil', overallQuestion: 'yes' }).expect(400);
    expect(bad.body.error.fields).toEqual([expect.objectContaining({ field: 'overallQuestion' })]);
  });

  it('is kept by a copy (Run again), on and off', async () => {
    const on = await openWaveWithRespondents(app, { overallQuestion: true });
    const onCopy = await on.api.post(`/api/v1/surveys/${on.surveyId}/copy`).expect(201);
    expect(onCopy.body.overallQuestion).toBe(true);
    const off = await openWaveWithRespondents(app, { overallQuestion: false });
    const offCopy = await off.api.post(`/api/v1/surveys/${off.surveyId}/copy`).expect(201);
    expect(offCopy.body.overallQuestion).toBe(false);
  });

  it('is a checkbox on the new wave form, ticked by default, with a hint; the wave page says whether it is asked', async () => {
    const { agent } = await signUp(app);
    const list = await agent.get('/surveys').expect(200);
    expect(list.text).toMatch(
      /<label><input type="checkbox" id="overallQuestion" name="overallQuestion" aria-describedby="overallQuestion-hint" checked> Spør kundene om samlet tilfredshet<\/label>/,
    );
    expect(list.text).toContain('<p class="hint" id="overallQuestion-hint">');

    const ticked = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Med spørsmål',
      language: 'nb',
      closesAt: '',
      overallQuestion: 'on',
    });
    expect(ticked.status).toBe(303);
    const unticked = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Uten spørsmål',
      language: 'nb',
      closesAt: '',
    });
    expect(unticked.status).toBe(303);
    const flag = (location: string) =>
      app.db
        .selectFrom('surveys')
        .select('overall_question')
        .where('id', '=', location.split('/').pop() as string)
        .executeTakeFirstOrThrow();
    expect((await flag(ticked.headers.location as string)).overall_question).toBe(true);
    expect((await flag(unticked.headers.location as string)).overall_question).toBe(false);

    const askedPage = await agent.get(ticked.headers.location as string).expect(200);
    expect(askedPage.text).toMatch(/data-testid="overall-question">Kundene får også spørsmålet/);
    const offPage = await agent.get(`${unticked.headers.location}?lang=en`).expect(200);
    expect(offPage.text).toMatch(
      /data-testid="overall-question">Customers are not asked overall satisfaction in this wave/,
    );

    // A refused form keeps the box as it was sent.
    const refused = await submitForm(agent, '/surveys', '/surveys', {
      name: '',
      language: 'nb',
      closesAt: '',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/name="overallQuestion" aria-describedby="overallQuestion-hint">/);
  });
});
