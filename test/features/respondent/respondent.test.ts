import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { customerAnswers, openWaveWithRespondents, type SurveyCriterion } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

const http = () => supertest(app.server);
const tokenHashOf = async (path: string) => {
  const { hashToken } = await import('../../../server/features/surveys/invitation-links.js');
  return hashToken(path.split('/r/')[1] as string);
};

async function storedResponse(path: string) {
  const invitation = await app.db
    .selectFrom('invitations')
    .select(['organization_id', 'id'])
    .where('token_hash', '=', await tokenHashOf(path))
    .executeTakeFirstOrThrow();
  const response = await app.db
    .selectFrom('responses')
    .selectAll()
    .where('organization_id', '=', invitation.organization_id)
    .where('invitation_id', '=', invitation.id)
    .executeTakeFirst();
  const answers = response
    ? await app.db
        .selectFrom('answers')
        .select(['survey_criterion_id', 'dimension', 'score'])
        .where('response_id', '=', response.id)
        .orderBy('survey_criterion_id')
        .orderBy('dimension')
        .execute()
    : [];
  return { response, answers };
}

/** A complete browser form for a customer: every criterion rated `score` (importance) and `score - 1`. */
function customerForm(criteria: readonly SurveyCriterion[], score = 8): Record<string, string> {
  const form: Record<string, string> = {};
  for (const criterion of criteria.filter((c) => c.audience === 'both')) {
    form[`i_${criterion.id}`] = String(score);
    form[`p_${criterion.id}`] = String(score - 1);
  }
  return form;
}

describe('GET /r/:token', () => {
  it('renders the customer form in Norwegian: a fieldset per criterion, both questions, 1–10 and «Vet ikke»', async () => {
    const wave = await openWaveWithRespondents(app, { organization: 'Mediehuset AS' });
    const page = await http().get(wave.customerPath).expect(200);
    expect(page.text).toContain('<html lang="nb">');
    expect(page.text.match(/<fieldset class="criterion/g)).toHaveLength(12);
    expect(page.text).not.toContain('CRM-system');
    expect(page.text).toContain('Hvor viktig er kriteriet for dere?');
    expect(page.text).toContain('I hvilken grad innfrir Mediehuset AS kriteriet?');
    expect(page.text).toContain('Vet ikke');
    expect(page.text).toContain('Send inn');
    expect(page.text).toContain('Lagre og fortsett senere');
    expect(page.text).not.toContain('<script>');
    const first = wave.customerCriteria[0] as SurveyCriterion;
    // Each radio button sits inside its label (the visible score), so its accessible name is the score.
    expect(page.text).toContain(
      `<label class="option"><input type="radio" name="i_${first.id}" value="10"><span>10</span></label>`,
    );
    expect(page.text).toContain(
      `<label class="option dont-know"><input type="radio" name="p_${first.id}" value="dk"><span>Vet ikke</span></label>`,
    );
    expect(page.text).not.toMatch(/value="[^"]*" checked/);
  });

  it('renders the seller form with importance only, CRM-system included, and switches to English', async () => {
    const wave = await openWaveWithRespondents(app);
    const page = await http().get(`${wave.sellerPath}?lang=en`).expect(200);
    expect(page.text).toContain('<html lang="en">');
    expect(page.text.match(/<fieldset class="criterion/g)).toHaveLength(13);
    expect(page.text).toContain('How important is this criterion to you as a seller?');
    expect(page.text).toContain('CRM system');
    expect(page.text).not.toContain('name="p_');
  });

  it('answers the errors of a GET that accepts only JSON in JSON, and says such answers vary by Accept', async () => {
    const wave = await openWaveWithRespondents(app);
    const page = await http().get(wave.customerPath).expect(200);
    expect(page.headers.vary).toBe('Accept');
    await app.db.updateTable('surveys').set({ status: 'draft' }).where('id', '=', wave.surveyId).execute();
    const notOpen = await http().get(wave.customerPath).set('accept', 'application/json').expect(403);
    expect(notOpen.body.error.code).toBe('SURVEY_NOT_OPEN');
    expect(notOpen.headers.vary).toBe('Accept');

    const unknownJson = await http()
      .get('/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA')
      .set('accept', 'application/json')
      .expect(404);
    expect(unknownJson.body.error.code).toBe('NOT_FOUND');
    const noRoute = await http().get('/no-such-page').set('accept', 'application/json').expect(404);
    expect(noRoute.body.error.code).toBe('NOT_FOUND');
    const noRoutePage = await http().get('/no-such-page').expect(404);
    expect(noRoutePage.headers['content-type']).toMatch(/^text\/html/);
    for (const response of [unknownJson, noRoute, noRoutePage]) expect(response.headers.vary).toBe('Accept');
  });

  it('answers an unknown, a malformed and a revoked token with the same generic 404', async () => {
    const wave = await openWaveWithRespondents(app);
    const unknown = await http().get('/r/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA').expect(404);
    const malformed = await http().get('/r/x').expect(404);
    await app.db
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('token_hash', '=', await tokenHashOf(wave.customerPath))
      .execute();
    const revoked = await http().get(wave.customerPath).expect(404);
    const body = (html: string) => /<main id="main">([\s\S]*)<\/main>/.exec(html)?.[1];
    expect(body(revoked.text)).toBe(body(unknown.text));
    expect(body(malformed.text)).toBe(body(unknown.text));
    await http()
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria), submit: true })
      .expect(404);
    expect((await storedResponse(wave.customerPath)).response).toBeUndefined();
  });

  it('says the wave is not open yet (403) for a draft, and closed (410) after close, writing nothing', async () => {
    const wave = await openWaveWithRespondents(app);
    await app.db.updateTable('surveys').set({ status: 'draft' }).where('id', '=', wave.surveyId).execute();
    const draft = await http().get(wave.customerPath).expect(403);
    expect(draft.text).toContain('ikke åpnet ennå');
    await http().post(wave.customerPath).send({ answers: [], submit: false }).expect(403);

    await app.db
      .updateTable('surveys')
      .set({ status: 'closed', closed_at: new Date() })
      .where('id', '=', wave.surveyId)
      .execute();
    const closed = await http().get(wave.customerPath).expect(410);
    expect(closed.text).toContain('stengt');
    const post = await http()
      .post(wave.customerPath)
      .type('form')
      .send(customerForm(wave.criteria))
      .expect(410);
    expect(post.text).toContain('stengt');
    expect((await storedResponse(wave.customerPath)).response).toBeUndefined();
  });

  const openedAt = async (path: string) =>
    (
      await app.db
        .selectFrom('invitations')
        .select('opened_at')
        .where('token_hash', '=', await tokenHashOf(path))
        .executeTakeFirstOrThrow()
    ).opened_at;

  it('marks the invitation opened on the first visit, and keeps that time on later visits', async () => {
    const wave = await openWaveWithRespondents(app);
    expect(await openedAt(wave.customerPath)).toBeNull();
    await http().get(wave.customerPath).expect(200);
    const first = await openedAt(wave.customerPath);
    expect(first).toBeInstanceOf(Date);
    await http().get(wave.customerPath).expect(200);
    expect(await openedAt(wave.customerPath)).toEqual(first);
    // Only the opened link: the seller's link of the same wave is still unopened.
    expect(await openedAt(wave.sellerPath)).toBeNull();
  });

  it('commits the first-open mark without waiting for the disk, and leaves every connection committing synchronously', async () => {
    const { openLinks } = await import('../../../server/features/respondent/respondent.queries.js');
    const wave = await openWaveWithRespondents(app);
    const statement = openLinks(app.db, [await tokenHashOf(wave.customerPath)]).compile();
    const client = await app.pg.pool.connect();
    /** synchronous_commit inside a transaction that runs the statement, and on the connection after it. */
    const commitSetting = async () => {
      await client.query('begin');
      const { rows } = await client.query(statement.sql, [...statement.parameters]);
      const inside = (await client.query('show synchronous_commit')).rows[0].synchronous_commit;
      await client.query('commit');
      const after = (await client.query('show synchronous_commit')).rows[0].synchronous_commit;
      return { found: rows.length, inside, after };
    };
    try {
      // The first opening marks the link: its transaction alone commits asynchronously.
      expect(await commitSetting()).toEqual({ found: 1, inside: 'off', after: 'on' });
      // Opened already: nothing is written, nothing changes.
      expect(await commitSetting()).toEqual({ found: 1, inside: 'on', after: 'on' });
    } finally {
      client.release();
    }
    expect(await openedAt(wave.customerPath)).toBeInstanceOf(Date);

    // Over HTTP, on every connection the pool holds afterwards, later statements commit synchronously.
    const more = await Promise.all(Array.from({ length: 4 }, () => openWaveWithRespondents(app)));
    await Promise.all(
      more.flatMap((w) => [w.customerPath, w.sellerPath]).map((path) => http().get(path).expect(200)),
    );
    const clients = await Promise.all(
      Array.from({ length: app.pg.pool.totalCount }, () => app.pg.pool.connect()),
    );
    try {
      const settings = await Promise.all(
        clients.map(async (c) => (await c.query('show synchronous_commit')).rows[0].synchronous_commit),
      );
      expect(new Set(settings)).toEqual(new Set(['on']));
    } finally {
      for (const c of clients) c.release();
    }
  });

  it('opens the links asked for in one turn with one statement: each its own invitation and ratings, only unopened links of open waves marked', async () => {
    const { invitationLookups } = await import('../../../server/features/respondent/respondent.queries.js');
    const answered = await openWaveWithRespondents(app);
    const [first] = answered.customerCriteria as [SurveyCriterion];
    await http()
      .post(answered.customerPath)
      .type('form')
      .send({ [`i_${first.id}`]: '9', [`p_${first.id}`]: 'dk', action: 'save' })
      .expect(303);
    const draft = await openWaveWithRespondents(app);
    await app.db.updateTable('surveys').set({ status: 'draft' }).where('id', '=', draft.surveyId).execute();
    const seen = await openWaveWithRespondents(app);
    await http().get(seen.customerPath).expect(200);
    const seenAt = await openedAt(seen.customerPath);

    // The statements the lookups send, on the app's own pool.
    const statements: string[] = [];
    const pool = {
      query: (config: { name: string }) => {
        statements.push(config.name);
        return app.pg.pool.query(config as never);
      },
    } as unknown as typeof app.pg.pool;
    const lookups = invitationLookups(app.db, pool);
    const paths = [answered.customerPath, answered.sellerPath, draft.customerPath, seen.customerPath];
    const opened = await Promise.all([
      ...(await Promise.all(paths.map(tokenHashOf))).map((hash) => lookups.open(hash)),
      lookups.open(Buffer.alloc(32, 7)),
    ]);

    // Five lookups, padded to a list of eight.
    expect(statements).toEqual(['respondent_open_8']);
    const [customer, seller, drafted, again, unknown] = opened;
    expect(customer?.invitation).toMatchObject({ role: 'customer', surveyId: answered.surveyId });
    expect(customer?.ratings).toEqual({ [first.id]: { importance: 9, performance: null } });
    expect(seller?.invitation).toMatchObject({ role: 'seller', surveyId: answered.surveyId });
    expect(seller?.ratings).toEqual({});
    expect(drafted?.invitation).toMatchObject({ surveyId: draft.surveyId, surveyStatus: 'draft' });
    expect(again?.invitation).toMatchObject({ surveyId: seen.surveyId, responseStatus: null });
    expect(unknown).toBeUndefined();

    expect(await openedAt(answered.customerPath)).toBeInstanceOf(Date);
    expect(await openedAt(answered.sellerPath)).toBeInstanceOf(Date);
    expect(await openedAt(draft.customerPath)).toBeNull();
    expect(await openedAt(seen.customerPath)).toEqual(seenAt);

    // Asked for in separate turns, each is a statement of its own.
    statements.length = 0;
    for (const path of [seen.customerPath, seen.sellerPath]) await lookups.open(await tokenHashOf(path));
    expect(statements).toEqual(['respondent_open_1', 'respondent_open_1']);
  });

  it('never waits for a link another transaction holds: reads it unmarked, and marks the rest of the batch', async () => {
    const { invitationLookups } = await import('../../../server/features/respondent/respondent.queries.js');
    const wave = await openWaveWithRespondents(app);
    const lookups = invitationLookups(app.db, app.pg.pool);
    const holder = await app.pg.pool.connect();
    try {
      await holder.query('begin');
      await holder.query('select 1 from invitations where token_hash = $1 for update', [
        await tokenHashOf(wave.customerPath),
      ]);
      const opening = Promise.all([
        lookups.open(await tokenHashOf(wave.customerPath)),
        lookups.open(await tokenHashOf(wave.sellerPath)),
      ]);
      const outcome = await Promise.race([
        opening.then((found) => found.map((item) => item?.invitation.role)),
        new Promise((resolve) => setTimeout(() => resolve('waited 3 s for the lock'), 3000)),
      ]);
      expect(outcome).toEqual(['customer', 'seller']);
    } finally {
      await holder.query('rollback');
      holder.release();
    }
    expect(await openedAt(wave.customerPath)).toBeNull();
    expect(await openedAt(wave.sellerPath)).toBeInstanceOf(Date);
  });

  it('does not mark a link opened while its wave is a draft, past its closing time, or closed', async () => {
    const wave = await openWaveWithRespondents(app);
    await app.db.updateTable('surveys').set({ status: 'draft' }).where('id', '=', wave.surveyId).execute();
    await http().get(wave.customerPath).expect(403);
    expect(await openedAt(wave.customerPath)).toBeNull();
    await app.db
      .updateTable('surveys')
      .set({ status: 'open', closes_at: new Date(Date.now() - 60_000) })
      .where('id', '=', wave.surveyId)
      .execute();
    await http().get(wave.customerPath).expect(410);
    expect(await openedAt(wave.customerPath)).toBeNull();
    await app.db
      .updateTable('surveys')
      .set({ status: 'closed', closed_at: new Date(), closes_at: null })
      .where('id', '=', wave.surveyId)
      .execute();
    await http().get(wave.customerPath).expect(410);
    expect(await openedAt(wave.customerPath)).toBeNull();
  });
});

describe('POST /r/:token (browser form)', () => {
  it('saves partial answers without validation and restores them when the link is reopened', async () => {
    const wave = await openWaveWithRespondents(app);
    const [first, second] = wave.customerCriteria as [SurveyCriterion, SurveyCriterion];
    const saved = await http()
      .post(wave.customerPath)
      .type('form')
      .send({
        [`i_${first.id}`]: '9',
        [`p_${first.id}`]: '10',
        [`p_${second.id}`]: 'dk',
        comment: 'Halvveis',
        action: 'save',
      })
      .expect(303);
    expect(saved.headers.location).toBe(`${wave.customerPath}?saved=1`);
    const { response, answers } = await storedResponse(wave.customerPath);
    expect(response?.status).toBe('in_progress');
    expect(answers).toHaveLength(3);
    expect(answers.find((a) => a.survey_criterion_id === second.id)?.score).toBeNull();

    const page = await http().get(`${wave.customerPath}?saved=1`).expect(200);
    expect(page.text).toContain('Svarene er lagret');
    expect(page.text).toMatch(new RegExp(`name="i_${first.id}" value="9" checked`));
    expect(page.text).toMatch(new RegExp(`name="p_${first.id}" value="10" checked`));
    expect(page.text.match(/ checked/g)).toHaveLength(3);
    expect(page.text).toMatch(new RegExp(`name="p_${second.id}" value="dk" checked`));
    expect(page.text).toContain('Halvveis</textarea>');
  });

  it('refuses to submit with unanswered ratings: 400, errors next to the fields, the other answers kept', async () => {
    const wave = await openWaveWithRespondents(app);
    const form = customerForm(wave.criteria);
    const missing = wave.customerCriteria[3] as SurveyCriterion;
    delete form[`p_${missing.id}`];
    const response = await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...form, comment: 'Bra', action: 'submit' })
      .expect(400);
    expect(response.text).toContain(`id="p_${missing.id}-error"`);
    expect(response.text.match(/class="field-error"/g)).toHaveLength(1);
    expect(response.text).toMatch(new RegExp(`name="i_${missing.id}" value="8" checked`));
    expect(response.text).toContain('Bra</textarea>');
    expect((await storedResponse(wave.customerPath)).response).toBeUndefined();
  });

  it('submits a complete form, shows the thank-you page, and allows changes until close with an audit trail', async () => {
    const wave = await openWaveWithRespondents(app);
    const submitted = await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria, 8), action: 'submit' })
      .expect(303);
    expect(submitted.headers.location).toBe(`${wave.customerPath}?done=1`);
    const thanks = await http().get(`${wave.customerPath}?done=1`).expect(200);
    expect(thanks.text).toContain('Takk for svarene');

    const reopened = await http().get(wave.customerPath).expect(200);
    expect(reopened.text).toContain('Oppdater svarene');
    expect(reopened.text).not.toContain('Lagre og fortsett senere');

    await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria, 6), action: 'submit' })
      .expect(303);
    const { response, answers } = await storedResponse(wave.customerPath);
    expect(response).toMatchObject({ status: 'submitted', version: 2 });
    expect(new Set(answers.filter((a) => a.dimension === 'importance').map((a) => a.score))).toEqual(
      new Set([6]),
    );
    const revisions = await app.db
      .selectFrom('response_revisions')
      .select(['version', 'status', 'answers'])
      .where('response_id', '=', response?.id as string)
      .orderBy('version')
      .execute();
    expect(revisions.map((r) => r.version)).toEqual([1, 2]);
    const firstVersion = revisions[0]?.answers as Record<string, { importance: number }>;
    expect(Object.values(firstVersion)[0]?.importance).toBe(8);
  });

  it.each([
    ['0', '0'],
    ['11', '11'],
    ['-1', '-1'],
    ['5.5', '5.5'],
    ['"7abc"', '7abc'],
    ['an array', ['7', '8']],
  ])(
    'rejects the score %s with 400, shows the error at its field, keeps the other answers and stores nothing new',
    async (_label, bad) => {
      const wave = await openWaveWithRespondents(app);
      await http()
        .post(wave.customerPath)
        .type('form')
        .send({ ...customerForm(wave.criteria, 5), action: 'save' })
        .expect(303);
      const before = await storedResponse(wave.customerPath);
      const target = wave.customerCriteria[2] as SurveyCriterion;
      const form: Record<string, unknown> = {
        ...customerForm(wave.criteria, 9),
        [`i_${target.id}`]: bad,
        action: 'submit',
      };
      const response = await http().post(wave.customerPath).type('form').send(form).expect(400);
      expect(response.text).toContain(`id="i_${target.id}-error"`);
      expect(response.text).toMatch(new RegExp(`name="p_${target.id}" value="8" checked`));
      expect(await storedResponse(wave.customerPath)).toEqual(before);
    },
  );

  it('rejects an empty string as "not answered" when submitting', async () => {
    const wave = await openWaveWithRespondents(app);
    const target = wave.customerCriteria[0] as SurveyCriterion;
    const response = await http()
      .post(wave.customerPath)
      .type('form')
      .send({ ...customerForm(wave.criteria), [`i_${target.id}`]: '', action: 'submit' })
      .expect(400);
    expect(response.text).toContain(`id="i_${target.id}-error"`);
  });

  it('rejects a performance score from a seller, a criterion of another survey, 10 000 fields, a 1 MB comment and NUL bytes', async () => {
    const wave = await openWaveWithRespondents(app);
    const other = await openWaveWithRespondents(app, { organization: 'Annen AS' });
    const sellerForm: Record<string, string> = { action: 'submit' };
    for (const criterion of wave.criteria) sellerForm[`i_${criterion.id}`] = '7';
    const foreign = other.criteria[0] as SurveyCriterion;
    const own = wave.criteria[0] as SurveyCriterion;
    const many: Record<string, string> = { ...sellerForm };
    for (let i = 0; i < 10_000; i += 1) many[`f${i}`] = '1';

    await http()
      .post(wave.sellerPath)
      .type('form')
      .send({ ...sellerForm, [`p_${own.id}`]: '7' })
      .expect(400);
    await http()
      .post(wave.sellerPath)
      .type('form')
      .send({ ...sellerForm, [`i_${foreign.id}`]: '7' })
      .expect(400);
    await http().post(wave.sellerPath).type('form').send(many).expect(400);
    await http()
      .post(wave.sellerPath)
      .type('form')
      .send({ ...sellerForm, comment: 'x'.repeat(1_000_000) })
      .expect(400);
    await http()
      .post(wave.sellerPath)
      .type('form')
      .send({ ...sellerForm, comment: 'a\u0000b' })
      .expect(400);
    expect((await storedResponse(wave.sellerPath)).response).toBeUndefined();
    await http().post(wave.sellerPath).type('form').send(sellerForm).expect(303);
    expect((await storedResponse(wave.sellerPath)).answers).toHaveLength(13);
  });
});

describe('POST /r/:token (JSON)', () => {
  it('saves and submits: null is "don’t know", a left-out criterion is unanswered', async () => {
    const wave = await openWaveWithRespondents(app);
    const answers = customerAnswers(wave.criteria);
    const partial = answers.slice(0, 3).map((a, i) => (i === 0 ? { ...a, performance: null } : a));
    await http()
      .post(wave.customerPath)
      .send({ answers: partial, submit: false })
      .expect(200, { status: 'saved' });
    const incomplete = await http()
      .post(wave.customerPath)
      .send({ answers: partial, submit: true })
      .expect(400);
    expect(incomplete.body.error.code).toBe('VALIDATION');
    expect(incomplete.body.error.fields.length).toBe((answers.length - 3) * 2);

    const complete = answers.map((a, i) => (i === 0 ? { ...a, performance: null } : a));
    await http()
      .post(wave.customerPath)
      .send({ answers: complete, comment: 'OK', submit: true })
      .expect(200, { status: 'submitted' });
    const { response, answers: stored } = await storedResponse(wave.customerPath);
    expect(response).toMatchObject({ status: 'submitted', comment: 'OK' });
    expect(stored).toHaveLength(24);
    expect(stored.filter((a) => a.score === null)).toHaveLength(1);
  });

  it.each([
    ['a score of 0', (id: string) => ({ answers: [{ criterionId: id, importance: 0 }] })],
    ['a score of 11', (id: string) => ({ answers: [{ criterionId: id, importance: 11 }] })],
    ['a score of 5.5', (id: string) => ({ answers: [{ criterionId: id, importance: 5.5 }] })],
    ['a string score', (id: string) => ({ answers: [{ criterionId: id, importance: '7' }] })],
    [
      'an unknown criterion',
      (_id: string) => ({
        answers: [{ criterionId: '00000000-0000-4000-8000-000000000000', importance: 7 }],
      }),
    ],
    ['a missing criterion id', (_id: string) => ({ answers: [{ importance: 7 }] })],
    ['an unknown property', (id: string) => ({ answers: [{ criterionId: id, importance: 7, weight: 2 }] })],
    ['answers that are not an array', (_id: string) => ({ answers: 'all 10' })],
  ])('rejects %s with a JSON 400 listing the fields, and stores nothing', async (_label, make) => {
    const wave = await openWaveWithRespondents(app);
    const id = (wave.customerCriteria[0] as SurveyCriterion).id;
    const response = await http().post(wave.customerPath).send(make(id)).expect(400);
    expect(response.body.error).toMatchObject({
      code: 'VALIDATION',
      fields: expect.arrayContaining([expect.objectContaining({ field: expect.any(String) })]),
    });
    expect((await storedResponse(wave.customerPath)).response).toBeUndefined();
  });

  it('rejects a body with __proto__ with 400 and stores nothing', async () => {
    const wave = await openWaveWithRespondents(app);
    const response = await http()
      .post(wave.customerPath)
      .set('Content-Type', 'application/json')
      .send('{"answers":[],"submit":false,"__proto__":{"polluted":true}}')
      .expect(400);
    expect(response.body.error).toBeDefined();
    expect((await storedResponse(wave.customerPath)).response).toBeUndefined();
  });

  it('accepts a seller’s documented shape with performance null on every answer, storing importance only', async () => {
    const wave = await openWaveWithRespondents(app);
    const answers = wave.criteria.map((c) => ({ criterionId: c.id, importance: 6, performance: null }));
    await http()
      .post(wave.sellerPath)
      .send({ answers, comment: null, submit: true })
      .expect(200, { status: 'submitted' });
    const { response, answers: stored } = await storedResponse(wave.sellerPath);
    expect(response).toMatchObject({ status: 'submitted', role: 'seller' });
    expect(stored).toHaveLength(wave.criteria.length);
    expect(stored.every((a) => a.dimension === 'importance' && a.score === 6)).toBe(true);
  });

  it('rejects a performance score from a seller with 400 unknown_field and stores nothing', async () => {
    const wave = await openWaveWithRespondents(app);
    const answers = wave.criteria.map((c, i) => ({
      criterionId: c.id,
      importance: 6,
      performance: i === 0 ? 5 : null,
    }));
    const response = await http().post(wave.sellerPath).send({ answers, submit: true }).expect(400);
    expect(response.body.error).toMatchObject({
      code: 'VALIDATION',
      fields: [{ field: 'answers.0.performance', code: 'unknown_field' }],
    });
    expect((await storedResponse(wave.sellerPath)).response).toBeUndefined();
  });

  it('answers a submission the database rolled back in a deadlock with 503 (try again), stores nothing, and takes it when sent again', async () => {
    const wave = await openWaveWithRespondents(app);
    const { id } = await app.db
      .selectFrom('invitations')
      .select('id')
      .where('token_hash', '=', await tokenHashOf(wave.customerPath))
      .executeTakeFirstOrThrow();
    const answer = { answers: customerAnswers(wave.criteria), submit: true };
    const other = await app.pg.pool.connect();
    try {
      // Another transaction holds the responses table: the submission locks its invitation, then waits.
      await other.query('begin');
      await other.query('lock table responses in share row exclusive mode');
      const submission = http()
        .post(wave.customerPath)
        .send(answer)
        .then((response) => response);
      for (let waited = 0; ; waited += 20) {
        const { rows } = await app.pg.pool.query(
          `select 1 from pg_locks where not granted and relation = 'responses'::regclass`,
        );
        if (rows.length > 0) break;
        if (waited > 5000) throw new Error('the submission never waited for the responses table');
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      // … and the other transaction now wants that invitation: a cycle, which PostgreSQL breaks by
      // rolling back the transaction that waited first, the submission's.
      const locking = other.query('select 1 from invitations where id = $1 for update', [id]);
      const refused = await submission;
      await locking;
      expect(refused.status).toBe(503);
      expect(refused.headers['retry-after']).toBe('5');
      expect(refused.body).toEqual({
        error: { code: 'UNAVAILABLE', message: 'The service is briefly unavailable; try again' },
      });
    } finally {
      await other.query('rollback');
      other.release();
    }
    expect((await storedResponse(wave.customerPath)).response).toBeUndefined();
    await http().post(wave.customerPath).send(answer).expect(200);
    expect((await storedResponse(wave.customerPath)).response?.status).toBe('submitted');
  });

  it('ends 20 parallel submissions on one token in exactly one response', async () => {
    const wave = await openWaveWithRespondents(app);
    const body = { answers: customerAnswers(wave.criteria), submit: true };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => http().post(wave.customerPath).send(body)),
    );
    expect(results.every((r) => r.status === 200)).toBe(true);
    const invitation = await app.db
      .selectFrom('invitations')
      .select('id')
      .where('token_hash', '=', await tokenHashOf(wave.customerPath))
      .executeTakeFirstOrThrow();
    const responses = await app.db
      .selectFrom('responses')
      .select(['id', 'version'])
      .where('invitation_id', '=', invitation.id)
      .execute();
    expect(responses).toHaveLength(1);
    expect(responses[0]?.version).toBe(20);
    const { answers } = await storedResponse(wave.customerPath);
    expect(answers).toHaveLength(24);
  });
});

describe('database rules', () => {
  it('refuse to revoke an answered link, and to submit a response on a revoked one', async () => {
    const wave = await openWaveWithRespondents(app);
    await http()
      .post(wave.customerPath)
      .send({ answers: customerAnswers(wave.criteria), submit: true })
      .expect(200);
    const customer = await tokenHashOf(wave.customerPath);
    await expect(
      app.db
        .updateTable('invitations')
        .set({ revoked_at: new Date() })
        .where('token_hash', '=', customer)
        .execute(),
    ).rejects.toThrow(/cannot be revoked/);

    await http().post(wave.sellerPath).send({ answers: [], submit: false }).expect(200);
    const seller = await tokenHashOf(wave.sellerPath);
    await app.db
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('token_hash', '=', seller)
      .execute();
    const { response } = await storedResponse(wave.sellerPath);
    await expect(
      app.db
        .updateTable('responses')
        .set({ status: 'submitted', submitted_at: new Date() })
        .where('id', '=', response?.id as string)
        .execute(),
    ).rejects.toThrow(/cannot be submitted/);
  });

  it('refuses a score outside 1–10, a second response for an invitation, a seller performance score and a criterion of another survey', async () => {
    const wave = await openWaveWithRespondents(app);
    const other = await openWaveWithRespondents(app, { organization: 'Annen AS' });
    await http().post(wave.sellerPath).send({ answers: [], submit: false }).expect(200);
    const seller = await storedResponse(wave.sellerPath);
    const response = seller.response as NonNullable<typeof seller.response>;
    const base = {
      organization_id: response.organization_id,
      survey_id: response.survey_id,
      response_id: response.id,
      role: 'seller' as const,
      survey_criterion_id: (wave.criteria[0] as SurveyCriterion).id,
      audience: 'both' as const,
      dimension: 'importance' as const,
      response_status: 'in_progress' as const,
      account_id: null,
    };
    await expect(
      app.db
        .insertInto('answers')
        .values({ ...base, response_status: 'submitted', score: 5 })
        .execute(),
    ).rejects.toThrow(/foreign key/);
    await expect(
      app.db
        .insertInto('answers')
        .values({ ...base, score: 11 })
        .execute(),
    ).rejects.toThrow(/check/);
    await expect(
      app.db
        .insertInto('answers')
        .values({ ...base, score: 0 })
        .execute(),
    ).rejects.toThrow(/check/);
    await expect(
      app.db
        .insertInto('answers')
        .values({ ...base, dimension: 'performance', score: 5 })
        .execute(),
    ).rejects.toThrow(/check/);
    await expect(
      app.db
        .insertInto('answers')
        .values({ ...base, survey_criterion_id: (other.criteria[0] as SurveyCriterion).id, score: 5 })
        .execute(),
    ).rejects.toThrow(/foreign key/);
    await expect(
      app.db
        .insertInto('responses')
        .values({
          organization_id: response.organization_id,
          survey_id: response.survey_id,
          invitation_id: response.invitation_id,
          role: 'seller',
          status: 'in_progress',
          updated_at: new Date(),
        })
        .execute(),
    ).rejects.toThrow(/unique/);
  });
});
