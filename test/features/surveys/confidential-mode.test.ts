import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderStoredMessage } from '../../../server/features/email/email.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { type Agent, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';
import { customerAnswers, openWaveWithRespondents, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type Wave = Awaited<ReturnType<typeof setUpWave>>;

const http = () => supertest(app.server);
const pathOf = (url: string) => new URL(url).pathname;
/** The text of the element marked data-testid="…" (its inner HTML, as the page sends it). */
const testId = (html: string, id: string) =>
  new RegExp(`data-testid="${id}"[^>]*>([\\s\\S]*?)</`).exec(html)?.[1];

async function organizationOf(wave: Wave): Promise<string> {
  return (await wave.api.get('/api/v1/me').expect(200)).body.organization.id;
}

function organizationRow(organizationId: string) {
  return app.db
    .selectFrom('organizations')
    .select(['name', 'small_sample_threshold', 'min_group_size', 'privacy_contact'])
    .where('id', '=', organizationId)
    .executeTakeFirstOrThrow();
}

/** Posts the organisation settings form as an admin would. */
const saveSettings = (agent: Agent, form: Record<string, string>) =>
  submitForm(agent, '/settings/organization', '/settings/organization', form);

describe('POST /api/v1/surveys — confidential', () => {
  it('is true by default, false when asked, shown in every survey JSON; anything else is 400', async () => {
    const wave = await setUpWave(app);
    const byDefault = await wave.api.post('/api/v1/surveys', { name: 'Standard' }).expect(201);
    expect(byDefault.body.confidential).toBe(true);
    expect((await wave.api.get(`/api/v1/surveys/${byDefault.body.id}`).expect(200)).body.confidential).toBe(
      true,
    );
    const open = await wave.api.post('/api/v1/surveys', { name: 'Åpen', confidential: false }).expect(201);
    expect(open.body.confidential).toBe(false);
    expect((await wave.api.get(`/api/v1/surveys/${open.body.id}`).expect(200)).body.confidential).toBe(false);
    const stored = await app.db
      .selectFrom('surveys')
      .select(['id', 'confidential'])
      .where('id', 'in', [byDefault.body.id, open.body.id])
      .execute();
    expect(Object.fromEntries(stored.map((row) => [row.id, row.confidential]))).toEqual({
      [byDefault.body.id]: true,
      [open.body.id]: false,
    });

    const before = await app.db.selectFrom('surveys').select('id').execute();
    for (const bad of ['yes', 'true', 1, null, {}]) {
      const refused = await wave.api.post('/api/v1/surveys', { name: 'Feil', confidential: bad }).expect(400);
      expect(refused.body.error.code).toBe('BAD_REQUEST');
      expect(refused.body.error.fields).toEqual([expect.objectContaining({ field: 'confidential' })]);
    }
    expect(await app.db.selectFrom('surveys').select('id').execute()).toHaveLength(before.length);
  });

  it('is kept by Run again, on and off', async () => {
    const wave = await setUpWave(app);
    for (const confidential of [true, false]) {
      const source = await wave.api
        .post('/api/v1/surveys', { name: `Kilde ${confidential}`, confidential })
        .expect(201);
      const copy = await wave.api.post(`/api/v1/surveys/${source.body.id}/copy`).expect(201);
      expect(copy.body.confidential).toBe(confidential);
      expect((await wave.api.get(`/api/v1/surveys/${copy.body.id}`).expect(200)).body.confidential).toBe(
        confidential,
      );
    }
  });
});

describe('the new wave form and the wave page', () => {
  it('has a ticked checkbox with a hint naming k; the wave page says which mode the wave is in', async () => {
    const { agent } = await signUp(app, 'Skjema AS');
    const list = await agent.get('/surveys').expect(200);
    expect(list.text).toMatch(
      /<label><input type="checkbox" id="confidential" name="confidential" aria-describedby="confidential-hint" checked> Konfidensiell: vis kundenes svar bare samlet<\/label>/,
    );
    expect(/<p class="hint" id="confidential-hint">([^<]*)<\/p>/.exec(list.text)?.[1]).toContain(
      'bare vises samlet med svarene fra minst 3 kunder',
    );

    const ticked = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Konfidensiell',
      language: 'nb',
      closesAt: '',
      confidential: 'on',
    });
    expect(ticked.status).toBe(303);
    const unticked = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Åpen',
      language: 'nb',
      closesAt: '',
    });
    expect(unticked.status).toBe(303);
    const flag = async (location: string) =>
      (
        await app.db
          .selectFrom('surveys')
          .select('confidential')
          .where('id', '=', location.split('/').pop() as string)
          .executeTakeFirstOrThrow()
      ).confidential;
    expect(await flag(ticked.headers.location as string)).toBe(true);
    expect(await flag(unticked.headers.location as string)).toBe(false);

    // k from the organisation's settings, on the page and in the hint.
    expect((await saveSettings(agent, { name: 'Skjema AS', threshold: '5', minGroupSize: '4' })).status).toBe(
      303,
    );
    const confidentialPage = await agent.get(ticked.headers.location as string).expect(200);
    expect(testId(confidentialPage.text, 'confidential-mode')).toBe(
      'Konfidensiell: kundenes tall og kommentarer vises bare samlet med svarene fra minst 4 kunder, og kommentarene uten firmanavn. Det er dette kundene er lovet.',
    );
    const openPage = await agent.get(`${unticked.headers.location}?lang=en`).expect(200);
    expect(testId(openPage.text, 'confidential-mode')).toBe(
      'Open: customers&#x27; answers are shown with their company&#x27;s name, also for accounts with a single respondent. This is what customers were told.',
    );
    const listAgain = await agent.get('/surveys?lang=en').expect(200);
    expect(listAgain.text).toContain('combined with the answers of at least 4 customers');

    // A refused form keeps the box as it was sent (here: unticked).
    const refused = await submitForm(agent, '/surveys', '/surveys', {
      name: '',
      language: 'nb',
      closesAt: '',
    });
    expect(refused.status).toBe(400);
    expect(refused.text).toMatch(/name="confidential" aria-describedby="confidential-hint">/);
  });
});

describe('organisation settings — minimum group size and privacy contact', () => {
  it('refuses k of 0, 51, text, 2.5 and empty with the form re-rendered (400) and nothing saved; accepts 1 and 50', async () => {
    const wave = await setUpWave(app, { organization: 'Gruppe AS' });
    const organizationId = await organizationOf(wave);
    const agent = wave.admin.agent;
    expect((await organizationRow(organizationId)).min_group_size).toBe(3);

    const page = await agent.get('/settings/organization').expect(200);
    expect(page.text).toMatch(/<label for="minGroupSize">Minste gruppestørrelse<\/label>/);
    expect(page.text).toMatch(/id="minGroupSize"[^>]*value="3"/);
    const english = await agent.get('/settings/organization?lang=en').expect(200);
    expect(english.text).toMatch(/<label for="minGroupSize">Minimum group size<\/label>/);

    for (const bad of ['0', '51', 'x', '2.5', '']) {
      const refused = await saveSettings(agent, {
        name: 'Nytt navn AS',
        threshold: '7',
        minGroupSize: bad,
        privacyContact: 'personvern@gruppe.no',
      });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('id="minGroupSize-error"');
      expect(refused.text).toMatch(new RegExp(`id="minGroupSize"[^>]*value="${bad.replace('.', '\\.')}"`));
      // Nothing saved, not even the valid fields.
      expect(await organizationRow(organizationId)).toEqual({
        name: 'Gruppe AS',
        small_sample_threshold: 5,
        min_group_size: 3,
        privacy_contact: null,
      });
    }
    for (const good of ['1', '50']) {
      expect(
        (await saveSettings(agent, { name: 'Gruppe AS', threshold: '5', minGroupSize: good })).status,
      ).toBe(303);
      expect((await organizationRow(organizationId)).min_group_size).toBe(Number(good));
    }
  });

  it('saves, shows and empties the privacy contact; a form without the new fields leaves them unchanged', async () => {
    const wave = await setUpWave(app, { organization: 'Kontakt AS' });
    const organizationId = await organizationOf(wave);
    const agent = wave.admin.agent;

    const saved = await saveSettings(agent, {
      name: 'Kontakt AS',
      threshold: '5',
      minGroupSize: '6',
      privacyContact: '  personvern@kontakt.no  ',
    });
    expect(saved.status).toBe(303);
    expect(await organizationRow(organizationId)).toMatchObject({
      min_group_size: 6,
      privacy_contact: 'personvern@kontakt.no',
    });
    const page = await agent.get('/settings/organization').expect(200);
    expect(page.text).toMatch(/id="privacyContact"[^>]*value="personvern@kontakt.no"/);

    // An older form (name and threshold only) changes neither.
    expect((await saveSettings(agent, { name: 'Kontakt AS', threshold: '8' })).status).toBe(303);
    expect(await organizationRow(organizationId)).toMatchObject({
      small_sample_threshold: 8,
      min_group_size: 6,
      privacy_contact: 'personvern@kontakt.no',
    });

    // Too short, or more than one line: refused, nothing saved.
    for (const bad of ['ab', 'Ring oss\npå 12345678', 'x'.repeat(255)]) {
      const refused = await saveSettings(agent, {
        name: 'Kontakt AS',
        threshold: '8',
        minGroupSize: '6',
        privacyContact: bad,
      });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('id="privacyContact-error"');
      expect((await organizationRow(organizationId)).privacy_contact).toBe('personvern@kontakt.no');
    }

    // Emptied: none (respondents are told to contact the organisation by name).
    expect(
      (
        await saveSettings(agent, {
          name: 'Kontakt AS',
          threshold: '8',
          minGroupSize: '6',
          privacyContact: ' ',
        })
      ).status,
    ).toBe(303);
    expect((await organizationRow(organizationId)).privacy_contact).toBeNull();
  });
});

/**
 * A wave of "Mediehuset AS" (k and privacy contact as given) with a Norwegian and an English customer on an
 * account without a KAM, and a seller; opened, so their invitation emails are queued.
 */
async function respondentsOf(options: { confidential: boolean; k?: number; contact?: string }) {
  const wave = await setUpWave(app, { organization: 'Mediehuset AS' });
  const organizationId = await organizationOf(wave);
  const saved = await saveSettings(wave.admin.agent, {
    name: 'Mediehuset AS',
    threshold: '5',
    minGroupSize: String(options.k ?? 3),
    privacyContact: options.contact ?? '',
  });
  expect(saved.status).toBe(303);
  const survey = await wave.api
    .post('/api/v1/surveys', { name: 'Høst 2026', confidential: options.confidential })
    .expect(201);
  const people = { nb: uniqueEmail('kunde'), en: uniqueEmail('customer'), seller: uniqueEmail('selger') };
  const invited = await wave.api
    .post(`/api/v1/surveys/${survey.body.id}/invitations`, {
      invitations: [
        { role: 'customer', email: people.nb, accountId: wave.accountId },
        { role: 'customer', email: people.en, accountId: wave.accountId, language: 'en' },
        { role: 'seller', email: people.seller },
      ],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${survey.body.id}/open`).expect(200);
  const [nb = '', en = '', seller = ''] = (invited.body.invitations as { url: string }[]).map((i) =>
    pathOf(i.url),
  );
  /** The email to `address` as it goes out (text and HTML parts). */
  const emailTo = async (address: string) => {
    const message = await app.db
      .selectFrom('email_messages as m')
      .innerJoin('invitations as i', (join) =>
        join.onRef('i.organization_id', '=', 'm.organization_id').onRef('i.id', '=', 'm.invitation_id'),
      )
      .select('m.id')
      .where('m.organization_id', '=', organizationId)
      .where('i.email', '=', address)
      .executeTakeFirstOrThrow();
    const rendered = await renderStoredMessage(app.db, app.mail, organizationId, message.id);
    if (!rendered) throw new Error('no message');
    return rendered.email;
  };
  return { ...wave, organizationId, surveyId: survey.body.id as string, people, nb, en, seller, emailTo };
}

describe('what the respondent is told', () => {
  it('in a confidential wave: answers only in groups of at least k, the comment without the company, and the contact (nb and en)', async () => {
    const wave = await respondentsOf({ confidential: true, k: 4, contact: 'personvern@mediehuset.no' });
    const nb = await http().get(wave.nb).expect(200);
    expect(testId(nb.text, 'answers-use')).toBe(
      'Svarene og kommentaren din går til Mediehuset AS: kundeansvarlige og ledelsen der ser dem, men svarene dine vises bare samlet med svarene fra minst 4 svarpersoner, og kommentaren din vises uten navnet på bedriften din. De brukes til å se hva som er viktigst for kundene og hvor Mediehuset AS kan bli bedre. Andre kunder ser dem ikke.',
    );
    expect(testId(nb.text, 'privacy-contact')).toBe(
      'Vil du se eller slette opplysningene som er lagret om deg, kan du kontakte personvern@mediehuset.no.',
    );
    // On the first screen: before the first question.
    expect(nb.text.indexOf('data-testid="privacy-contact"')).toBeLessThan(nb.text.indexOf('<fieldset'));
    expect(nb.text).not.toContain('sammen med navnet på bedriften din');

    const en = await http().get(`${wave.en}?lang=en`).expect(200);
    expect(testId(en.text, 'answers-use')).toBe(
      'Your answers and comment go to Mediehuset AS: key account managers and the management there see them, but your answers are only shown combined with those of at least 4 respondents, and your comment is shown without your company’s name. They are used to learn what matters most to customers and where Mediehuset AS can do better. Other customers do not see them.',
    );
    expect(testId(en.text, 'privacy-contact')).toBe(
      'To see or erase the data stored about you, contact personvern@mediehuset.no.',
    );

    // The emails say the same, in the invitation's language.
    const nbMail = await wave.emailTo(wave.people.nb);
    expect(nbMail.text).toContain('svarene dine vises bare samlet med svarene fra minst 4 svarpersoner');
    expect(nbMail.text).toContain('kommentaren din vises uten navnet på bedriften din');
    expect(nbMail.text).toContain('kan du kontakte personvern@mediehuset.no.');
    expect(nbMail.html).toContain('svarene dine vises bare samlet med svarene fra minst 4 svarpersoner');
    expect(nbMail.html).toContain('kan du kontakte personvern@mediehuset.no.');
    const enMail = await wave.emailTo(wave.people.en);
    expect(enMail.text).toContain(
      'your answers are only shown combined with those of at least 4 respondents',
    );
    expect(enMail.text).toContain('your comment is shown without your company’s name');
    expect(enMail.text).toContain(
      'To see or erase the data stored about you, contact personvern@mediehuset.no.',
    );
    expect(enMail.html).toContain(
      'To see or erase the data stored about you, contact personvern@mediehuset.no.',
    );
  });

  it('in an open wave: answers shown with the company’s name, and the supplier to contact when no contact is set', async () => {
    const wave = await respondentsOf({ confidential: false, k: 4 });
    const nb = await http().get(wave.nb).expect(200);
    expect(testId(nb.text, 'answers-use')).toContain(
      'kundeansvarlig og ledelsen der ser dem, sammen med navnet på bedriften din',
    );
    expect(nb.text).not.toContain('minst 4');
    expect(testId(nb.text, 'privacy-contact')).toBe(
      'Vil du se eller slette opplysningene som er lagret om deg, kan du kontakte Mediehuset AS.',
    );
    const en = await http().get(`${wave.en}?lang=en`).expect(200);
    expect(testId(en.text, 'answers-use')).toContain(
      'your key account manager and the management there see them, with your company’s name',
    );
    expect(testId(en.text, 'privacy-contact')).toBe(
      'To see or erase the data stored about you, contact Mediehuset AS.',
    );

    const nbMail = await wave.emailTo(wave.people.nb);
    expect(nbMail.text).toContain('sammen med navnet på bedriften din');
    expect(nbMail.text).not.toContain('minst 4');
    expect(nbMail.text).toContain('kan du kontakte Mediehuset AS.');
    const enMail = await wave.emailTo(wave.people.en);
    expect(enMail.text).toContain('with your company’s name');
    expect(enMail.html).toContain('with your company’s name');
    expect(enMail.text).toContain('To see or erase the data stored about you, contact Mediehuset AS.');
  });

  it('names the account’s KAM in a confidential wave', async () => {
    const wave = await respondentsOf({ confidential: true });
    await app.db
      .insertInto('users')
      .values({
        organization_id: wave.organizationId,
        email: uniqueEmail('kam'),
        name: 'Kari Kundeansvarlig',
        role: 'kam',
        password_hash: 'not used',
      })
      .returning('id')
      .executeTakeFirstOrThrow()
      .then(({ id }) =>
        app.db.updateTable('accounts').set({ kam_user_id: id }).where('id', '=', wave.accountId).execute(),
      );
    const nb = await http().get(wave.nb).expect(200);
    expect(testId(nb.text, 'answers-use')).toContain(
      'går til Mediehuset AS: Kari Kundeansvarlig og ledelsen der ser dem, men svarene dine vises bare samlet med svarene fra minst 3 svarpersoner',
    );
  });

  it('tells a seller that management sees their answers, in either mode', async () => {
    for (const confidential of [true, false]) {
      const wave = await respondentsOf({ confidential, contact: 'Personvernombudet, tlf. 22 00 00 00' });
      const nb = await http().get(wave.seller).expect(200);
      expect(testId(nb.text, 'answers-use')).toBe(
        'Svarene går til ledelsen i Mediehuset AS og sammenlignes med hva kundene svarer om de samme kriteriene.',
      );
      expect(testId(nb.text, 'privacy-contact')).toBe(
        'Vil du se eller slette opplysningene som er lagret om deg, kan du kontakte Personvernombudet, tlf. 22 00 00 00.',
      );
      const mail = await wave.emailTo(wave.people.seller);
      expect(mail.text).toContain('Svarene går til ledelsen i Mediehuset AS');
      expect(mail.text).not.toContain('svarpersoner');
      expect(mail.text).toContain('kan du kontakte Personvernombudet, tlf. 22 00 00 00.');
    }
  });

  it('shows a hostile privacy contact as text: escaped on the form and in the HTML email, never compiled', async () => {
    const contact = '<script>alert(1)</script> {{x}} {supplier}';
    const wave = await respondentsOf({ confidential: true, contact });
    const escaped = '&lt;script&gt;alert(1)&lt;/script&gt; {{x}} {supplier}';
    const nb = await http().get(wave.nb).expect(200);
    expect(testId(nb.text, 'privacy-contact')).toBe(
      `Vil du se eller slette opplysningene som er lagret om deg, kan du kontakte ${escaped}.`,
    );
    expect(nb.text).not.toContain('<script>alert(1)');
    const mail = await wave.emailTo(wave.people.nb);
    expect(mail.html).toContain(`kan du kontakte ${escaped}.`);
    expect(mail.html).not.toContain('<script>');
    // The text part is plain text: the line as typed.
    expect(mail.text).toContain(`kan du kontakte ${contact}.`);
    const settings = await wave.admin.agent.get('/settings/organization').expect(200);
    expect(settings.text).toContain(`value="${escaped}"`);
    expect(settings.text).not.toContain('<script>alert(1)');
  });
});

describe('the privacy export', () => {
  it('includes the overall satisfaction answer of each response and of each of its revisions', async () => {
    const wave = await openWaveWithRespondents(app, { overallQuestion: true });
    const invitations = (await wave.api.get(`/api/v1/surveys/${wave.surveyId}/invitations`).expect(200)).body
      .invitations as { role: string; email: string }[];
    const customer = invitations.find((i) => i.role === 'customer');
    const answers = customerAnswers(wave.criteria, 8);
    await http()
      .post(wave.customerPath)
      .send({ answers, overall: null, comment: null, submit: false })
      .expect(200);
    await http()
      .post(wave.customerPath)
      .send({ answers, overall: 7, comment: null, submit: true })
      .expect(200);

    const exported = await wave.api
      .get(`/api/v1/privacy/export?email=${encodeURIComponent(customer?.email ?? '')}`)
      .expect(200);
    const [response] = exported.body.responses;
    expect(response).toMatchObject({ overallAnswered: true, overallScore: 7 });
    expect(
      response.revisions.map(
        (r: { version: number; overallAnswered: boolean; overallScore: number | null }) => [
          r.version,
          r.overallAnswered,
          r.overallScore,
        ],
      ),
    ).toEqual([
      [1, true, null],
      [2, true, 7],
    ]);
  });
});
