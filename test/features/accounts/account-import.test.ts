import { describe, expect, it } from 'vitest';
import { parseAccountCsv } from '../../../server/features/accounts/account-import.js';

const BOM = '\uFEFF';

function csv(...lines: string[]): string {
  return `${lines.join('\r\n')}\r\n`;
}

describe('parseAccountCsv', () => {
  describe('file format', () => {
    it('reads a Norwegian Excel file: BOM, semicolons, æøå, Norwegian headers', () => {
      const file = Buffer.from(
        BOM +
          csv(
            'Kunde;Segment;KAM;Kontaktperson;E-post;Språk',
            'Blåbær Æøå AS;Strategisk;kari@leverandør.no;Øystein Ærø;oystein@blåbær.no;norsk',
            'Fjord Shipping ASA;;;Åse Lie;ase@fjord.no;English',
          ),
        'utf8',
      );

      const preview = parseAccountCsv(file);

      expect(preview.fileErrors).toEqual([]);
      expect(preview.delimiter).toBe(';');
      expect(preview.rows).toEqual([
        {
          line: 2,
          accountName: 'Blåbær Æøå AS',
          segment: 'Strategisk',
          kamEmail: 'kari@leverandør.no',
          contactName: 'Øystein Ærø',
          contactEmail: 'oystein@blåbær.no',
          language: 'nb',
          errors: [],
          warnings: [],
        },
        {
          line: 3,
          accountName: 'Fjord Shipping ASA',
          segment: null,
          kamEmail: null,
          contactName: 'Åse Lie',
          contactEmail: 'ase@fjord.no',
          language: 'en',
          errors: [],
          warnings: [],
        },
      ]);
    });

    it('reads a comma-separated file whose quoted fields contain semicolons, commas and quotes', () => {
      const preview = parseAccountCsv(
        csv(
          'Account,Contact name,Email,Segment',
          '"Nordmann, Hansen & Co; avd. Bergen",Ola Nordmann,ola@nh.no,"A, B"',
          '"Firma ""Sjø"" AS",Kari,kari@sjo.no,',
        ),
      );

      expect(preview.fileErrors).toEqual([]);
      expect(preview.delimiter).toBe(',');
      expect(preview.rows.map((row) => [row.accountName, row.segment, row.contactEmail])).toEqual([
        ['Nordmann, Hansen & Co; avd. Bergen', 'A, B', 'ola@nh.no'],
        ['Firma "Sjø" AS', null, 'kari@sjo.no'],
      ]);
    });

    it('accepts a string without BOM and with LF line ends', () => {
      const preview = parseAccountCsv('konto;epost\nAcme;ola@acme.no\n');
      expect(preview.fileErrors).toEqual([]);
      expect(preview.rows.map((row) => row.accountName)).toEqual(['Acme']);
    });

    it('reads header names case-insensitively and ignores unknown columns', () => {
      const preview = parseAccountCsv(
        csv('Org.nr;FIRMA;Notat;CONTACT_EMAIL', '987654321;Acme;VIP;ola@acme.no'),
      );
      expect(preview.fileErrors).toEqual([]);
      expect(preview.rows[0]).toMatchObject({ accountName: 'Acme', contactEmail: 'ola@acme.no' });
    });

    it('rejects a Latin-1 file with a message asking for UTF-8', () => {
      const file = Buffer.from(csv('Kunde;E-post', 'Blåbær AS;ola@blabar.no'), 'latin1');

      const preview = parseAccountCsv(file);

      expect(preview.rows).toEqual([]);
      expect(preview.fileErrors).toHaveLength(1);
      expect(preview.fileErrors[0]).toMatch(/UTF-8/);
    });

    it('rejects a string that already lost bytes in a wrong decoding', () => {
      const preview = parseAccountCsv('Kunde;E-post\nBl\uFFFDb\uFFFDr AS;ola@blabar.no\n');
      expect(preview.rows).toEqual([]);
      expect(preview.fileErrors[0]).toMatch(/UTF-8/);
    });

    it('reports a missing account column and returns no rows', () => {
      const preview = parseAccountCsv(csv('Kontaktperson;E-post', 'Ola;ola@acme.no'));
      expect(preview).toEqual({ delimiter: ';', rows: [], fileErrors: ['Missing column: account'] });
    });

    it('reports two columns that mean the same thing instead of guessing', () => {
      const preview = parseAccountCsv(csv('Firma;Navn;E-post', 'Acme;Ola;ola@acme.no'));
      expect(preview.rows).toEqual([]);
      expect(preview.fileErrors).toEqual([
        'Columns "Firma" and "Navn" both mean account: keep only one of them',
      ]);
    });

    it('reports a file csv-parse cannot read with its line number instead of throwing', () => {
      const preview = parseAccountCsv(csv('Kunde;E-post', 'Acme;ola@acme.no', '"Uavsluttet;kari@acme.no'));
      expect(preview.rows).toEqual([]);
      expect(preview.fileErrors).toHaveLength(1);
      expect(preview.fileErrors[0]).toMatch(/line 3/);
    });

    it('reports more data rows than maxRows', () => {
      const rows = Array.from({ length: 4 }, (_, index) => `Firma ${index};`);
      expect(parseAccountCsv(csv('Kunde;E-post', ...rows), { maxRows: 4 }).fileErrors).toEqual([]);

      const preview = parseAccountCsv(csv('Kunde;E-post', ...rows, 'Firma 5;'), { maxRows: 4 });
      expect(preview.rows).toEqual([]);
      expect(preview.fileErrors).toEqual([
        'The file has 5 rows; at most 4 can be imported at once. Split it into smaller files.',
      ]);
    });

    it('reports an empty file', () => {
      expect(parseAccountCsv(Buffer.from(BOM)).fileErrors).toEqual(['The file is empty']);
    });

    it('skips blank lines and rows of bare delimiters but keeps the file line numbers', () => {
      const preview = parseAccountCsv(
        csv('Kunde;E-post', '', 'Acme;ola@acme.no', ';', '   ', 'Beta;kari@beta.no', ';;;'),
      );
      expect(preview.rows.map((row) => [row.line, row.accountName])).toEqual([
        [3, 'Acme'],
        [6, 'Beta'],
      ]);
    });
  });

  describe('rows', () => {
    it('keeps each row error on its own line and the other rows valid', () => {
      const preview = parseAccountCsv(
        csv(
          'Kunde;Kontaktperson;E-post;Språk',
          'Acme;Ola;ola@acme.no;nb',
          'Beta;Kari;kari@;nb',
          ';Per;per@gamma.no;nb',
          'Delta;Lise;lise@delta.no;tysk',
          'Epsilon;Eva;eva@epsilon.no;en',
        ),
      );

      expect(preview.fileErrors).toEqual([]);
      expect(preview.rows.map((row) => [row.line, row.errors])).toEqual([
        [2, []],
        [3, ['Invalid email address: kari@']],
        [4, ['Account name is missing']],
        [5, ['Invalid language: tysk (use nb or en)']],
        [6, []],
      ]);
    });

    it('normalises the contact email and leaves an account without a contact valid', () => {
      const preview = parseAccountCsv(csv('Kunde;E-post', 'Acme;Ola@ACME.NO', 'Beta;'));
      expect(preview.rows.map((row) => [row.contactEmail, row.errors])).toEqual([
        ['Ola@acme.no', []],
        [null, []],
      ]);
    });

    it('flags a CR, LF or NUL inside a cell as an error', () => {
      const preview = parseAccountCsv(
        csv(
          'Kunde;Kontaktperson;E-post',
          'Acme;Ola;"ola@acme.no\r\nBcc: x@y.no"',
          '"Beta\nAS";Kari;kari@beta.no',
          'Gamma;Per\u0000;per@gamma.no',
          'Delta;Lise;lise@delta.no',
        ),
      );

      expect(preview.rows.map((row) => [row.line, row.errors])).toEqual([
        [2, ['Line break or control character in contact email']],
        [4, ['Line break or control character in account']],
        [6, ['Line break or control character in contact name']],
        [7, []],
      ]);
    });

    it('requires an email address for a named contact', () => {
      const preview = parseAccountCsv(csv('Kunde;Kontaktperson;E-post', 'Acme;Ola Nordmann;'));
      expect(preview.rows[0]?.errors).toEqual(['Contact name without an email address']);
    });

    it('rejects an invalid KAM email', () => {
      const preview = parseAccountCsv(csv('Kunde;KAM', 'Acme;kari.leverandor.no'));
      expect(preview.rows[0]?.errors).toEqual(['Invalid KAM email address: kari.leverandor.no']);
    });

    it('limits account name, contact name and segment lengths', () => {
      const preview = parseAccountCsv(
        csv(
          'Kunde;Segment;Kontaktperson;E-post',
          `${'Å'.repeat(200)};${'S'.repeat(40)};${'K'.repeat(200)};ok@acme.no`,
          `${'Å'.repeat(201)};${'S'.repeat(41)};${'K'.repeat(201)};ok@acme.no`,
        ),
      );
      expect(preview.rows.map((row) => row.errors)).toEqual([
        [],
        [
          'Account name is longer than 200 characters',
          'Segment is longer than 40 characters',
          'Contact name is longer than 200 characters',
        ],
      ]);
    });

    it('accepts the language spellings nb, no, norsk, en and english, and defaults to nb', () => {
      const preview = parseAccountCsv(
        csv('Kunde;Språk', 'A;nb', 'B;NO', 'C;Norsk', 'D;en', 'E;ENGLISH', 'F;'),
      );
      expect(preview.rows.map((row) => [row.language, row.errors])).toEqual([
        ['nb', []],
        ['nb', []],
        ['nb', []],
        ['en', []],
        ['en', []],
        ['nb', []],
      ]);
    });

    it('warns about a generic role address without blocking the row', () => {
      const preview = parseAccountCsv(csv('Kunde;E-post', 'Acme;Post+x@acme.no', 'Beta;kari@beta.no'));
      expect(preview.rows.map((row) => [row.errors, row.warnings])).toEqual([
        [
          [],
          [
            'Generic role address (Post+x@acme.no): surveys sent to generic addresses lose validity; invite a named person',
          ],
        ],
        [[], []],
      ]);
    });

    it('marks a repeated account and contact email as a duplicate of the first line', () => {
      const preview = parseAccountCsv(
        csv(
          'Kunde;E-post',
          'Acme AS;ola@acme.no',
          'Acme AS;kari@acme.no',
          '  ACME as ;OLA@Acme.no',
          'Beta;ola@acme.no',
          'Gamma;',
          'gamma;',
        ),
      );
      expect(preview.rows.map((row) => [row.line, row.errors])).toEqual([
        [2, []],
        [3, []],
        [4, ['Duplicate of line 2']],
        [5, []],
        [6, []],
        [7, ['Duplicate of line 6']],
      ]);
    });
  });
});
