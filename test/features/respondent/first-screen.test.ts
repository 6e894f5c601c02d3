import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answeredCriteria, estimatedMinutes } from '../../../server/features/respondent/respondent.page.js';
import { buildTestApp } from '../../helpers/app.js';
import { csrfFrom, uniqueEmail } from '../../helpers/http.js';
import { type SurveyCriterion, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

const http = () => supertest(app.server);
const pathOf = (url: string) => new URL(url).pathname;
/** The text of the element marked data-testid="…" (its inner HTML, as the page sends it). */
const testId = (html: string, id: string) =>
  new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1];

/**
 * An open wave of "Mediehuset AS" with one customer on an account whose KAM is `kamName` (a user of the
 * organisation), and one seller. Confidential (the default) unless `confidential: false`.
 */
async function openWave(
  options: {
    kamName?: string | null;
    intro?: string;
    closesAt?: string;
    kamActive?: boolean;
    confidential?: boolean;
    /** More customers, each on an account of its own whose KAM has this name. */
    moreCustomers?: string[];
  } = {},
) {
  const wave = await setUpWave(app, { organization: 'Mediehuset AS' });
  const { organization } = (await wave.api.get('/api/v1/me').expect(200)).body;
  // The KAM is only data here (how users are created is the users feature's business).
  const kam = async (name: string) =>
    (
      await app.db
        .insertInto('users')
        .values({
          organization_id: organization.id,
          email: uniqueEmail('kam'),
          name,
          role: 'kam',
          password_hash: 'not used',
        })
        .returning('id')
        .executeTakeFirstOrThrow()
    ).id;
  const kamUserId = options.kamName === null ? null : await kam(options.kamName ?? 'Kari Kundeansvarlig');
  const account = await wave.api
    .post('/api/v1/accounts', { name: `Kunde ${uniqueEmail('a')}`, kamUserId })
    .expect(201);
  const moreAccounts: string[] = [];
  for (const name of options.moreCustomers ?? []) {
    const more = await wave.api
      .post('/api/v1/accounts', { name: `Kunde ${uniqueEmail('a')}`, kamUserId: await kam(name) })
      .expect(201);
    moreAccounts.push(more.body.id);
  }
  const survey = await wave.api
    .post('/api/v1/surveys', {
      name: 'Høst 2026',
      intro: options.intro,
      closesAt: options.closesAt,
      confidential: options.confidential,
    })
    .expect(201);
  const invited = await wave.api
    .post(`/api/v1/surveys/${survey.body.id}/invitations`, {
      invitations: [
        { role: 'customer', email: uniqueEmail('kunde'), accountId: account.body.id },
        { role: 'seller', email: uniqueEmail('selger') },
        ...moreAccounts.map((accountId) => ({ role: 'customer', email: uniqueEmail('kunde'), accountId })),
      ],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${survey.body.id}/open`).expect(200);
  if (kamUserId && options.kamActive === false) {
    await app.db.updateTable('users').set({ active: false }).where('id', '=', kamUserId).execute();
  }
  const criteria = survey.body.criteria as SurveyCriterion[];
  return {
    ...wave,
    surveyId: survey.body.id as string,
    customerPath: pathOf(invited.body.invitations[0].url),
    sellerPath: pathOf(invited.body.invitations[1].url),
    morePaths: (invited.body.invitations as Array<{ url: string }>).slice(2).map((i) => pathOf(i.url)),
    customerCriteria: criteria.filter((c) => c.audience === 'both'),
  };
}

describe('GET /r/:token — a form not yet answered is rendered once and shared', () => {
  const checked = (html: string) => html.match(/ checked/g)?.length ?? 0;

  it('gives every respondent their own KAM, answers and comment, whichever page was rendered first', async () => {
    const wave = await openWave({
      kamName: 'Kari Kundeansvarlig',
      moreCustomers: ['Ola Nordmann', 'Kari Kundeansvarlig'],
    });
    const [olasCustomer, karisOther] = wave.morePaths as [string, string];
    const first = await http().get(wave.customerPath).expect(200);
    const ola = await http().get(olasCustomer).expect(200);
    const other = await http().get(karisOther).expect(200);
    expect(testId(first.text, 'asked-by')).toContain('Kari Kundeansvarlig');
    expect(testId(ola.text, 'asked-by')).toContain('Ola Nordmann');
    expect(ola.text).not.toContain('Kari Kundeansvarlig');
    // Two customers of one wave with KAMs of the same name see the same blank form, byte for byte.
    expect(other.text).toBe(first.text);
    expect(checked(first.text)).toBe(0);

    // One of them saves answers and a comment: their page shows them, the other's stays blank.
    const [criterion] = wave.customerCriteria as [SurveyCriterion];
    await http()
      .post(wave.customerPath)
      .type('form')
      .send({
        [`i_${criterion.id}`]: '7',
        comment: '<b>Bare</b> til "meg" & {{slot "criteria"}}',
        action: 'save',
      })
      .expect(303);
    const mine = await http().get(wave.customerPath).expect(200);
    expect(mine.text).toMatch(new RegExp(`name="i_${criterion.id}" value="7" checked`));
    // The comment is text in the textarea, escaped, whatever it looks like.
    expect(mine.text).toContain(
      '>&lt;b&gt;Bare&lt;/b&gt; til &quot;meg&quot; &amp; {{slot &quot;criteria&quot;}}</textarea>',
    );
    expect(mine.text.match(/<fieldset class="criterion/g)).toHaveLength(wave.customerCriteria.length);
    expect(checked(mine.text)).toBe(1);
    const theirs = await http().get(karisOther).expect(200);
    expect(theirs.text).toBe(first.text);
    expect(theirs.text).not.toContain('Bare');
    // The other language is a page of its own.
    const english = await http().get(`${karisOther}?lang=en`).expect(200);
    expect(english.text).toContain('<html lang="en">');
    expect(testId(english.text, 'asked-by')).toContain('Kari Kundeansvarlig');
  });

  it('shows a wave’s new closing date and name to the next respondent who opens it', async () => {
    const wave = await openWave({ moreCustomers: ['Kari Kundeansvarlig'] });
    const [other] = wave.morePaths as [string];
    const before = await http().get(wave.customerPath).expect(200);
    expect(before.text).toContain('<h1>Høst 2026</h1>');
    await app.db
      .updateTable('surveys')
      .set({ name: 'Høst 2026 (forlenget)', closes_at: new Date('2027-01-15T22:59:00Z') })
      .where('id', '=', wave.surveyId)
      .execute();
    const after = await http().get(other).expect(200);
    expect(after.text).toContain('<h1>Høst 2026 (forlenget)</h1>');
    expect(testId(after.text, 'deadline')).toContain('15. januar 2027');
  });
});

describe('GET /r/:token — who asks and why, before the first question', () => {
  it('names the supplier and, for a customer, the account’s KAM, and says who sees the answers', async () => {
    // An open-mode wave: the answers are shown with the company's name (confidential-mode.test.ts: the rest).
    const wave = await openWave({ kamName: 'Kari Kundeansvarlig', confidential: false });
    const page = await http().get(wave.customerPath).expect(200);
    expect(testId(page.text, 'asked-by')).toBe(
      'Kari Kundeansvarlig, kundeansvarlig hos Mediehuset AS, ber deg svare på noen spørsmål om samarbeidet.',
    );
    expect(testId(page.text, 'answers-use')).toContain(
      'går til Mediehuset AS: Kari Kundeansvarlig og ledelsen der ser dem, sammen med navnet på bedriften din',
    );
    expect(testId(page.text, 'answers-use')).toContain('Andre kunder ser dem ikke.');
    // The introduction comes before the first criterion.
    expect(page.text.indexOf('data-testid="asked-by"')).toBeLessThan(page.text.indexOf('<fieldset'));
  });

  it('escapes the KAM’s name like any other text', async () => {
    const wave = await openWave({ kamName: '<b>Ola</b> & {{kam}}' });
    const page = await http().get(wave.customerPath).expect(200);
    expect(testId(page.text, 'asked-by')).toContain('&lt;b&gt;Ola&lt;/b&gt; &amp; {{kam}}, kundeansvarlig');
    expect(page.text).not.toContain('<b>Ola</b>');
  });

  it('names no KAM when the account has none, or its KAM is deactivated', async () => {
    for (const options of [
      { kamName: null, confidential: false },
      { kamName: 'Per Sluttet', kamActive: false, confidential: false },
    ]) {
      const wave = await openWave(options);
      const page = await http().get(wave.customerPath).expect(200);
      expect(testId(page.text, 'asked-by')).toBe(
        'Mediehuset AS ber deg svare på noen spørsmål om samarbeidet.',
      );
      expect(testId(page.text, 'answers-use')).toContain('kundeansvarlig og ledelsen der ser dem');
      expect(page.text).not.toContain('Per Sluttet');
    }
  });

  it('tells a seller what is asked of them and who sees it, without a KAM', async () => {
    const wave = await openWave();
    const page = await http().get(wave.sellerPath).expect(200);
    expect(testId(page.text, 'asked-by')).toBe(
      'Mediehuset AS ber deg som selger si hvor viktige disse kriteriene er for deg.',
    );
    expect(testId(page.text, 'answers-use')).toBe(
      'Svarene går til ledelsen i Mediehuset AS og sammenlignes med hva kundene svarer om de samme kriteriene.',
    );
    expect(page.text).not.toContain('Kari Kundeansvarlig');
  });

  it('says how long it takes: about 13 minutes for a customer’s 12 criteria and overall satisfaction, 7 for a seller’s 13', async () => {
    const wave = await openWave();
    // 12 × 2 ratings and the overall question: 25 half minutes, rounded up.
    const customer = await http().get(wave.customerPath).expect(200);
    expect(testId(customer.text, 'duration')).toBe('Tar omtrent 13 minutter (12 kriterier).');
    const seller = await http().get(`${wave.sellerPath}?lang=en`).expect(200);
    expect(testId(seller.text, 'duration')).toBe('Takes about 7 minutes (13 criteria).');
  });

  it('gives the close date as a day in Norwegian time, or the time too when it is not the end of a day', async () => {
    // 22:59:59.999 UTC in December is the last millisecond of the day in Oslo (CET).
    const endOfDay = await openWave({ closesAt: '2030-12-15T22:59:59.999Z' });
    const nb = await http().get(endOfDay.customerPath).expect(200);
    expect(testId(nb.text, 'deadline')).toBe('Svarfrist: 15. desember 2030.');
    const en = await http().get(`${endOfDay.customerPath}?lang=en`).expect(200);
    expect(testId(en.text, 'deadline')).toBe('Please answer by 15 December 2030.');

    const midday = await openWave({ closesAt: '2030-06-15T10:00:00Z' });
    const summer = await http().get(midday.customerPath).expect(200);
    expect(testId(summer.text, 'deadline')).toBe('Svarfrist: 15. juni 2030 kl. 12:00.');

    const none = await openWave();
    const open = await http().get(none.customerPath).expect(200);
    expect(testId(open.text, 'deadline')).toBe('Undersøkelsen er åpen til Mediehuset AS stenger den.');
  });

  it('shows the wave’s intro as plain text: markup and {{…}} literally, line breaks kept', async () => {
    const intro = 'Hei {{name}}!\r\n<script>alert(1)</script> & <b>takk</b>\r\n{{{body}}}';
    const wave = await openWave({ intro });
    const page = await http().get(wave.customerPath).expect(200);
    expect(testId(page.text, 'wave-intro')).toBe(
      'Hei {{name}}!\n&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;takk&lt;/b&gt;\n{{{body}}}',
    );
    expect(page.text).not.toContain('<script>alert');
    expect(page.text).not.toContain('<b>takk</b>');
    const stored = await app.db
      .selectFrom('surveys')
      .select('intro')
      .where('id', '=', wave.surveyId)
      .executeTakeFirstOrThrow();
    expect(stored.intro).toBe('Hei {{name}}!\n<script>alert(1)</script> & <b>takk</b>\n{{{body}}}');
  });

  it('shows no intro block when the wave has none', async () => {
    const wave = await openWave();
    const page = await http().get(wave.customerPath).expect(200);
    expect(page.text).not.toContain('data-testid="wave-intro"');
  });
});

describe('the progress line', () => {
  it('starts at 0 of 12 and, after a save without JavaScript, counts criteria with every rating given', async () => {
    const wave = await openWave();
    const first = await http().get(wave.customerPath).expect(200);
    expect(testId(first.text, 'progress')).toBe('0 av 12 besvart');
    expect(first.text).toContain('<progress max="12" value="0" aria-hidden="true"></progress>');

    const [a, b, c, d] = wave.customerCriteria as [
      SurveyCriterion,
      SurveyCriterion,
      SurveyCriterion,
      SurveyCriterion,
    ];
    const saved = await http()
      .post(wave.customerPath)
      .type('form')
      .send({
        [`i_${a.id}`]: '9',
        [`p_${a.id}`]: '7',
        // "Don't know" is an answer.
        [`i_${b.id}`]: 'dk',
        [`p_${b.id}`]: 'dk',
        [`i_${c.id}`]: '5',
        [`p_${c.id}`]: 'dk',
        // Only one of the two questions: not yet answered.
        [`i_${d.id}`]: '8',
        action: 'save',
      })
      .expect(303);
    const after = await http()
      .get(saved.headers.location as string)
      .expect(200);
    expect(after.text).toContain('Svarene er lagret');
    expect(testId(after.text, 'progress')).toBe('3 av 12 besvart');
    expect(after.text).toContain('<progress max="12" value="3" aria-hidden="true"></progress>');

    const answers = await app.db
      .selectFrom('answers')
      .innerJoin('responses', 'responses.id', 'answers.response_id')
      .select(['answers.survey_criterion_id as criterionId', 'answers.dimension', 'answers.score'])
      .where('responses.survey_id', '=', wave.surveyId)
      .execute();
    expect(answers).toHaveLength(7);
    expect(answers.filter((row) => row.score === null)).toHaveLength(3);
  });

  it('counts a seller’s importance ratings only, in English too', async () => {
    const wave = await openWave();
    const seller = await http().get(`${wave.sellerPath}?lang=en`).expect(200);
    expect(testId(seller.text, 'progress')).toBe('0 of 13 answered');
    const criteria = (await wave.api.get(`/api/v1/surveys/${wave.surveyId}`).expect(200)).body
      .criteria as SurveyCriterion[];
    await http()
      .post(`${wave.sellerPath}?lang=en`)
      .type('form')
      .send({ [`i_${criteria[0]?.id}`]: '6', [`i_${criteria[12]?.id}`]: 'dk', action: 'save' })
      .expect(303);
    const after = await http().get(`${wave.sellerPath}?lang=en`).expect(200);
    expect(testId(after.text, 'progress')).toBe('2 of 13 answered');
  });

  it('on a refused submit (400), counts the answers kept on the page', async () => {
    const wave = await openWave();
    const [a] = wave.customerCriteria as [SurveyCriterion];
    const refused = await http()
      .post(wave.customerPath)
      .type('form')
      .send({ [`i_${a.id}`]: '4', [`p_${a.id}`]: '5', action: 'submit' })
      .expect(400);
    expect(testId(refused.text, 'progress')).toBe('1 av 12 besvart');
    expect(testId(refused.text, 'asked-by')).toContain('Mediehuset AS');
  });
});

describe('a link that does not work (unknown, mistyped or revoked)', () => {
  it('no longer tells the customer to copy it from an email they may never have had', async () => {
    const wave = await openWave();
    await app.db
      .updateTable('invitations')
      .set({ revoked_at: new Date() })
      .where('survey_id', '=', wave.surveyId)
      .execute();
    for (const lang of ['nb', 'en']) {
      const page = await http().get(`${wave.customerPath}?lang=${lang}`).expect(404);
      expect(page.text).not.toMatch(/e-post|email/i);
    }
    const nb = await http().get(wave.customerPath).expect(404);
    expect(nb.text).toContain('Spør den som ba deg svare om en ny lenke.');
    const json = await http().get(wave.customerPath).set('accept', 'application/json').expect(404);
    expect(json.body.error).toEqual({
      code: 'NOT_FOUND',
      message:
        'This link does not work. It may be incomplete, or it has been replaced by a new one or withdrawn. Ask the person who asked you to answer for a new link.',
    });
  });
});

describe('the wave’s intro, edited by a manager', () => {
  it('is saved from the wave page (303) and shown back in its form', async () => {
    const wave = await openWave();
    const agent = wave.admin.agent;
    const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(page.text).toContain('<label for="intro">');
    const saved = await agent
      .post(`/surveys/${wave.surveyId}/intro`)
      .type('form')
      .send({ _csrf: csrfFrom(page.text), intro: '  Vi vil bli bedre.\r\nTakk! <3  ' })
      .expect(303);
    expect(saved.headers.location).toBe(`/surveys/${wave.surveyId}`);
    const row = await app.db
      .selectFrom('surveys')
      .select('intro')
      .where('id', '=', wave.surveyId)
      .executeTakeFirstOrThrow();
    expect(row.intro).toBe('Vi vil bli bedre.\nTakk! <3');
    const after = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
    expect(after.text).toMatch(/<textarea id="intro"[^>]*>Vi vil bli bedre.\nTakk! &lt;3<\/textarea>/);
    const { body } = await wave.api.get(`/api/v1/surveys/${wave.surveyId}`).expect(200);
    expect(body.intro).toBe('Vi vil bli bedre.\nTakk! <3');

    // Emptied: no intro.
    await agent
      .post(`/surveys/${wave.surveyId}/intro`)
      .type('form')
      .send({ _csrf: csrfFrom(after.text), intro: '  \r\n ' })
      .expect(303);
    const emptied = await app.db
      .selectFrom('surveys')
      .select('intro')
      .where('id', '=', wave.surveyId)
      .executeTakeFirstOrThrow();
    expect(emptied.intro).toBeNull();
  });

  it.each([
    ['1001 characters', 'x'.repeat(1001), 'Introduksjonen kan være på høyst 1000 tegn.'],
    ['a NUL character', 'før\u0000etter', 'Introduksjonen kan ikke inneholde kontrolltegn.'],
  ])(
    'refuses %s with 400: the form re-rendered with the text and the error, nothing stored',
    async (_label, intro, message) => {
      const wave = await openWave({ intro: 'Den gamle teksten' });
      const agent = wave.admin.agent;
      const page = await agent.get(`/surveys/${wave.surveyId}`).expect(200);
      const refused = await agent
        .post(`/surveys/${wave.surveyId}/intro`)
        .type('form')
        .send({ _csrf: csrfFrom(page.text), intro })
        .expect(400);
      expect(refused.text).toContain(`<p class="field-error" id="intro-error" role="alert">${message}</p>`);
      expect(refused.text).toContain('aria-invalid="true"');
      if (!intro.includes('\u0000')) expect(refused.text).toContain(`>${intro}</textarea>`);
      const row = await app.db
        .selectFrom('surveys')
        .select('intro')
        .where('id', '=', wave.surveyId)
        .executeTakeFirstOrThrow();
      expect(row.intro).toBe('Den gamle teksten');
    },
  );

  it('is accepted at 1000 characters, and refused at 1001 by POST /api/v1/surveys with the field named', async () => {
    const { api } = await setUpWave(app);
    const created = await api.post('/api/v1/surveys', { name: 'Lang', intro: 'æ'.repeat(1000) }).expect(201);
    expect(created.body.intro).toBe('æ'.repeat(1000));
    const refused = await api
      .post('/api/v1/surveys', { name: 'For lang', intro: 'æ'.repeat(1001) })
      .expect(400);
    expect(refused.body.error).toMatchObject({
      code: 'BAD_REQUEST',
      fields: [{ field: 'intro', message: 'At most 1000 characters' }],
    });
    const none = await api.post('/api/v1/surveys', { name: 'Uten' }).expect(201);
    expect(none.body.intro).toBeNull();
  });
});

describe('estimatedMinutes and answeredCriteria', () => {
  it('allow half a minute per rating, rounded up, at least one minute', () => {
    expect(estimatedMinutes(12, 'customer')).toBe(12);
    expect(estimatedMinutes(13, 'seller')).toBe(7);
    expect(estimatedMinutes(1, 'seller')).toBe(1);
    expect(estimatedMinutes(0, 'customer')).toBe(1);
    // Overall satisfaction is one more rating, for customers only.
    expect(estimatedMinutes(12, 'customer', true)).toBe(13);
    expect(estimatedMinutes(11, 'customer', true)).toBe(12);
    expect(estimatedMinutes(13, 'seller', true)).toBe(7);
  });

  it('count a criterion once every rating asked for is given, "don’t know" included', () => {
    const criteria = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    const ratings = { a: { importance: 3, performance: null }, b: { importance: 4 } };
    expect(answeredCriteria(ratings, criteria, 'customer')).toBe(1);
    expect(answeredCriteria(ratings, criteria, 'seller')).toBe(2);
  });
});
