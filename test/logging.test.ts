import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import supertest from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../server/app.js';
import { createTestDatabase, testConfig } from './helpers/app.js';

const lines: string[] = [];
let app: FastifyInstance;
beforeAll(async () => {
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  app = await buildApp(testConfig({ databaseUrl: await createTestDatabase(), logLevel: 'debug' }), {
    logStream: stream,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
});

describe('request logs', () => {
  it('never contain survey tokens, cookies, authorization headers or passwords', async () => {
    const token = 'SuperSecretSurveyToken0123456789abcdef';
    await supertest(app.server).get(`/r/${token}`).set('Cookie', 'vd_session=cookie-value-123');
    await supertest(app.server).get('/api/v1/me').set('Authorization', 'Bearer vd_secret-key-456');
    await supertest(app.server)
      .post('/login')
      .type('form')
      .send({ email: 'a@b.no', password: 'hunter2-password' });
    const log = lines.join('');
    expect(log).toContain('/r/[redacted]');
    for (const secret of [token, 'cookie-value-123', 'vd_secret-key-456', 'hunter2-password']) {
      expect(log).not.toContain(secret);
    }
  });
});
