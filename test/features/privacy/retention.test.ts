import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runRetention } from '../../../server/features/privacy/retention.job.js';
import { buildTestApp } from '../../helpers/app.js';
import { submitForm, uniqueEmail } from '../../helpers/http.js';
import { customerAnswers, setUpWave } from '../../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type Wave = Awaited<ReturnType<typeof setUpWave>>;

async function organizationOf(wave: Wave): Promise<string> {
  return (await wave.api.get('/api/v1/me').expect(200)).body.organization.id;
}

/**
 * A wave of the organisation with one customer who answered with a comment; closed `closedDaysAgo` ago.
 * Confidential unless `confidential: false` (an open wave).
 */
async function answeredWave(wave: Wave, name: string, closedDaysAgo: number | null, confidential = true) {
  const survey = await wave.api
    .post('/api/v1/surveys', { name, overallQuestion: false, confidential })
    .expect(201);
  const surveyId: string = survey.body.id;
  const email = uniqueEmail('kunde');
  const invited = await wave.api
    .post(`/api/v1/surveys/${surveyId}/invitations`, {
      invitations: [{ role: 'customer', email, name: `Kunde i ${name}`, accountId: wave.accountId }],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${surveyId}/open`).expect(200);
  const path = new URL(invited.body.invitations[0].url).pathname;
  const answers = customerAnswers(survey.body.criteria, 8);
  await supertest(app.server).post(path).send({ answers, comment: 'Utkast', submit: false }).expect(200);
  await supertest(app.server)
    .post(path)
    .send({ answers, comment: `Kommentar om ${name}`, submit: true })
    .expect(200);
  if (closedDaysAgo !== null) {
    await wave.api.post(`/api/v1/surveys/${surveyId}/close`).expect(200);
    await sql`update surveys set closed_at = now() - make_interval(days => ${closedDaysAgo})
              where id = ${surveyId}`.execute(app.db);
  }
  return { surveyId, email, path };
}

const report = async (wave: Wave, surveyId: string) =>
  (await wave.api.get(`/api/v1/surveys/${surveyId}/report`).expect(200)).body;

function invitationsOf(surveyId: string) {
  return app.db
    .selectFrom('invitations')
    .select(['id', 'email', 'name', 'erased_at'])
    .where('survey_id', '=', surveyId)
    .execute();
}

function commentsOf(surveyId: string) {
  return app.db
    .selectFrom('responses')
    .select('comment')
    .where('survey_id', '=', surveyId)
    .execute()
    .then((rows) => rows.map((row) => row.comment));
}

describe('the retention job', () => {
  it('anonymises a wave closed longer ago than the period and leaves a newer closed one and an open one alone', async () => {
    const wave = await setUpWave(app, { organization: 'Lagring AS' });
    const organizationId = await organizationOf(wave);
    await app.db
      .updateTable('organizations')
      .set({ retention_days: 90 })
      .where('id', '=', organizationId)
      .execute();
    const old = await answeredWave(wave, 'Gammel', 91);
    // An open-mode wave (its respondents were told their answers carry their company's name), closed earlier.
    const oldOpenMode = await answeredWave(wave, 'Gammel åpen', 95, false);
    const recent = await answeredWave(wave, 'Ny', 89);
    const open = await answeredWave(wave, 'Åpen', null);
    // An organisation without a period keeps everything, however old.
    const keeper = await setUpWave(app, { organization: 'Beholder AS' });
    const kept = await answeredWave(keeper, 'Eldgammel', 3000);
    const waves = [old, oldOpenMode, recent, open];
    const reportsBefore = await Promise.all(waves.map((w) => report(wave, w.surveyId)));

    const runs = await runRetention(app.db);
    expect(runs).toEqual([
      // The earlier-closed first; the open-mode wave's comment stays on its response (none moved).
      {
        organizationId,
        surveyId: oldOpenMode.surveyId,
        invitations: 1,
        responses: 1,
        responseRevisions: 2,
        emailMessages: 1,
        comments: 0,
      },
      {
        organizationId,
        surveyId: old.surveyId,
        invitations: 1,
        responses: 1,
        responseRevisions: 2,
        emailMessages: 1,
        comments: 1,
      },
    ]);

    const [oldInvitation] = await invitationsOf(old.surveyId);
    expect(oldInvitation?.email).toBe(`erased-${oldInvitation?.id}@invalid`);
    expect(oldInvitation?.name).toBeNull();
    expect(oldInvitation?.erased_at).toBeInstanceOf(Date);
    // The comment is kept for the wave, cut from the response and so from the account.
    expect(await commentsOf(old.surveyId)).toEqual([null]);
    expect(
      await app.db
        .selectFrom('survey_comments')
        .select(['role', 'comment'])
        .where('survey_id', '=', old.surveyId)
        .execute(),
    ).toEqual([{ role: 'customer', comment: 'Kommentar om Gammel' }]);
    const revisions = await app.db
      .selectFrom('response_revisions as v')
      .innerJoin('responses as r', (join) =>
        join.onRef('r.organization_id', '=', 'v.organization_id').onRef('r.id', '=', 'v.response_id'),
      )
      .select('v.version')
      .where('r.survey_id', '=', old.surveyId)
      .execute();
    expect(revisions).toEqual([]);
    expect((await supertest(app.server).get(old.path)).status).toBe(404);

    // The open-mode wave loses the person (address, name, link) but its comment keeps the account.
    const [openModeInvitation] = await invitationsOf(oldOpenMode.surveyId);
    expect(openModeInvitation?.email).toBe(`erased-${openModeInvitation?.id}@invalid`);
    expect(openModeInvitation?.name).toBeNull();
    expect(await commentsOf(oldOpenMode.surveyId)).toEqual(['Kommentar om Gammel åpen']);
    const openModeResponse = await app.db
      .selectFrom('responses')
      .select('account_id')
      .where('survey_id', '=', oldOpenMode.surveyId)
      .executeTakeFirstOrThrow();
    expect(openModeResponse.account_id).toBe(wave.accountId);
    expect(
      await app.db
        .selectFrom('survey_comments')
        .select('comment')
        .where('survey_id', '=', oldOpenMode.surveyId)
        .execute(),
    ).toEqual([]);
    expect((await supertest(app.server).get(oldOpenMode.path)).status).toBe(404);

    for (const w of [recent, open]) {
      const [invitation] = await invitationsOf(w.surveyId);
      expect(invitation?.email).toBe(w.email);
      expect(invitation?.erased_at).toBeNull();
      expect((await commentsOf(w.surveyId))[0]).toMatch(/^Kommentar om /);
    }
    const [keptInvitation] = await invitationsOf(kept.surveyId);
    expect(keptInvitation?.email).toBe(kept.email);

    // Every report number is the same.
    const reportsAfter = await Promise.all(waves.map((w) => report(wave, w.surveyId)));
    expect(reportsAfter).toEqual(reportsBefore);

    const audit = await app.db
      .selectFrom('audit_log')
      .select(['action', 'user_id', 'survey_id', 'detail'])
      .where('organization_id', '=', organizationId)
      .where('action', '=', 'retention_anonymise')
      .execute();
    expect(audit).toEqual(
      expect.arrayContaining([
        {
          action: 'retention_anonymise',
          user_id: null,
          survey_id: oldOpenMode.surveyId,
          detail: { invitations: 1, responses: 1, responseRevisions: 2, emailMessages: 1, comments: 0 },
        },
        {
          action: 'retention_anonymise',
          user_id: null,
          survey_id: old.surveyId,
          detail: { invitations: 1, responses: 1, responseRevisions: 2, emailMessages: 1, comments: 1 },
        },
      ]),
    );
    expect(audit).toHaveLength(2);

    // Once is enough: a second run finds nothing to do.
    expect(await runRetention(app.db)).toEqual([]);
    // A day later the newer wave's period has passed too.
    const tomorrow = new Date(Date.now() + 2 * 24 * 3600 * 1000);
    expect((await runRetention(app.db, tomorrow)).map((run) => run.surveyId)).toEqual([recent.surveyId]);
  });
});

describe('the retention period on the settings page', () => {
  it('is saved, emptied, and refused outside 30–3650 days with the form re-rendered (400)', async () => {
    const wave = await setUpWave(app, { organization: 'Innstilling AS' });
    const organizationId = await organizationOf(wave);
    const agent = wave.admin.agent;
    const retention = () =>
      app.db
        .selectFrom('organizations')
        .select('retention_days')
        .where('id', '=', organizationId)
        .executeTakeFirstOrThrow()
        .then((row) => row.retention_days);
    const save = (retentionDays: string) =>
      submitForm(agent, '/settings/organization', '/settings/organization', {
        name: 'Innstilling AS',
        threshold: '5',
        retentionDays,
      });

    expect((await save('365')).status).toBe(303);
    expect(await retention()).toBe(365);
    const page = await agent.get('/settings/organization').expect(200);
    expect(page.text).toMatch(/id="retentionDays"[^>]*value="365"/);

    for (const bad of ['29', '3651', '12.5', 'ett år']) {
      const refused = await save(bad);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('id="retentionDays-error"');
      expect(refused.text).toContain(`value="${bad}"`);
      expect(await retention()).toBe(365);
    }
    expect((await save('30')).status).toBe(303);
    expect(await retention()).toBe(30);
    expect((await save('')).status).toBe(303);
    expect(await retention()).toBeNull();
  });
});
