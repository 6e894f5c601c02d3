import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as example from '../../fixtures/worked-example.js';
import { buildTestApp } from '../../helpers/app.js';
import { createApiKey, signUp, uniqueEmail } from '../../helpers/http.js';

// The acceptance test of issue 4: the worked example of DOMAIN.md through the real HTTP flow — create the
// wave, the accounts and the invitations, open it, let every respondent answer through their link, then
// read the JSON report and the page.

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

interface SurveyCriterion {
  id: string;
  key: string;
  audience: 'both' | 'seller';
}
interface Invitation {
  id: string;
  role: 'customer' | 'seller';
  email: string;
  url: string;
}

describe('the worked example, end to end', () => {
  it('turns 4 of 13 customers’ and 4 sellers’ answers into the published report', async () => {
    const admin = await signUp(app, 'Mediehuset AS', uniqueEmail('admin'));
    const key = await createApiKey(admin.agent);
    const api = supertest(app.server);
    const auth = { Authorization: `Bearer ${key}` };

    const created = await api
      .post('/api/v1/surveys')
      .set(auth)
      .send({ name: 'Kundeundersøkelse 2026', overallQuestion: false })
      .expect(201);
    const surveyId: string = created.body.id;
    const criteria: SurveyCriterion[] = created.body.criteria;
    expect(criteria.map((criterion) => criterion.key)).toEqual(example.CRITERION_KEYS);
    const criterionId = new Map(criteria.map((criterion) => [criterion.key, criterion.id]));

    const accountIds: string[] = [];
    for (let index = 0; index < example.invitedCustomers; index++) {
      const account = await api
        .post('/api/v1/accounts')
        .set(auth)
        .send({ name: `Kunde ${index} Æøå`, segment: index < 2 ? 'A' : 'B' })
        .expect(201);
      accountIds.push(account.body.id);
    }

    const invited = await api
      .post(`/api/v1/surveys/${surveyId}/invitations`)
      .set(auth)
      .send({
        invitations: [
          ...accountIds.map((accountId, index) => ({
            role: 'customer',
            email: uniqueEmail(`kunde${index}`),
            name: `Kontakt ${index}`,
            accountId,
          })),
          ...example.sellers.map((_, index) => ({ role: 'seller', email: uniqueEmail(`selger${index}`) })),
        ],
      })
      .expect(201);
    const invitations: Invitation[] = invited.body.invitations;
    expect(invitations).toHaveLength(13 + 4);
    for (const invitation of invitations)
      expect(invitation.url).toMatch(/^http:\/\/localhost:3000\/r\/[\w-]+$/);
    const customerLinks = invitations
      .filter((i) => i.role === 'customer')
      .map((i) => new URL(i.url).pathname);
    const sellerLinks = invitations.filter((i) => i.role === 'seller').map((i) => new URL(i.url).pathname);

    await api.post(`/api/v1/surveys/${surveyId}/open`).set(auth).expect(200);

    for (const [index, answers] of example.customers.entries()) {
      const response = await api
        .post(customerLinks[index] as string)
        .send({
          answers: Object.entries(answers).map(([key, rating]) => ({
            criterionId: criterionId.get(key),
            importance: rating.importance,
            performance: rating.performance,
          })),
          comment: index === 0 ? 'Rask respons, men <b>dyr</b>' : null,
          submit: true,
        })
        .expect(200);
      expect(response.body).toEqual({ status: 'submitted' });
    }
    // A fifth customer saves a draft of all 1s and never submits: it must not count.
    await api
      .post(customerLinks[4] as string)
      .send({
        answers: [{ criterionId: criterionId.get('advice'), importance: 1, performance: 1 }],
        submit: false,
      })
      .expect(200);
    for (const [index, answers] of example.sellers.entries()) {
      await api
        .post(sellerLinks[index] as string)
        .send({
          answers: Object.entries(answers).map(([key, importance]) => ({
            criterionId: criterionId.get(key),
            importance,
          })),
          submit: true,
        })
        .expect(200);
    }

    const { body } = await api.get(`/api/v1/surveys/${surveyId}/report`).set(auth).expect(200);
    expect(body.responseRate).toEqual({
      customer: { invited: 13, responded: 4 },
      seller: { invited: 4, responded: 4 },
    });
    expect(body.overall.deliveryIndex).toBeCloseTo(113 / 12, 12);
    for (const criterion of example.criteria) {
      const row = body.criteria.find((c: { key: string }) => c.key === criterion.key);
      const published = criterion.published;
      expect(row.sellerImportance).toMatchObject({ n: 4 });
      expect(row.sellerImportance.mean).toBeCloseTo(published.sellerImportance, 12);
      if (published.customerImportance === null || published.customerPerformance === null) {
        expect(row.customerImportance).toEqual({ n: 0, mean: null, sd: null, ci95: null });
        expect(row.quadrant).toBeNull();
        continue;
      }
      expect(row.customerImportance.mean).toBeCloseTo(published.customerImportance, 12);
      expect(row.customerPerformance.mean).toBeCloseTo(published.customerPerformance, 12);
    }
    const efficiency = body.criteria.find((c: { key: string }) => c.key === 'efficiency');
    expect(efficiency.alignmentGap).toBeCloseTo(-1.75, 12);

    // Every gap, and every quadrant against crosshairs computed here from the published means.
    const rated = example.criteria.filter((c) => c.published.customerImportance !== null);
    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    const crossImportance = mean(rated.map((c) => c.published.customerImportance as number));
    const crossPerformance = mean(rated.map((c) => c.published.customerPerformance as number));
    expect(body.crosshair.importance).toBeCloseTo(crossImportance, 12);
    expect(body.crosshair.performance).toBeCloseTo(crossPerformance, 12);
    const largest = { key: '', gap: 0 };
    for (const criterion of rated) {
      const row = body.criteria.find((c: { key: string }) => c.key === criterion.key);
      const { sellerImportance, customerImportance, customerPerformance } = criterion.published as Record<
        string,
        number
      >;
      expect(row.deliveryGap).toBeCloseTo(
        (customerPerformance as number) - (customerImportance as number),
        12,
      );
      expect(row.alignmentGap).toBeCloseTo((sellerImportance as number) - (customerImportance as number), 12);
      if (Math.abs(row.alignmentGap) > Math.abs(largest.gap))
        Object.assign(largest, { key: criterion.key, gap: row.alignmentGap });
      const important = (customerImportance as number) >= crossImportance;
      const delivered = (customerPerformance as number) >= crossPerformance;
      const quadrant = important ? (delivered ? 'keep' : 'concentrate') : delivered ? 'overkill' : 'low';
      expect([criterion.key, row.quadrant]).toEqual([criterion.key, quadrant]);
    }
    expect(largest).toEqual({ key: 'efficiency', gap: -1.75 });
    const negative = body.criteria
      .filter((c: { deliveryGap: number | null }) => c.deliveryGap !== null && c.deliveryGap < 0)
      .map((c: { key: string }) => c.key);
    expect(negative).toEqual([
      'solution_oriented',
      'trust',
      'knowledge',
      'accuracy',
      'business_understanding',
      'follow_up',
    ]);

    const page = await admin.agent.get(`/surveys/${surveyId}/report`).expect(200);
    expect(page.text).toContain('4 av 13 kunder, 31 %');
    expect(page.text).toContain('9,25');
    expect(page.text).toContain('−1,75 <span class="marker">⚠ størst avvik</span>');
    expect(page.text).toContain('<dd data-testid="delivery-index">9,42</dd>');
    // The rendered gap table, row by row: label → the cells' text (the mean and its marker; each mean's
    // n, SD and CI follow in spans of their own).
    const rows = new Map(
      [...page.text.matchAll(/<tr>\s*<th scope="row" data-value="([^"]+)">[\s\S]*?<\/tr>/g)].map((m) => [
        m[1],
        [...m[0].matchAll(/<td [^>]*>([\s\S]*?)<\/td>/g)].map((cell) =>
          (cell[1] ?? '')
            .replace(/<span class="(n|spread)">[^<]*<\/span>/g, '')
            .replace(/<[^>]+>/g, '')
            .trim(),
        ),
      ]),
    );
    expect(page.text).toMatch(
      /9,25 <span class="n">n &#x3D; 4<\/span> <span class="spread">SD [\d,]+; 95 % KI /,
    );
    expect(rows.get('Effektivitet')?.slice(0, 5)).toEqual([
      '7,25 ▼ lavest',
      '9,00 ▼ lavest',
      '9,50',
      '0,50 ▲ høyest',
      '−1,75 ⚠ størst avvik',
    ]);
    expect(rows.get('Forretningsforståelse')?.[2]).toBe('8,75 ▼ lavest');
    expect(rows.get('Kundeorientert')?.[2]).toBe('10,00 ▲ høyest');
    expect(rows.get('Tilgjengelighet')?.slice(0, 5)).toEqual([
      '9,50',
      '9,25',
      '9,75',
      '0,50 ▲ høyest',
      '0,25',
    ]);
    expect(rows.get('Rådgivning')?.[4]).toBe('0,00 ✓ nærmest 0');
    expect(rows.get('CRM-system')?.slice(0, 5)).toEqual(['8,25', '–', '–', '–', '–']);
    expect(page.text).toContain('Rask respons, men &lt;b&gt;dyr&lt;/b&gt;');

    const csv = await admin.agent.get(`/surveys/${surveyId}/export.csv`).expect(200);
    expect(csv.text.trim().split('\r\n')).toHaveLength(1 + 4 * 12 + 4 * 13);
  });
});
