import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import pino from 'pino';
import { inject } from 'vitest';
import { buildApp } from '../../server/app.js';
import { type Config, DEFAULT_MAIL_SETTINGS, DEFAULT_RATE_LIMITS } from '../../server/config.js';
import { withDatabase } from './database-url.js';

/** A database of this test file's own, cloned from the migrated template. */
export async function createTestDatabase(): Promise<string> {
  const serverUrl = inject('serverUrl');
  const name = `vd_test_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database ${name} template ${inject('templateDatabase')}`);
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}

export function testConfig(overrides: Partial<Config> = {}): Config {
  return {
    nodeEnv: 'test',
    port: 0,
    host: '127.0.0.1',
    databaseUrl: undefined,
    dataDir: '/nonexistent',
    publicUrl: 'http://localhost:3000',
    sessionSecret: 'test-session-secret-that-is-long-enough-0123456789',
    smtpUrl: undefined,
    mailFrom: 'noreply@viktig-dyktig.example',
    // No email worker unless a test asks for one (test/helpers/mail.ts); short retries when it does.
    mail: { ...DEFAULT_MAIL_SETTINGS, worker: false, retryDelaySeconds: 1, pollingIntervalSeconds: 0.5 },
    trustProxy: false,
    // Test files sign up many organisations from one address; the sign-up limit has its own tests.
    rateLimits: { ...DEFAULT_RATE_LIMITS, signupByAddress: { limit: 10_000, windowSeconds: 3600 } },
    logLevel: 'debug',
    webConcurrency: 1,
    ...overrides,
  };
}

/**
 * The real app on a fresh database; close it in afterAll. Its logs (debug and up) go to a file of the run
 * (TEST_LOG=1: to the terminal), and every respondent token it sends out is noted, so that the global
 * teardown can prove no token ever reached a log line (test/global-setup.ts).
 */
export async function buildTestApp(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const databaseUrl = await createTestDatabase();
  const app = await buildApp(testConfig({ databaseUrl, ...overrides }), {
    logStream: process.env.TEST_LOG === '1' ? process.stdout : runLogFile(),
  });
  noteSentTokens(app);
  await app.ready();
  return app;
}

function runLogFile(): { write(line: string): void } {
  const file = path.join(inject('runDir'), 'logs', `${randomBytes(6).toString('hex')}.log`);
  // Synchronous writes: a worker that ends right after its last test loses no line.
  return pino.destination({ dest: file, sync: true, mkdir: true });
}

const SENT_TOKEN = /\/r\/([A-Za-z0-9_-]{20,100})/g;

function noteSentTokens(app: FastifyInstance) {
  const file = path.join(inject('runDir'), 'tokens.txt');
  app.addHook('onSend', async (_request, _reply, payload) => {
    if (typeof payload !== 'string') return payload;
    const tokens = [...payload.matchAll(SENT_TOKEN)].map((match) => match[1]);
    if (tokens.length > 0) appendFileSync(file, `${tokens.join('\n')}\n`);
    return payload;
  });
}
