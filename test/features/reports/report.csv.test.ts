import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../../../server/features/reports/report.csv.js';
import { buildTestApp } from '../../helpers/app.js';
import { organizationWithKam, seedWorkedExample } from './report-seed.js';

let app: FastifyInstance;
let org: Awaited<ReturnType<typeof organizationWithKam>>;
let seeded: Awaited<ReturnType<typeof seedWorkedExample>>;

beforeAll(async () => {
  app = await buildTestApp();
  org = await organizationWithKam(app);
  seeded = await seedWorkedExample(app, {
    organizationId: org.organizationId,
    kamUserId: org.kamUserId,
    customerComments: [
      '=HYPERLINK("http://evil.example","klikk")',
      'Blåbærsyltetøy; "godt"\nny linje',
      null,
      null,
    ],
  });
});
afterAll(async () => {
  await app.close();
});

const csvPath = () => `/surveys/${seeded.surveyId}/export.csv`;

describe('GET /surveys/:id/export.csv', () => {
  it('streams UTF-8 with a BOM, a header row and one quoted ;-row per respondent × criterion', async () => {
    const response = await org.adminAgent
      .get(csvPath())
      .buffer(true)
      .parse((res, callback) => {
        // The raw bytes: the text decoder must not get a chance to swallow the BOM.
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => callback(null, Buffer.concat(chunks)));
      })
      .expect(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(
      /^attachment; filename="kundeundersokelse-2026\.csv"/,
    );
    const bytes: Buffer = response.body;
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);

    const text = bytes.subarray(3).toString('utf8');
    const lines = text.split('\r\n');
    expect(lines[0]).toBe(
      '"Bølge";"Rolle";"Kunde";"Segment";"KAM";"Kriterienøkkel";"Kriterium";"Viktighet";"Leveranse";"Kommentar";"Sendt inn"',
    );
    expect(lines.at(-1)).toBe('');
    // 4 customers × 12 criteria + 4 sellers × 13; the in-progress response is left out.
    const rows = lines.slice(1, -1);
    expect(rows).toHaveLength(4 * 12 + 4 * 13);
    expect(text).not.toContain('not submitted');
    expect(rows[0]).toBe(
      '"Kundeundersøkelse 2026";"kunde";"Kunde 00 Æøå";"A";"Kari KAM";"availability";"Tilgjengelighet";"10";"10";' +
        '"\'=HYPERLINK(""http://evil.example"",""klikk"")";"2026-03-10T12:00:00.000Z"',
    );
    expect(text).toContain('"Blåbærsyltetøy; ""godt""\nny linje"');
    const crm = rows.filter((row) => row.includes('"crm_system"'));
    expect(crm).toHaveLength(4);
    for (const row of crm) {
      expect(row).toMatch(/^"Kundeundersøkelse 2026";"selger";"";"";"";"crm_system";"CRM-system";"\d+";"";/);
    }
    const crmScores = crm.map((row) => Number(row.split(';')[7]?.replace(/"/g, ''))).sort();
    expect(crmScores).toEqual([7, 8, 9, 9]);
  });

  it('neutralises every cell a spreadsheet would run as a formula', () => {
    expect(csvField('=1+1')).toBe('"\'=1+1"');
    expect(csvField('+47 22 00 00 00')).toBe('"\'+47 22 00 00 00"');
    expect(csvField('-2+3')).toBe('"\'-2+3"');
    expect(csvField('@SUM(A1)')).toBe('"\'@SUM(A1)"');
    expect(csvField('\t=1')).toBe('"\'\t=1"');
    expect(csvField('\r=1')).toBe('"\'\r=1"');
    expect(csvField('a "b"')).toBe('"a ""b"""');
    expect(csvField(null)).toBe('""');
    expect(csvField(-2)).toBe('"-2"');
    expect(csvLine(['æ', 9])).toBe('"æ";"9"\r\n');
  });

  it('answers an admin’s API key too, in English when asked', async () => {
    const response = await supertest(app.server)
      .get(`${csvPath()}?lang=en`)
      .set('Authorization', `Bearer ${org.adminKey}`)
      .expect(200);
    expect(response.text).toContain('"Wave";"Role";"Account"');
    expect(response.text).toContain('"Efficiency"');
  });

  it('gives a KAM their own accounts only, by session and by key, and another organisation 404', async () => {
    for (const response of [
      await org.kamAgent.get(csvPath()).expect(200),
      await supertest(app.server).get(csvPath()).set('Authorization', `Bearer ${org.kamKey}`).expect(200),
    ]) {
      const accounts = new Set(response.text.match(/Kunde \d\d Æøå/g));
      expect([...accounts].sort()).toEqual(['Kunde 00 Æøå', 'Kunde 02 Æøå']);
    }
    const other = await organizationWithKam(app, 'Annen AS');
    await other.adminAgent.get(csvPath()).expect(404);
  });

  it('returns the pool client after the export, so exports can follow each other', async () => {
    for (let i = 0; i < 12; i++) await org.adminAgent.get(csvPath()).expect(200);
    expect(app.pg.pool.totalCount).toBeLessThanOrEqual(10);
    expect(app.pg.pool.waitingCount).toBe(0);
  });
});
