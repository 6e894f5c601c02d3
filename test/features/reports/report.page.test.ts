import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedEmptyWave, seedWorkedExample } from './report-seed.js';

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let seeded: Awaited<ReturnType<typeof seedWorkedExample>>;

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app);
  seeded = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
    customerComments: ['<script>alert(1)</script>', 'Fin oppfølging – takk!', null, null],
  });
});
afterAll(async () => {
  await app.close();
});

const pagePath = () => `/surveys/${seeded.surveyId}/report`;

/** The table row of a criterion: its header cell and the cells after it. */
function rowOf(html: string, label: string): string {
  const start = html.indexOf(`<th scope="row" data-value="${label}">`);
  if (start < 0) throw new Error(`no row for ${label}`);
  return html.slice(start, html.indexOf('</tr>', start));
}
const cellsOf = (row: string) =>
  [...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((match) => match[1] ?? '');

describe('GET /surveys/:id/report', () => {
  it('renders the header, the response rate, the warning and the gap table in Norwegian', async () => {
    const { text } = await org.adminAgent.get(pagePath()).expect(200);
    expect(text).toContain('Kundeundersøkelse 2026');
    expect(text).toContain('4 av 13 kunder, 31 %');
    expect(text).toContain('4 av 4 selgere, 100 %');
    expect(text).toMatch(/data-testid="small-sample"/);
    expect(text).toContain('Få svar');
    expect(text).toContain('under terskelen på 5');
    expect(text).toMatch(/data-testid="delivery-index">9,42</);
    expect(text).toContain('Selgernes viktighet gjelder hele organisasjonen');

    const availability = cellsOf(rowOf(text, 'Tilgjengelighet'));
    expect(availability.slice(0, 3).map((cell) => cell.split(' ')[0])).toEqual(['9,50', '9,25', '9,75']);
    const efficiency = cellsOf(rowOf(text, 'Effektivitet'));
    expect(efficiency[0]).toContain('7,25 <span class="marker">▼ lavest</span>');
    // The alignment gap is judged by its size: −1,75 is the largest mismatch, not merely the lowest value.
    expect(efficiency[4]).toContain('−1,75 <span class="marker">⚠ størst avvik</span>');
    expect(efficiency[4]).not.toContain('lavest');
    expect(cellsOf(rowOf(text, 'Rådgivning'))[4]).toContain('0,00 <span class="marker">✓ nærmest 0</span>');
    expect(cellsOf(rowOf(text, 'Tilgjengelighet'))[4]).not.toContain('class="marker"');
    expect(text).toContain('Samsvarsgapet vurderes etter størrelse, uansett fortegn');
    // Each mean shows its n; SD and CI are there for the toggle to show.
    expect(efficiency[0]).toContain('<span class="n">n &#x3D; 4</span>');
    expect(efficiency[0]).toMatch(/<span class="spread">SD 0,96; 95 % KI 5,73–8,77<\/span>/);
    const business = cellsOf(rowOf(text, 'Forretningsforståelse'));
    expect(business[2]).toContain('8,75 <span class="marker">▼ lavest</span>');
    const customerOriented = cellsOf(rowOf(text, 'Kundeorientert'));
    expect(customerOriented[2]).toContain('10,00 <span class="marker">▲ høyest</span>');
    expect(text).toContain('−0,25');
    expect(text).toMatch(/<td class="num lowest"/);

    const crm = cellsOf(rowOf(text, 'CRM-system'));
    expect(crm.slice(0, 5).map((cell) => cell.split(' ')[0])).toEqual(['8,25', '–', '–', '–', '–']);
  });

  it('has sortable headers as buttons and lists the "concentrate here" criteria by delivery gap', async () => {
    const { text } = await org.adminAgent.get(pagePath()).expect(200);
    expect(text).toMatch(
      /<th scope="col"[^>]*><button type="button" class="sort">Leveransegap<\/button><\/th>/,
    );
    const concentrate = /<ol data-testid="concentrate">([\s\S]*?)<\/ol>/.exec(text)?.[1] ?? '';
    expect(concentrate).toContain('Kunnskap');
    expect(text).toContain('Konsentrer innsatsen her');
    expect(text).toContain('Mulig overinnsats');
  });

  it('shows comments escaped, with the account name, and never the in-progress one', async () => {
    const { text } = await org.adminAgent.get(pagePath()).expect(200);
    expect(text).not.toContain('<script>alert(1)</script>');
    expect(text).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(text).toContain('Fin oppfølging – takk!');
    expect(text).toContain('Kunde 00 Æøå');
    expect(text).toContain('Selgerkommentar');
    expect(text).not.toContain('not submitted');
  });

  it('passes the chart data as JSON, loads chart.js and the module without inline scripts', async () => {
    const { text } = await org.adminAgent.get(pagePath()).expect(200);
    const json = /<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(text)?.[1];
    expect(json).toBeDefined();
    const data = JSON.parse(json ?? 'null');
    expect(data.labels).toHaveLength(13);
    expect(data.series.map((series: { key: string }) => series.key)).toEqual([
      'sellerImportance',
      'customerImportance',
      'customerPerformance',
    ]);
    expect(data.series[0].values[12]).toBe(8.25);
    expect(data.series[1].values[12]).toBeNull();
    expect(data.series[2].values[12]).toBeNull();
    // Twelve rated criteria on nine points: four share (9,50; 9,75) and are listed on one point.
    expect(data.points).toHaveLength(9);
    expect(data.points.flatMap((point: { criteria: unknown[] }) => point.criteria)).toHaveLength(12);
    const shared = data.points.find((point: { criteria: unknown[] }) => point.criteria.length > 1);
    expect(shared).toMatchObject({ number: 3, x: 9.5, y: 9.75, quadrant: 'keep' });
    expect(shared.criteria.map((criterion: { label: string }) => criterion.label)).toEqual([
      'Løsningsorientert',
      'Tillit',
      'Nøyaktighet',
      'Oppfølging',
    ]);
    expect(data.crosshair.y).toBeCloseTo(112.75 / 12, 12);
    expect(text).toMatch(/<script src="\/static\/vendor\/chart\.umd\.min\.js\?v=[\d.]+"><\/script>/);
    expect(text).toContain('<script type="module" src="/static/js/report.js"></script>');
    const scripts = [...text.matchAll(/<script([^>]*)>/g)].map((match) => match[1] ?? '');
    for (const attributes of scripts) expect(attributes).toMatch(/src=|type="application\/json"/);
  });

  it('renders English with English numbers', async () => {
    const { text } = await org.adminAgent.get(`${pagePath()}?lang=en`).expect(200);
    expect(text).toContain('4 of 13 customers, 31 %');
    expect(text).toContain('9.25');
    expect(text).not.toContain('9,25');
    expect(text).toContain('−1.75 <span class="marker">⚠ largest mismatch</span>');
    expect(text).toContain('SD 0.96; 95 % CI 5.73–8.77');
    expect(text).toContain('Efficiency');
    expect(text).toContain('Concentrate here');
    await org.adminAgent.get(`${pagePath()}?lang=nb`).expect(200);
  });

  it('applies the filters from the GET form and keeps them selected', async () => {
    const accountId = seeded.accountIds[0] as string;
    const { text } = await org.adminAgent
      .get(`${pagePath()}?accountId=${accountId}&segment=&kamUserId=`)
      .expect(200);
    expect(text).toContain('1 av 1 kunder, 100 %');
    expect(text).toContain(`<option value="${accountId}" selected>`);
    await org.adminAgent.get(`${pagePath()}?accountId=nope`).expect(400);
  });

  it('shows a KAM only their own accounts in the filter and refuses a foreign one', async () => {
    const { text } = await org.kamAgent.get(pagePath()).expect(200);
    expect(text).toContain('2 av 2 kunder, 100 %');
    const accountSelect = /<select id="filter-account"[\s\S]*?<\/select>/.exec(text)?.[0] ?? '';
    expect(accountSelect).toContain('Kunde 00 Æøå');
    expect(accountSelect).toContain('Kunde 02 Æøå');
    expect(accountSelect).not.toContain('Kunde 01 Æøå');
    expect(text).not.toContain('id="filter-kam"');
    // Their downloads are their own portfolio (the routes scope them; see report.csv and report.pdf tests).
    expect(text).toContain(`href="/surveys/${seeded.surveyId}/export.csv"`);
    // (Handlebars writes = in an attribute as &#x3D;, which the browser reads back as =.)
    expect(text).toContain(`href="/surveys/${seeded.surveyId}/export.csv?layout&#x3D;wide"`);
    await org.kamAgent.get(`${pagePath()}?accountId=${seeded.accountIds[1]}`).expect(403);
  });

  it('says so when a wave has no responses, without NaN', async () => {
    const surveyId = await seedEmptyWave(app, org.organizationId);
    const { text } = await org.adminAgent.get(`/surveys/${surveyId}/report`).expect(200);
    expect(text).toContain('Ingen innsendte svar ennå');
    expect(text).toContain('0 av 0 kunder');
    // The CSRF token is random base64url and may spell NaN; nothing else on the page is random.
    expect(text.replace(/name="_csrf" value="[^"]*"/g, '')).not.toContain('NaN');
  });

  it('sends a visitor without a session to the login page, and another organisation gets 404', async () => {
    const anonymous = await supertest(app.server).get(pagePath()).expect(303);
    expect(anonymous.headers.location).toMatch(/^\/login\?next=/);
    const other = await organizationWithKam(app, 'Annen AS');
    await other.adminAgent.get(pagePath()).expect(404);
  });
});

describe('GET /static/vendor/chart.umd.min.js and /static/js/report.js', () => {
  it('serves chart.js’s browser build with a long cache header, and the report module', async () => {
    const chart = await supertest(app.server).get('/static/vendor/chart.umd.min.js').expect(200);
    expect(chart.headers['content-type']).toMatch(/javascript/);
    expect(chart.headers['cache-control']).toContain('max-age=31536000');
    expect(chart.text.length).toBeGreaterThan(100_000);
    const module = await supertest(app.server).get('/static/js/report.js').expect(200);
    expect(module.text).toContain("getElementById('report-data')");
  });
});
