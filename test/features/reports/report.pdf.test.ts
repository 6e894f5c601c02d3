import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedEmptyWave, seedWorkedExample } from './report-seed.js';

// Issue 9, the PDF: the worked example of DOMAIN.md rendered by the server and read back with Debian's
// poppler-utils (pdftotext, pdffonts, pdfinfo; .ci/run installs them), scoped exactly as the page is.

const LONG_WORD = 'Ø'.repeat(5000);
let hits = 0;
let trap: Server;
let trapUrl: string;
let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let seeded: Awaited<ReturnType<typeof seedWorkedExample>>;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'report-pdf-'));
  // A server that counts every request: a comment pointing at it must never reach it.
  trap = createServer((_request, response) => {
    hits++;
    response.end('gotcha');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  trapUrl = `http://127.0.0.1:${(trap.address() as AddressInfo).port}/x.png`;

  app = await buildTestApp();
  org = await organizationWithKam(app, 'Mediehuset Ærlig AS');
  seeded = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
    customerComments: [
      `Bra oppfølging <img src=${trapUrl}> <img src=http://169.254.169.254/latest/meta-data/>`,
      LONG_WORD,
      'Kunde \u202Eexe.txt\u202C med retningstegn og emoji 👍🏽🚀 på slutten',
      '<iframe src=file:///etc/passwd></iframe> uten KAM',
    ],
  });
});
afterAll(async () => {
  await app?.close();
  trap?.close();
  rmSync(dir, { recursive: true, force: true });
});

const pdfPath = (query = '') => `/surveys/${seeded.surveyId}/report.pdf${query}`;

/** Buffers a binary body (supertest leaves application/pdf unparsed otherwise). */
function binary(request: supertest.Test) {
  return request.buffer(true).parse((response, callback) => {
    const chunks: Buffer[] = [];
    response.on('data', (chunk: Buffer) => chunks.push(chunk));
    response.on('end', () => callback(null, Buffer.concat(chunks)));
  });
}

/** The PDF's text (whitespace collapsed), its pages and its fonts, as poppler reads them. */
function readPdf(pdf: Buffer) {
  const file = path.join(dir, `${randomBytes(6).toString('hex')}.pdf`);
  writeFileSync(file, pdf);
  const raw = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8' });
  const info = execFileSync('pdfinfo', [file], { encoding: 'utf8' });
  const fonts = execFileSync('pdffonts', [file], { encoding: 'utf8' })
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '');
  return {
    raw,
    text: raw.replace(/\s+/g, ' '),
    pages: Number(/^Pages:\s+(\d+)/m.exec(info)?.[1]),
    pageSize: /^Page size:\s+(.*)$/m.exec(info)?.[1] ?? '',
    fonts,
  };
}

async function pdfOf(request: supertest.Test) {
  const response = await binary(request).expect(200);
  expect(response.headers['content-type']).toBe('application/pdf');
  expect(response.headers['content-disposition']).toMatch(/^attachment; filename="[a-z0-9-]+\.pdf"/);
  const body = response.body as Buffer;
  expect(body.subarray(0, 5).toString()).toBe('%PDF-');
  return readPdf(body);
}

function expectEveryFontEmbedded(fonts: string[]) {
  expect(fonts.length).toBeGreaterThan(0);
  // pdffonts columns: name type encoding emb sub uni object ID — emb is "yes" for every font.
  for (const line of fonts) expect(line).toMatch(/\s(yes)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+\s*$/);
}

describe('GET /surveys/:id/report.pdf', () => {
  it('prints the worked example in Norwegian: æøå intact, 9,42, 4 av 13, markers, page numbers, fonts embedded', async () => {
    const pdf = await pdfOf(org.adminAgent.get(pdfPath()));
    expect(pdf.pageSize).toMatch(/^595\.2\d? x 841\.8\d? pts \(A4\)/);
    for (const name of [
      'Tilgjengelighet',
      'Rådgivning',
      'Løsningsorientert',
      'Kundeorientert',
      'Nøyaktighet',
      'Forretningsforståelse',
      'Oppfølging',
      'CRM-system',
    ])
      expect(pdf.text).toContain(name);
    expect(pdf.text).toContain('Mediehuset Ærlig AS');
    expect(pdf.text).toContain('Kundeundersøkelse 2026');
    expect(pdf.text).toContain('Hele organisasjonen');
    expect(pdf.text).toContain('4 av 13 kunder, 31 %');
    expect(pdf.text).toContain('9,42');
    expect(pdf.text).toContain('Få svar – tolk tallene med forsiktighet');
    expect(pdf.text).toContain('▼ lavest');
    expect(pdf.text).toContain('▲ høyest');
    expect(pdf.text).toContain('−1,75');
    expect(pdf.text).toContain('Konsentrer innsatsen her');
    expect(pdf.text).toContain(`Side 1 av ${pdf.pages}`);
    expect(pdf.text).toContain(`Side ${pdf.pages} av ${pdf.pages}`);
    expectEveryFontEmbedded(pdf.fonts);
    expect(pdf.fonts.join('\n')).toContain('DejaVuSans');
  });

  it('follows the reader’s language: English numbers and words', async () => {
    // By key, so that the language cookie ?lang= sets stays out of the session the other tests share.
    const pdf = await pdfOf(
      supertest(app.server).get(pdfPath('?lang=en')).set('Authorization', `Bearer ${org.adminKey}`),
    );
    expect(pdf.text).toContain('4 of 13 customers, 31 %');
    expect(pdf.text).toContain('9.42');
    expect(pdf.text).toContain('Page 1 of');
    expect(pdf.text).toContain('Business understanding');
  });

  it('answers an API key (a download) like the session', async () => {
    const pdf = await pdfOf(
      supertest(app.server).get(pdfPath()).set('Authorization', `Bearer ${org.adminKey}`),
    );
    expect(pdf.text).toContain('4 av 13 kunder, 31 %');
  });

  it('holds one account’s figures only when filtered by account, and names the filter', async () => {
    const accountId = seeded.accountIds[0] as string;
    const pdf = await pdfOf(org.adminAgent.get(pdfPath(`?accountId=${accountId}`)));
    const { body } = await supertest(app.server)
      .get(`/api/v1/surveys/${seeded.surveyId}/report?accountId=${accountId}`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    expect(body.responseRate.customer).toEqual({ invited: 1, responded: 1 });
    expect(pdf.text).toContain('1 av 1 kunder, 100 %');
    expect(pdf.text).toContain('Kunde: Kunde 00 Æøå');
    const index = new Intl.NumberFormat('nb-NO', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    expect(pdf.text).toContain(index.format(body.overall.deliveryIndex));
    expect(pdf.text).toContain('Bra oppfølging');
    expect(pdf.text).not.toContain('Kunde 01 Æøå');
    expect(pdf.text).not.toContain('på slutten');
    expect(pdf.text).not.toContain('iframe');
    expect(pdf.raw).not.toContain('Ø');
    expect(pdf.text).not.toContain('4 av 13');
  });

  it('gives a KAM their own portfolio by default, by session or by key', async () => {
    for (const request of [
      org.kamAgent.get(pdfPath()),
      supertest(app.server).get(pdfPath()).set('Authorization', `Bearer ${org.kamKey}`),
    ]) {
      const pdf = await pdfOf(request);
      expect(pdf.text).toContain('2 av 2 kunder, 100 %');
      expect(pdf.text).toContain('KAM: Kari KAM');
      // Accounts 0 and 2 are the KAM's; account 1 (the long word) and 3 (the iframe) are not.
      expect(pdf.text).toContain('Bra oppfølging');
      expect(pdf.text).toContain('på slutten');
      expect(pdf.raw).not.toContain('Ø');
      expect(pdf.text).not.toContain('iframe');
      expect(pdf.text).not.toContain('4 av 13');
    }
  });

  it('refuses a KAM another KAM’s or an unassigned account, as the page does', async () => {
    const other = seeded.accountIds[1] as string;
    await org.kamAgent.get(`/surveys/${seeded.surveyId}/report?accountId=${other}`).expect(403);
    await org.kamAgent.get(pdfPath(`?accountId=${other}`)).expect(403);
    await supertest(app.server)
      .get(pdfPath(`?kamUserId=${org.adminUserId}`))
      .set('Authorization', `Bearer ${org.kamKey}`)
      .expect(403);
  });

  it('prints hostile comments as text, wrapped, and fetches nothing', async () => {
    const pdf = await pdfOf(org.adminAgent.get(pdfPath()));
    expect(pdf.text).toContain(`<img src=${trapUrl}>`);
    // (pdftotext joins a line broken after a hyphen without it: compare up to the hyphen.)
    expect(pdf.text).toContain('<img src=http://169.254.169.254/latest/meta');
    expect(pdf.text).toContain('<iframe src=file:///etc/passwd></iframe>');
    expect(pdf.text).toContain('[skjult tegn U+202E]exe.txt[skjult tegn U+202C]');
    expect(pdf.text).toContain('emoji');
    expect(pdf.text).toContain('på slutten');
    expect(pdf.text).toContain('uten KAM');
    // The 5000-character word is all there, broken over lines that fit the page.
    expect(pdf.raw.replace(/[^Ø]/g, '')).toHaveLength(5000);
    const longest = Math.max(...pdf.raw.split('\n').map((line) => line.length));
    expect(longest).toBeLessThan(200);
    expect(pdf.text).not.toContain('\u202E');
    expect(hits).toBe(0);
  });

  it('prints a wave without responses as a valid PDF that says what is missing', async () => {
    const surveyId = await seedEmptyWave(app, org.organizationId);
    const pdf = await pdfOf(org.adminAgent.get(`/surveys/${surveyId}/report.pdf`));
    expect(pdf.pages).toBe(1);
    expect(pdf.text).toContain('Tom bølge');
    expect(pdf.text).toContain('0 av 0 kunder');
    expect(pdf.text).toContain('Ingen innsendte svar for dette utvalget');
    expect(pdf.text).toContain('Ingen kommentarer.');
    expectEveryFontEmbedded(pdf.fonts);
  });

  it('prints a wave of one criterion and one response, saying the sellers are missing', async () => {
    const surveyId = await seedOneCriterionOneResponse();
    const pdf = await pdfOf(org.adminAgent.get(`/surveys/${surveyId}/report.pdf`));
    expect(pdf.text).toContain('Tillit');
    expect(pdf.text).toContain('1 av 1 kunder, 100 %');
    expect(pdf.text).toContain('Ingen innsendte selgersvar');
    expect(pdf.text).toContain('Få svar');
    expectEveryFontEmbedded(pdf.fonts);
  });

  it('offers the PDF of what the page shows: a download link carrying the filters, and a print stylesheet', async () => {
    const accountId = seeded.accountIds[0] as string;
    const page = await org.adminAgent.get(
      `/surveys/${seeded.surveyId}/report?accountId=${accountId}&segment=A`,
    );
    expect(page.status).toBe(200);
    const href = /<a href="([^"]+)" download data-testid="download-pdf">Last ned PDF<\/a>/.exec(
      page.text,
    )?.[1];
    expect(href?.replace(/&#x3D;/g, '=').replace(/&amp;/g, '&')).toBe(
      `/surveys/${seeded.surveyId}/report.pdf?accountId=${accountId}&segment=A`,
    );
    expect(page.text).toContain('<link rel="stylesheet" href="/static/css/report-print.css" media="print">');
    const css = await supertest(app.server).get('/static/css/report-print.css').expect(200);
    expect(css.text).toContain('.report-filters');
  });

  it('answers 404 for another organisation’s wave and sends a stranger to log in', async () => {
    const stranger = await organizationWithKam(app, 'Fremmed AS');
    await binary(stranger.adminAgent.get(pdfPath())).expect(404);
    await supertest(app.server)
      .get(pdfPath())
      .expect(303)
      .expect('location', /^\/login/);
  });
});

/** A wave with one criterion (trust) and one submitted customer response, no sellers. */
async function seedOneCriterionOneResponse() {
  const db = app.db;
  const organizationId = org.organizationId;
  const survey = await db
    .insertInto('surveys')
    .values({
      organization_id: organizationId,
      name: 'Ett kriterium',
      status: 'open',
      opened_at: new Date(),
      confidential: false,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const criterion = await db
    .insertInto('survey_criteria')
    .values({
      organization_id: organizationId,
      survey_id: survey.id,
      key: 'trust',
      label_nb: 'Tillit',
      label_en: 'Trust',
      audience: 'both',
      position: 0,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const accountId = seeded.accountIds[5] as string;
  const invitation = await db
    .insertInto('invitations')
    .values({
      organization_id: organizationId,
      survey_id: survey.id,
      role: 'customer',
      email: `one-${randomBytes(4).toString('hex')}@example.com`,
      language: 'nb',
      account_id: accountId,
      token_salt: randomBytes(16),
      token_hash: randomBytes(32),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  const response = await db
    .insertInto('responses')
    .values({
      organization_id: organizationId,
      survey_id: survey.id,
      invitation_id: invitation.id,
      role: 'customer',
      account_id: accountId,
      status: 'submitted',
      comment: null,
      submitted_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db
    .insertInto('answers')
    .values(
      (['importance', 'performance'] as const).map((dimension) => ({
        organization_id: organizationId,
        survey_id: survey.id,
        response_id: response.id,
        role: 'customer' as const,
        survey_criterion_id: criterion.id,
        audience: 'both' as const,
        dimension,
        score: 8,
        response_status: 'submitted' as const,
        account_id: accountId,
      })),
    )
    .execute();
  return survey.id;
}
