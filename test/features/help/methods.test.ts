import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedWorkedExample } from '../reports/report-seed.js';

let app: FastifyInstance;

beforeAll(async () => {
  app = await buildTestApp();
});
afterAll(async () => {
  await app.close();
});

/** The text of every heading (h1–h3) on a page, tags and entities left as they are. */
function headingsOf(html: string): string[] {
  return [...html.matchAll(/<h([1-3])[^>]*>([\s\S]*?)<\/h\1>/g)].map((match) => (match[2] ?? '').trim());
}

// Every figure the report shows (and the JSON carries) has a section of its own, by heading.
const FIGURES_NB = [
  'Antall svar (n)',
  'Snitt',
  'Standardavvik (SD)',
  '95 % konfidensintervall (KI)',
  'Få svar (terskel for lite utvalg)',
  'Leveransegap',
  'Samsvarsgap',
  'Samlet leveranseindeks',
  'Svarprosent',
  'Lavest og høyest',
  'Kvadranter',
  'Trådkors',
  'Usikker plassering',
  'Endring mellom bølger',
  'Utvikling over tid',
  'Samlet tilfredshet',
  'Avledet viktighet',
  'Oppgitt og avledet viktighet',
  'Cronbachs α (pålitelighet)',
  'α hvis kriteriet fjernes',
  'Segmenter side om side',
];
const FIGURES_EN = [
  'Number of answers (n)',
  'Mean',
  'Standard deviation (SD)',
  '95 % confidence interval (CI)',
  'Few answers (the small-sample threshold)',
  'Delivery gap',
  'Alignment gap',
  'Overall delivery index',
  'Response rate',
  'Lowest and highest',
  'Quadrants',
  'Crosshairs',
  'Uncertain placement',
  'Change between waves',
  'Trend',
  'Overall satisfaction',
  'Derived importance',
  'Stated and derived importance',
  'Cronbach’s α (reliability)',
  'α if the criterion is deleted',
  'Segments side by side',
];

describe('GET /help/methods', () => {
  it('renders in Norwegian by default, without signing in, with a heading for every figure', async () => {
    const response = await supertest(app.server).get('/help/methods').expect(200);
    expect(response.headers['content-type']).toMatch(/text\/html/);
    const html = response.text;
    expect(html).toContain('<html lang="nb">');
    expect(html).toContain('<title>Slik regnes tallene ut – Viktig/Dyktig</title>');
    const headings = headingsOf(html);
    expect(headings[0]).toBe('Slik regnes tallene ut');
    for (const figure of FIGURES_NB) expect(headings, figure).toContain(figure);
  });

  it('renders in English with a heading for every figure', async () => {
    const { text: html } = await supertest(app.server).get('/help/methods?lang=en').expect(200);
    expect(html).toContain('<html lang="en">');
    const headings = headingsOf(html);
    expect(headings[0]).toBe('How the figures are computed');
    for (const figure of FIGURES_EN) expect(headings, figure).toContain(figure);
  });

  it('states the formulas and the rules the report follows', async () => {
    const { text: html } = await supertest(app.server).get('/help/methods?lang=en').expect(200);
    // Sample SD (n − 1), Student's t, Welch, Pearson, Cronbach, and the readings with their thresholds.
    expect(html).toContain('(<var>n</var> − 1) )');
    expect(html).toContain('<var>t</var><sub><var>n</var>−1</sub>');
    expect(html).toContain('Welch–Satterthwaite');
    expect(html).toContain('<var>p</var> = 2 · <var>F</var><sub><var>df</var></sub>(−|<var>t</var>|)');
    expect(html).toContain('<var>r</var> = (<var>n</var>Σ<var>xy</var> − Σ<var>x</var>Σ<var>y</var>)');
    expect(html).toContain('α = <var>k</var> / (<var>k</var> − 1)');
    expect(html).toContain('Stated important but not driving satisfaction');
    expect(html).toContain('Hidden driver');
    expect(html).toContain('r &lt; 0.3');
    expect(html).toContain('r ≥ 0.5');
    expect(html).toContain('0.7 or more is acceptable internal consistency');
    expect(html).toContain('No r: every customer gave the same overall satisfaction.');
    expect(html).toContain('Overall, how satisfied are you with the supplier?');
  });

  it('is accessible in structure: one h1, tables with header cells, a contents list linking every section', async () => {
    const { text: html } = await supertest(app.server).get('/help/methods').expect(200);
    expect(html.match(/<h1[ >]/g)).toHaveLength(1);
    expect(html).not.toMatch(/<script(?![^>]*type="application\/json")/);
    for (const table of html.match(/<table>[\s\S]*?<\/table>/g) ?? []) {
      expect(table).toContain('<th scope="col">');
      expect(table).toContain('<th scope="row">');
    }
    const targets = [...html.matchAll(/<a href="#([^"]+)">/g)].map((match) => match[1]);
    expect(targets.length).toBeGreaterThanOrEqual(FIGURES_NB.length);
    for (const target of targets) expect(html, target).toContain(`id="${target}"`);
  });

  it('has no untranslated message keys in either language', async () => {
    for (const lang of ['nb', 'en']) {
      const { text: html } = await supertest(app.server).get(`/help/methods?lang=${lang}`).expect(200);
      expect(html, lang).not.toMatch(/\b(help\.methods|analysis|report)\.[a-zA-Z_.]+/);
    }
  });
});

describe('the report page', () => {
  it('links to the methods page near the top, in the reader’s language', async () => {
    const org = await organizationWithKam(app);
    const seeded = await seedWorkedExample(app, {
      organizationId: org.organizationId,
      kamUserId: org.kamUserId,
    });
    const { text: nb } = await org.adminAgent.get(`/surveys/${seeded.surveyId}/report`).expect(200);
    const link = /<a href="\/help\/methods"[^>]*>([^<]+)<\/a>/.exec(nb);
    expect(link?.[1]).toBe('Slik regnes tallene ut');
    // Near the top: right after the page's heading, before the filters and tables.
    expect(nb.indexOf('href="/help/methods"')).toBeGreaterThan(nb.indexOf('<h1>'));
    expect(nb.indexOf('href="/help/methods"')).toBeLessThan(nb.indexOf('<table'));

    const { text: en } = await org.adminAgent.get(`/surveys/${seeded.surveyId}/report?lang=en`).expect(200);
    expect(/<a href="\/help\/methods"[^>]*>([^<]+)<\/a>/.exec(en)?.[1]).toBe('How the figures are computed');
  });
});
