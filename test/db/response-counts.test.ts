import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countResponses } from '../../server/features/reports/report.queries.js';
import { renewInvitationToken, revokeInvitation } from '../../server/features/surveys/surveys.queries.js';
import { buildTestApp } from '../helpers/app.js';
import { uniqueEmail } from '../helpers/http.js';
import { customerAnswers, openWaveWithRespondents } from '../helpers/surveys.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

type CountsRow = { key: string; invited: number; responded: number };

/**
 * The counts the triggers kept, and the same numbers by the rule countResponses applied before the table
 * existed (every invitation of the wave left-joined to its submitted response), per role × account.
 * A kept row left at zero (everything subtracted) is no row.
 */
async function countsAndTruth(surveyId: string) {
  const kept = await sql<CountsRow>`
    select role || ':' || coalesce(account_id::text, '-') as key, invited::int, responded::int
    from response_counts
    where survey_id = ${surveyId} and (invited <> 0 or responded <> 0)
    order by key`.execute(app.db);
  const truth = await sql<CountsRow>`
    select i.role || ':' || coalesce(i.account_id::text, '-') as key,
           (count(*) filter (where i.revoked_at is null))::int as invited,
           (count(r.id) filter (where i.revoked_at is null))::int as responded
    from invitations i
    left join responses r
      on r.organization_id = i.organization_id and r.invitation_id = i.id and r.status = 'submitted'
    where i.survey_id = ${surveyId}
    group by 1
    having count(*) filter (where i.revoked_at is null) <> 0
    order by 1`.execute(app.db);
  return { kept: kept.rows, truth: truth.rows };
}

async function expectKeptEqualsTruth(surveyId: string) {
  const { kept, truth } = await countsAndTruth(surveyId);
  expect(kept).toEqual(truth);
  return truth;
}

describe('response_counts (kept by triggers)', () => {
  it('equal the count over every invitation after invites, revokes, renewals, saves, submits, edits and deletes', async () => {
    const wave = await openWaveWithRespondents(app);
    const http = supertest(app.server);
    const { organizationId } = await app.db
      .selectFrom('surveys')
      .select('organization_id as organizationId')
      .where('id', '=', wave.surveyId)
      .executeTakeFirstOrThrow();
    const otherAccount = await wave.api.post('/api/v1/accounts', { name: 'Annen Kunde AS' }).expect(201);
    const more = await wave.api
      .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
        invitations: [
          { role: 'customer', email: uniqueEmail('k2'), accountId: otherAccount.body.id },
          { role: 'customer', email: uniqueEmail('k3'), accountId: wave.accountId },
          { role: 'customer', email: uniqueEmail('k4'), accountId: wave.accountId },
          { role: 'seller', email: uniqueEmail('s2') },
          { role: 'seller', email: uniqueEmail('s3') },
        ],
      })
      .expect(201);
    const [second, third, fourth, secondSeller, thirdSeller] = more.body.invitations.map(
      (invitation: { url: string }) => new URL(invitation.url).pathname,
    );
    const invitationOf = async (prefix: string) => {
      const found = await app.db
        .selectFrom('invitations')
        .select('id')
        .where('survey_id', '=', wave.surveyId)
        .where('email', 'like', `${prefix}.%`)
        .executeTakeFirstOrThrow();
      return found.id;
    };
    let truth = await expectKeptEqualsTruth(wave.surveyId);
    expect(truth).toHaveLength(3);

    // Saves (no count), submits, an edit after submit (still submitted).
    const save = (path: string, answers: object[], submit: boolean) =>
      http.post(path).send({ answers, submit }).expect(200);
    const sellerAnswers = wave.criteria.map((c) => ({ criterionId: c.id, importance: 5 }));
    await save(wave.customerPath, customerAnswers(wave.criteria, 4).slice(0, 5), false);
    await save(fourth, customerAnswers(wave.criteria, 4).slice(0, 3), false);
    await save(thirdSeller, sellerAnswers.slice(0, 2), false);
    await expectKeptEqualsTruth(wave.surveyId);
    await save(wave.customerPath, customerAnswers(wave.criteria, 9), true);
    await save(second, customerAnswers(wave.criteria, 6), true);
    await save(wave.sellerPath, sellerAnswers, true);
    await save(secondSeller, sellerAnswers, true);
    await expectKeptEqualsTruth(wave.surveyId);
    await save(wave.customerPath, customerAnswers(wave.criteria, 3), true);
    await save(wave.customerPath, customerAnswers(wave.criteria, 2), false);
    await expectKeptEqualsTruth(wave.surveyId);

    // Revokes: an answered link is refused; an unanswered one, with or without a draft, stops counting.
    const submittedCustomer = await app.db
      .selectFrom('responses')
      .innerJoin('invitations', 'invitations.id', 'responses.invitation_id')
      .select('invitations.id')
      .where('responses.survey_id', '=', wave.surveyId)
      .where('invitations.email', 'like', 'kunde.%')
      .executeTakeFirstOrThrow();
    expect(await revokeInvitation(app.db, organizationId, wave.surveyId, submittedCustomer.id)).toBe(
      'answered',
    );
    const drafted = await invitationOf('k4');
    const untouched = await invitationOf('k3');
    expect(await revokeInvitation(app.db, organizationId, wave.surveyId, drafted)).toBe('revoked');
    expect(await revokeInvitation(app.db, organizationId, wave.surveyId, untouched)).toBe('revoked');
    expect(await revokeInvitation(app.db, organizationId, wave.surveyId, await invitationOf('s3'))).toBe(
      'revoked',
    );
    await expectKeptEqualsTruth(wave.surveyId);
    const refused = await http.post(third).send({ answers: customerAnswers(wave.criteria, 5), submit: true });
    expect(refused.status).not.toBe(200);
    await expectKeptEqualsTruth(wave.surveyId);

    // Renewals change nothing; a revoked invitation restored counts again, and so does its submit.
    const token = { salt: randomBytes(16), hash: randomBytes(32) };
    expect(
      await renewInvitationToken(app.db, organizationId, wave.surveyId, await invitationOf('k2'), token),
    ).toBe(true);
    await app.db.updateTable('invitations').set({ revoked_at: null }).where('id', '=', drafted).execute();
    await expectKeptEqualsTruth(wave.surveyId);
    await save(fourth, customerAnswers(wave.criteria, 7), true);
    truth = await expectKeptEqualsTruth(wave.surveyId);
    expect(truth).toEqual(
      expect.arrayContaining([{ key: `customer:${wave.accountId}`, invited: 2, responded: 2 }]),
    );

    // One statement over several rows: every response back to in progress, then submitted again.
    await app.db
      .updateTable('responses')
      .set({ status: 'in_progress', submitted_at: null })
      .where('survey_id', '=', wave.surveyId)
      .execute();
    await expectKeptEqualsTruth(wave.surveyId);
    await app.db
      .updateTable('responses')
      .set({ status: 'submitted', submitted_at: new Date() })
      .where('survey_id', '=', wave.surveyId)
      .where('invitation_id', 'not in', [untouched, await invitationOf('s3')])
      .execute();
    await expectKeptEqualsTruth(wave.surveyId);

    // Deletes: a submitted response, then invitations (their responses go with them), one revoked.
    await app.db
      .deleteFrom('responses')
      .where('survey_id', '=', wave.surveyId)
      .where('invitation_id', '=', await invitationOf('s2'))
      .execute();
    await expectKeptEqualsTruth(wave.surveyId);
    await app.db
      .deleteFrom('invitations')
      .where('survey_id', '=', wave.surveyId)
      .where((eb) =>
        eb.or([eb('email', 'like', 'k2.%'), eb('email', 'like', 'k3.%'), eb('email', 'like', 'k4.%')]),
      )
      .execute();
    truth = await expectKeptEqualsTruth(wave.surveyId);
    expect(truth).toEqual([
      { key: `customer:${wave.accountId}`, invited: 1, responded: 1 },
      { key: 'seller:-', invited: 2, responded: 1 },
    ]);

    // countResponses reads the kept counts, whole wave and filtered.
    const sum = (role: string, accountId?: string) =>
      truth
        .filter(
          (row) => row.key.startsWith(`${role}:`) && (accountId === undefined || row.key.endsWith(accountId)),
        )
        .reduce(
          (total, row) => ({
            invited: total.invited + row.invited,
            responded: total.responded + row.responded,
          }),
          {
            invited: 0,
            responded: 0,
          },
        );
    expect(await countResponses(app.db, organizationId, wave.surveyId)).toEqual({
      customer: sum('customer'),
      seller: sum('seller'),
    });
    expect(
      await countResponses(app.db, organizationId, wave.surveyId, { accountId: wave.accountId }),
    ).toEqual({
      customer: sum('customer', wave.accountId),
      seller: sum('seller'),
    });
    expect(await countResponses(app.db, organizationId, wave.surveyId, { segment: 'A' })).toEqual({
      customer: sum('customer', wave.accountId),
      seller: sum('seller'),
    });
  });
});
