import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMember } from '../../../server/features/auth/organizations.service.js';
import { buildTestApp } from '../../helpers/app.js';
import { browser, createApiKey, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';
import { apiClient, type SurveyCriterion } from '../../helpers/surveys.js';

// The next wave's report shows the actions recorded on the wave it compares with, beside their criterion,
// with the change measured since (issue 11): JSON criteria[].previousActions, the page's table, the PDF.
// Wave 1 is copied (POST /api/v1/surveys/:id/copy), so the panel and the criteria are the same.

let app: FastifyInstance;
let adminKey: string;
let kamKey: string;
let firstId: string;
let kamId: string;
let secondId: string;
const actionIds: Record<string, string> = {};

/** Every customer answers every criterion: availability performance `availability`, the rest 6. */
async function answerAll(paths: string[], criteria: SurveyCriterion[], availability: (i: number) => number) {
  for (const [index, path] of paths.entries()) {
    const answers = criteria
      .filter((criterion) => criterion.audience === 'both')
      .map((criterion) => ({
        criterionId: criterion.id,
        importance: 8,
        performance: criterion.key === 'availability' ? availability(index) : 6,
      }));
    await supertest(app.server).post(path).send({ answers, submit: true }).expect(200);
  }
}

const pathsOf = (invitations: { url: string }[]) => invitations.map((i) => new URL(i.url).pathname);

beforeAll(async () => {
  app = await buildTestApp();
  const admin = await signUp(app, 'Tiltak AS');
  adminKey = await createApiKey(admin.agent);
  const api = apiClient(app, adminKey);
  const me = await api.get('/api/v1/me').expect(200);
  const kamEmail = uniqueEmail('kam');
  const kamUserId = await createMember(app.db, me.body.organization.id, {
    email: kamEmail,
    name: 'Kari KAM',
    role: 'kam',
    password: 'kam password 123',
  });
  kamId = kamUserId;
  const kamAgent = browser(app);
  await submitForm(kamAgent, '/login', '/login', { email: kamEmail, password: 'kam password 123' });
  kamKey = await createApiKey(kamAgent);
  const karis = (await api.post('/api/v1/accounts', { name: 'Karis kunde', kamUserId }).expect(201)).body.id;
  const others = (await api.post('/api/v1/accounts', { name: 'Annen kunde' }).expect(201)).body.id;

  const first = await api
    .post('/api/v1/surveys', { name: 'Vår 2026', overallQuestion: false, confidential: false })
    .expect(201);
  firstId = first.body.id;
  const invited = await api
    .post(`/api/v1/surveys/${firstId}/invitations`, {
      invitations: [karis, karis, karis, others, others, others].map((accountId) => ({
        role: 'customer',
        email: uniqueEmail('kunde'),
        accountId,
      })),
    })
    .expect(201);
  await api.post(`/api/v1/surveys/${firstId}/open`).expect(200);
  await answerAll(
    pathsOf(invited.body.invitations),
    first.body.criteria,
    (i) => [3, 4, 3, 4, 3, 4][i] as number,
  );
  await api.post(`/api/v1/surveys/${firstId}/close`).expect(200);

  // Actions on wave 1: one for Kari's account (done), one for the other account, one wave-wide.
  const record = async (title: string, body: object) =>
    (
      await api
        .post(`/api/v1/surveys/${firstId}/actions`, { criterionKey: 'availability', title, ...body })
        .expect(201)
    ).body.id as string;
  actionIds.kari = await record('Fast kontaktperson', { accountId: karis, status: 'done' });
  actionIds.other = await record('Ukentlig oppringing', { accountId: others });
  actionIds.wave = await record('Ny vaktordning', {});

  const copy = await api.post(`/api/v1/surveys/${firstId}/copy`).expect(201);
  secondId = copy.body.id;
  await api.post(`/api/v1/surveys/${secondId}/open`).expect(200);
  await answerAll(pathsOf(copy.body.invitations), copy.body.criteria, (i) => [8, 9, 8, 9, 8, 9][i] as number);
});
afterAll(async () => {
  await app.close();
});

describe('the previous wave’s actions in the next report', () => {
  it('lists them under their criterion in JSON, for a manager every one, for no other criterion', async () => {
    const report = await apiClient(app, adminKey).get(`/api/v1/surveys/${secondId}/report`).expect(200);
    expect(report.body.comparedTo.id).toBe(firstId);
    const availability = report.body.criteria.find((c: { key: string }) => c.key === 'availability');
    expect(availability.previousActions.map((a: { id: string }) => a.id).sort()).toEqual(
      Object.values(actionIds).sort(),
    );
    expect(availability.previousActions.find((a: { id: string }) => a.id === actionIds.kari)).toMatchObject({
      title: 'Fast kontaktperson',
      status: 'done',
    });
    // Delivery on availability went from 3.5 to 8.5 with these answers: a significant rise.
    expect(availability.change.customerPerformance.delta).toBeCloseTo(5, 12);
    expect(availability.change.customerPerformance.significant).toBe(true);
    for (const other of report.body.criteria.filter((c: { key: string }) => c.key !== 'availability')) {
      expect(other.previousActions).toEqual([]);
    }
  });

  it('shows a KAM only their own accounts’ actions', async () => {
    const report = await apiClient(app, kamKey).get(`/api/v1/surveys/${secondId}/report`).expect(200);
    const availability = report.body.criteria.find((c: { key: string }) => c.key === 'availability');
    expect(availability.previousActions.map((a: { id: string }) => a.id)).toEqual([actionIds.kari]);
  });

  it('follows the report’s filter: under a KAM filter, that KAM’s accounts’ actions and the wave-wide one', async () => {
    const report = await apiClient(app, adminKey)
      .get(`/api/v1/surveys/${secondId}/report?kamUserId=${kamId}`)
      .expect(200);
    const availability = report.body.criteria.find((c: { key: string }) => c.key === 'availability');
    expect(availability.previousActions.map((a: { id: string }) => a.id).sort()).toEqual(
      [actionIds.kari, actionIds.wave].sort(),
    );
  });

  it('has none with compareTo=none, and none on the first wave', async () => {
    const none = await apiClient(app, adminKey)
      .get(`/api/v1/surveys/${secondId}/report?compareTo=none`)
      .expect(200);
    expect(
      none.body.criteria.every((c: { previousActions: unknown[] }) => c.previousActions.length === 0),
    ).toBe(true);
    const first = await apiClient(app, adminKey).get(`/api/v1/surveys/${firstId}/report`).expect(200);
    expect(first.body.comparedTo).toBeNull();
    expect(
      first.body.criteria.every((c: { previousActions: unknown[] }) => c.previousActions.length === 0),
    ).toBe(true);
  });

  it('shows them on the page beside the criterion with the measured change, and in the PDF', async () => {
    const page = await supertest(app.server)
      .get(`/surveys/${secondId}/report`)
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    const table = /<table class="gap-table" data-testid="previous-actions">[\s\S]*?<\/table>/.exec(
      page.text,
    )?.[0];
    expect(table).toBeDefined();
    expect(table).toContain('Tilgjengelighet');
    expect(table).toContain('Fast kontaktperson');
    expect(table).toContain('Karis kunde');
    expect(table).toContain('Hele målingen');
    expect(table).toContain('Fullført — levering +5,00, signifikant');
    expect(table).toContain('Planlagt — levering +5,00, signifikant');

    const pdf = await supertest(app.server)
      .get(`/surveys/${secondId}/report.pdf`)
      .set('Authorization', `Bearer ${adminKey}`)
      .buffer(true)
      .parse((response, callback) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'previous-actions-'));
    const file = path.join(dir, 'report.pdf');
    writeFileSync(file, pdf.body as Buffer);
    const text = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' }).replace(
      /\s+/g,
      ' ',
    );
    rmSync(dir, { recursive: true, force: true });
    expect(text).toContain('Tiltak fra Vår 2026');
    expect(text).toContain(
      'Tilgjengelighet: Fast kontaktperson (Karis kunde) — Fullført — levering +5,00, signifikant',
    );
    // The trend across the two waves, as a table of text.
    expect(text).toContain('Utvikling over målingene');
    expect(text).toContain('Tilgjengelighet: 3,50 (n = 6) → 8,50 (n = 6)');
  });

  it('links each Concentrate-here criterion of the first wave to recording an action on it', async () => {
    const page = await supertest(app.server)
      .get(`/surveys/${firstId}/report`)
      .set('Authorization', `Bearer ${adminKey}`)
      .expect(200);
    // Handlebars writes = as &#x3D; in attributes; the browser reads it back as =.
    expect(page.text.replaceAll('&#x3D;', '=')).toContain(
      `href="/surveys/${firstId}/actions?criterion=availability"`,
    );
  });
});
