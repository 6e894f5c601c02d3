import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp } from '../../helpers/app.js';
import { csrfFrom, signUp, submitForm, uniqueEmail } from '../../helpers/http.js';

let app: FastifyInstance;
beforeAll(async () => {
  app = await buildTestApp({ publicUrl: 'http://localhost:3000' });
});
afterAll(async () => {
  await app.close();
});

/** Every radio group of a respondent page, answered with `value` (a customer gets i_ and p_ fields). */
function answerAll(html: string, value: string): Record<string, string> {
  const names = new Set([...html.matchAll(/name="([ip]_[0-9a-f-]+)"/g)].map((m) => m[1] as string));
  return Object.fromEntries([...names].map((name) => [name, value]));
}

describe('a new user, in the browser', () => {
  it('creates a wave from the template, adds two accounts (one by CSV upload), invites, opens, answers and sees the response rate move', async () => {
    const { agent } = await signUp(app, 'Mediehuset AS');

    // A wave from the template
    const wave = await submitForm(agent, '/surveys', '/surveys', {
      name: 'Kundeundersøkelse 2026',
      language: 'nb',
      closesAt: '',
    });
    expect(wave.status).toBe(303);
    const wavePath = wave.headers.location as string;

    // Account 1 through the form, with a contact
    const account = await submitForm(agent, '/accounts', '/accounts', {
      name: 'Avisa Nord AS',
      segment: 'A',
      kamUserId: '',
    });
    expect(account.status).toBe(303);
    const accountPath = account.headers.location as string;
    const nordEmail = uniqueEmail('nord');
    const contact = await submitForm(agent, accountPath, `${accountPath}/contacts`, {
      name: 'Nina Nord',
      email: nordEmail,
      language: 'nb',
    });
    expect(contact.status).toBe(303);

    // Account 2 by uploading a CSV file as Norwegian Excel writes it: BOM, semicolons
    const sorEmail = uniqueEmail('sør');
    const csv = `\uFEFFKunde;Segment;Kontaktperson;E-post;Språk\nSørlandsbladet AS;B;Søren Sør;${sorEmail};nb\n`;
    const importPage = await agent.get('/accounts/import').expect(200);
    const preview = await agent
      .post('/accounts/import')
      .field('_csrf', csrfFrom(importPage.text))
      .attach('file', Buffer.from(csv, 'utf8'), { filename: 'kunder.csv', contentType: 'text/csv' })
      .expect(200);
    expect(preview.text).toContain('Sørlandsbladet AS');
    const commit = await agent
      .post('/accounts/import/commit')
      .type('form')
      .send({
        _csrf: csrfFrom(preview.text),
        csv:
          /<textarea name="csv" hidden>\n?([\s\S]*?)<\/textarea>/
            .exec(preview.text)?.[1]
            ?.replace(/&#x3D;/g, '=') ?? '',
      });
    expect(commit.status).toBe(303);
    const accounts = await agent.get('/accounts').expect(200);
    expect(accounts.text).toContain('Sørlandsbladet AS');
    const ids = [...accounts.text.matchAll(/href="\/accounts\/([0-9a-f-]{36})"/g)].map((m) => m[1] as string);
    expect(ids).toHaveLength(2);

    // Invite both customers and two sellers
    for (const email of [nordEmail, sorEmail]) {
      const { account_id } = await app.db
        .selectFrom('contacts')
        .select('account_id')
        .where('email', '=', email)
        .executeTakeFirstOrThrow();
      expect(ids).toContain(account_id);
      const invited = await submitForm(agent, wavePath, `${wavePath}/invitations`, {
        role: 'customer',
        accountId: account_id,
        emails: email,
        language: '',
      });
      expect(invited.status).toBe(303);
    }
    const sellers = await submitForm(agent, wavePath, `${wavePath}/invitations`, {
      role: 'seller',
      emails: `Selma Selger <${uniqueEmail('selma')}>\n${uniqueEmail('sindre')}`,
      language: '',
    });
    expect(sellers.status).toBe(303);

    // Open the wave
    expect((await submitForm(agent, wavePath, `${wavePath}/open`, {})).status).toBe(303);
    let page = await agent.get(wavePath).expect(200);
    expect(page.text).toMatch(/data-testid="rate-customer">0 av 2/);
    expect(page.text).toMatch(/data-testid="rate-seller">0 av 2/);
    const links = [...page.text.matchAll(/value="http:\/\/localhost:3000(\/r\/[^"]+)"/g)].map(
      (m) => m[1] as string,
    );
    expect(links).toHaveLength(4);

    // Answer as a customer and as a seller, each in their own browser, without logging in
    const respondent = async (path: string, value: string) => {
      const form = await supertest(app.server).get(path).expect(200);
      const sent = await supertest(app.server)
        .post(path)
        .type('form')
        .send({ ...answerAll(form.text, value), action: 'submit' });
      expect(sent.status).toBe(303);
      return form.text;
    };
    const forms = await Promise.all(
      links.map((path) =>
        supertest(app.server)
          .get(path)
          .then((r) => ({ path, html: r.text })),
      ),
    );
    const customerPath = forms.find((f) => f.html.includes('I hvilken grad innfrir Mediehuset AS kriteriet?'))
      ?.path as string;
    const sellerPath = forms.find((f) => f.html.includes('Hvor viktig er kriteriet for deg som selger?'))
      ?.path as string;
    await respondent(customerPath, '9');
    await respondent(sellerPath, 'dk');

    page = await agent.get(wavePath).expect(200);
    expect(page.text).toMatch(/data-testid="rate-customer">1 av 2 \(50 %\)/);
    expect(page.text).toMatch(/data-testid="rate-seller">1 av 2 \(50 %\)/);
  });
});
