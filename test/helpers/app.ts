import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { inject } from 'vitest';
import { buildApp } from '../../server/app.js';
import { type Config, DEFAULT_RATE_LIMITS } from '../../server/config.js';
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
    trustProxy: false,
    // Test files sign up many organisations from one address; the sign-up limit has its own tests.
    rateLimits: { ...DEFAULT_RATE_LIMITS, signupByAddress: { limit: 10_000, windowSeconds: 3600 } },
    logLevel: process.env.TEST_LOG === '1' ? 'error' : 'silent',
    ...overrides,
  };
}

/** The real app on a fresh database; close it in afterAll. */
export async function buildTestApp(overrides: Partial<Config> = {}): Promise<FastifyInstance> {
  const databaseUrl = await createTestDatabase();
  const app = await buildApp(testConfig({ databaseUrl, ...overrides }), {
    logger: process.env.TEST_LOG === '1' ? undefined : false,
  });
  await app.ready();
  return app;
}
