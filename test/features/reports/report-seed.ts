import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import type { Insertable } from 'kysely';
import type { AnswersTable } from '../../../server/db/database.js';
import { createMember } from '../../../server/features/auth/organizations.service.js';
import * as example from '../../fixtures/worked-example.js';
import { browser, createApiKey, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';

/** A signed-up organisation: its admin's browser and key, and a KAM with a browser and key of their own. */
export async function organizationWithKam(app: FastifyInstance, name = 'Media AS') {
  const admin = await signUp(app, name, uniqueEmail('admin'));
  const adminUser = await app.db
    .selectFrom('users')
    .select(['id', 'organization_id as organizationId'])
    .where('email', '=', admin.email)
    .executeTakeFirstOrThrow();
  const adminKey = await createApiKey(admin.agent);

  const kamEmail = uniqueEmail('kam');
  const kamUserId = await createMember(app.db, adminUser.organizationId, {
    email: kamEmail,
    name: 'Kari KAM',
    role: 'kam',
    password: 'kam password 123',
  });
  const kam = browser(app);
  const login = await submitForm(kam, '/login', '/login', { email: kamEmail, password: 'kam password 123' });
  if (login.status !== 303) throw new Error(`KAM login failed: ${login.status}`);
  const kamKey = await createApiKey(kam);

  return {
    organizationId: adminUser.organizationId,
    adminUserId: adminUser.id,
    adminAgent: admin.agent,
    adminKey,
    kamUserId,
    kamAgent: kam,
    kamKey,
  };
}

export interface SeedOptions {
  organizationId: string;
  kamUserId: string;
  name?: string;
  /** Comments of the four responding customers, in order (null: none). */
  customerComments?: Array<string | null>;
}

/**
 * The worked example of DOMAIN.md written straight into the tables: 13 customer invitations over 13
 * accounts, 4 submitted customer responses (accounts 0–3), 4 submitted seller responses, and one
 * in-progress customer response (account 4) whose all-1 answers must never count.
 * Accounts 0, 1 and 4 are segment "A", the rest "B"; accounts 0 and 2 belong to the KAM.
 */
export async function seedWorkedExample(app: FastifyInstance, options: SeedOptions) {
  const db = app.db;
  const organizationId = options.organizationId;
  const survey = await db
    .insertInto('surveys')
    .values({
      organization_id: organizationId,
      name: options.name ?? 'Kundeundersøkelse 2026',
      // An open wave: its four customers' figures are shown per account (confidential waves: issue 13).
      confidential: false,
      status: 'open',
      opened_at: new Date('2026-03-02T08:00:00Z'),
      closes_at: new Date('2099-03-30T22:00:00Z'), // still open whenever the suite runs
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const surveyId = survey.id;

  const criteria = await db
    .insertInto('survey_criteria')
    .values(
      example.criteria.map((criterion, position) => ({
        organization_id: organizationId,
        survey_id: surveyId,
        key: criterion.key,
        label_nb: criterion.label.nb,
        label_en: criterion.label.en,
        audience: criterion.audience,
        position,
      })),
    )
    .returning(['id', 'key', 'audience'])
    .execute();
  const criterionId = Object.fromEntries(criteria.map((row) => [row.key, row.id])) as Record<
    example.CriterionKey,
    string
  >;

  const accounts = await db
    .insertInto('accounts')
    .values(
      Array.from({ length: example.invitedCustomers }, (_, index) => ({
        organization_id: organizationId,
        name: `Kunde ${String(index).padStart(2, '0')} Æøå${options.name ? ` (${options.name})` : ''}`,
        segment: [0, 1, 4].includes(index) ? 'A' : 'B',
        kam_user_id: [0, 2].includes(index) ? options.kamUserId : null,
      })),
    )
    .returning(['id', 'name'])
    .execute();
  accounts.sort((a, b) => a.name.localeCompare(b.name));
  const accountIds = accounts.map((account) => account.id);

  const accountOf = new Map<string, string | null>();
  const invite = async (role: 'customer' | 'seller', index: number, accountId: string | null) => {
    const invitation = await db
      .insertInto('invitations')
      .values({
        organization_id: organizationId,
        survey_id: surveyId,
        role,
        email: uniqueEmail(`${role}${index}`),
        language: 'nb',
        account_id: accountId,
        token_salt: randomBytes(16),
        token_hash: randomBytes(32),
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    accountOf.set(invitation.id, accountId);
    return invitation;
  };

  const respond = async (
    role: 'customer' | 'seller',
    invitationId: string,
    status: 'submitted' | 'in_progress',
    comment: string | null,
    answers: Array<
      Omit<
        Insertable<AnswersTable>,
        'organization_id' | 'survey_id' | 'response_id' | 'role' | 'response_status' | 'account_id'
      >
    >,
  ) => {
    const response = await db
      .insertInto('responses')
      .values({
        organization_id: organizationId,
        survey_id: surveyId,
        invitation_id: invitationId,
        role,
        account_id: accountOf.get(invitationId) ?? null,
        status,
        comment,
        submitted_at: status === 'submitted' ? new Date('2026-03-10T12:00:00Z') : null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db
      .insertInto('answers')
      .values(
        answers.map((answer) => ({
          organization_id: organizationId,
          survey_id: surveyId,
          response_id: response.id,
          role,
          ...answer,
          response_status: status,
          account_id: accountOf.get(invitationId) ?? null,
        })),
      )
      .execute();
    return response.id;
  };

  const customerKeys = example.criteria.filter((c) => c.audience === 'both').map((c) => c.key);
  const customerInvitations: string[] = [];
  for (const [index, accountId] of accountIds.entries()) {
    customerInvitations.push((await invite('customer', index, accountId)).id);
  }
  for (const [index, answers] of example.customers.entries()) {
    const invitationId = customerInvitations[index] as string;
    await respond(
      'customer',
      invitationId,
      'submitted',
      options.customerComments?.[index] ?? null,
      customerKeys.flatMap((key) => {
        const rating = answers[key as example.CustomerCriterionKey];
        return [
          {
            survey_criterion_id: criterionId[key],
            audience: 'both',
            dimension: 'importance',
            score: rating.importance,
          },
          {
            survey_criterion_id: criterionId[key],
            audience: 'both',
            dimension: 'performance',
            score: rating.performance,
          },
        ] as const;
      }),
    );
  }
  // Opened and half answered, never submitted: must not count anywhere.
  await respond(
    'customer',
    customerInvitations[4] as string,
    'in_progress',
    'not submitted',
    customerKeys.flatMap(
      (key) =>
        [
          { survey_criterion_id: criterionId[key], audience: 'both', dimension: 'importance', score: 1 },
          { survey_criterion_id: criterionId[key], audience: 'both', dimension: 'performance', score: 1 },
        ] as const,
    ),
  );

  for (const [index, answers] of example.sellers.entries()) {
    const invitation = await invite('seller', index, null);
    await respond(
      'seller',
      invitation.id,
      'submitted',
      index === 0 ? 'Selgerkommentar' : null,
      example.criteria.map((criterion) => ({
        survey_criterion_id: criterionId[criterion.key],
        audience: criterion.audience,
        dimension: 'importance',
        score: answers[criterion.key],
      })),
    );
  }

  return { surveyId, criterionId, accountIds, customerInvitations };
}

/** A wave with the 13 criteria and no invitations or responses at all. */
export async function seedEmptyWave(app: FastifyInstance, organizationId: string) {
  const survey = await app.db
    .insertInto('surveys')
    .values({ organization_id: organizationId, name: 'Tom bølge', status: 'draft', confidential: false })
    .returning('id')
    .executeTakeFirstOrThrow();
  await app.db
    .insertInto('survey_criteria')
    .values(
      example.criteria.map((criterion, position) => ({
        organization_id: organizationId,
        survey_id: survey.id,
        key: criterion.key,
        label_nb: criterion.label.nb,
        label_en: criterion.label.en,
        audience: criterion.audience,
        position,
      })),
    )
    .execute();
  return survey.id;
}
