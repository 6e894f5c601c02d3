import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../../server/features/auth/organizations.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { browser, createApiKey, submitForm, uniqueEmail } from '../../helpers/http.js';
import { organizationWithKam, seedWorkedExample } from './report-seed.js';

// A KAM reads the reports of their own accounts only (DOMAIN.md, "Who uses it"): that holds for the
// customers' comments as much as for their scores.

const OWN = 'Kommentar fra Kari KAMs kunde';
const OTHER_KAMS = 'Kommentar fra Ola KAMs kunde';
const UNASSIGNED = 'Kommentar fra en kunde uten KAM';

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let seeded: Awaited<ReturnType<typeof seedWorkedExample>>;
let otherKam: Awaited<ReturnType<typeof member>>;
let manager: Awaited<ReturnType<typeof member>>;

/** A user of the organisation, logged in in a browser of their own, with an API key. */
async function member(role: 'kam' | 'manager', name: string) {
  const email = uniqueEmail(role);
  const password = `${role} password 123`;
  const userId = await createMember(app.db, org.organizationId, { email, name, role, password });
  const agent = browser(app);
  const login = await submitForm(agent, '/login', '/login', { email, password });
  if (login.status !== 303) throw new Error(`login failed: ${login.status}`);
  return { userId, agent, key: await createApiKey(agent) };
}

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app);
  // Accounts 0 and 2 are Kari KAM's; account 1 becomes Ola KAM's; account 3 has no KAM.
  seeded = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
    customerComments: [OWN, OTHER_KAMS, null, UNASSIGNED],
  });
  otherKam = await member('kam', 'Ola KAM');
  await app.db
    .updateTable('accounts')
    .set({ kam_user_id: otherKam.userId })
    .where('id', '=', seeded.accountIds[1] as string)
    .execute();
  manager = await member('manager', 'Mona Manager');
});
afterAll(async () => {
  await app.close();
});

const pagePath = () => `/surveys/${seeded.surveyId}/report`;
const apiPath = () => `/api/v1/surveys/${seeded.surveyId}/report`;

/** The quoted comments of the page's comments list, in order. */
function commentsOn(html: string): string[] {
  const list = /<ul class="comments" data-testid="comments">([\s\S]*?)<\/ul>/.exec(html)?.[1] ?? '';
  return [...list.matchAll(/<blockquote>([\s\S]*?)<\/blockquote>/g)].map((match) => match[1] ?? '');
}

describe('GET /surveys/:id/report — comments as a KAM', () => {
  it('shows a KAM the comments of their own accounts and none from another KAM’s or an unassigned account', async () => {
    const { text } = await org.kamAgent.get(pagePath()).expect(200);
    expect(text).toContain('2 av 2 kunder, 100 %');
    expect(commentsOn(text)).toContain(OWN);
    expect(text).toContain('Kunde 00 Æøå');
    expect(text).not.toContain(OTHER_KAMS);
    expect(text).not.toContain(UNASSIGNED);
    expect(text).not.toContain('Kunde 01 Æøå');
    expect(text).not.toContain('Kunde 03 Æøå');
  });

  it('holds a KAM to their own comments when they filter by their own account or segment', async () => {
    const ownAccount = await org.kamAgent.get(`${pagePath()}?accountId=${seeded.accountIds[0]}`).expect(200);
    expect(commentsOn(ownAccount.text)).toContain(OWN);
    // Segment A holds account 0 (Kari's) and account 1 (Ola's).
    const segment = await org.kamAgent.get(`${pagePath()}?segment=A`).expect(200);
    expect(commentsOn(segment.text)).toContain(OWN);
    expect(segment.text).not.toContain(OTHER_KAMS);
  });

  it('shows the other KAM their own account’s comment and not Kari KAM’s', async () => {
    const { text } = await otherKam.agent.get(pagePath()).expect(200);
    expect(text).toContain('1 av 1 kunder, 100 %');
    expect(commentsOn(text)).toContain(OTHER_KAMS);
    expect(text).not.toContain(OWN);
    expect(text).not.toContain(UNASSIGNED);
  });

  it('shows a manager every customer comment in the organisation, with its account', async () => {
    const { text } = await manager.agent.get(pagePath()).expect(200);
    expect(text).toContain('4 av 13 kunder, 31 %');
    expect(commentsOn(text)).toEqual(expect.arrayContaining([OWN, OTHER_KAMS, UNASSIGNED]));
    expect(text).toContain('Kunde 01 Æøå');
    expect(text).toContain('Kunde 03 Æøå');
  });
});

describe('GET /api/v1/surveys/:id/report — as a KAM', () => {
  it('answers a KAM with their own accounts’ numbers and no other account’s comment', async () => {
    const response = await supertest(app.server)
      .get(apiPath())
      .set('Authorization', `Bearer ${org.kamKey}`)
      .expect(200);
    expect(response.body.responseRate.customer).toEqual({ invited: 2, responded: 2 });
    expect(response.text).not.toContain(OTHER_KAMS);
    expect(response.text).not.toContain(UNASSIGNED);
  });

  it('answers a manager with every account’s numbers', async () => {
    const { body } = await supertest(app.server)
      .get(apiPath())
      .set('Authorization', `Bearer ${manager.key}`)
      .expect(200);
    expect(body.responseRate.customer).toEqual({ invited: 13, responded: 4 });
  });
});
