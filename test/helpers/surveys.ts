import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { createApiKey, signUp, uniqueEmail } from './http.js';

export interface SurveyCriterion {
  id: string;
  key: string | null;
  label: string;
  audience: 'both' | 'seller';
}

/** A JSON API client acting with a bearer key. */
export function apiClient(app: FastifyInstance, key: string) {
  const auth = (test: supertest.Test) => test.set('Authorization', `Bearer ${key}`);
  return {
    get: (path: string) => auth(supertest(app.server).get(path)),
    post: (path: string, body?: object) => auth(supertest(app.server).post(path)).send(body ?? {}),
  };
}

/**
 * An organisation with an API key, an account, and a wave from the default library (draft). The wave asks
 * overall satisfaction only with `overallQuestion: true` (the product's default; tests written before the
 * question submit without it), and is confidential only with `confidential: true` (the product's default:
 * a confidential wave hides every customer cut below k = 3, which most tests' one or two customers are).
 */
export async function setUpWave(
  app: FastifyInstance,
  options: { organization?: string; overallQuestion?: boolean; confidential?: boolean } = {},
) {
  const admin = await signUp(app, options.organization ?? 'Leverandør AS');
  const key = await createApiKey(admin.agent);
  const api = apiClient(app, key);
  const account = await api
    .post('/api/v1/accounts', { name: `Kunde ${uniqueEmail('a')}`, segment: 'A' })
    .expect(201);
  const survey = await api
    .post('/api/v1/surveys', {
      name: 'Høst 2026',
      overallQuestion: options.overallQuestion ?? false,
      confidential: options.confidential ?? false,
    })
    .expect(201);
  return {
    admin,
    api,
    accountId: account.body.id as string,
    surveyId: survey.body.id as string,
    criteria: survey.body.criteria as SurveyCriterion[],
  };
}

/** Invites one customer and one seller, opens the wave, and returns their respondent paths (/r/<token>). */
export async function openWaveWithRespondents(
  app: FastifyInstance,
  options: { organization?: string; overallQuestion?: boolean; confidential?: boolean } = {},
) {
  const wave = await setUpWave(app, options);
  const invited = await wave.api
    .post(`/api/v1/surveys/${wave.surveyId}/invitations`, {
      invitations: [
        { role: 'customer', email: uniqueEmail('kunde'), name: 'Kari Kunde', accountId: wave.accountId },
        { role: 'seller', email: uniqueEmail('selger'), name: 'Sara Selger' },
      ],
    })
    .expect(201);
  await wave.api.post(`/api/v1/surveys/${wave.surveyId}/open`).expect(200);
  const pathOf = (url: string) => new URL(url).pathname;
  return {
    ...wave,
    customerPath: pathOf(invited.body.invitations[0].url),
    sellerPath: pathOf(invited.body.invitations[1].url),
    customerCriteria: wave.criteria.filter((c) => c.audience === 'both'),
  };
}

/** A complete customer answer: every criterion rated (or "don't know" where given). */
export function customerAnswers(criteria: readonly SurveyCriterion[], score = 8) {
  return criteria
    .filter((c) => c.audience === 'both')
    .map((c) => ({ criterionId: c.id, importance: score, performance: score - 1 }));
}
