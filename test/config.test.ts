import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../server/config.js';

describe('loadConfig', () => {
  it('lists every bad variable at once', () => {
    try {
      loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', SMTP_URL: 'nope' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const problems = (error as ConfigError).problems.join('\n');
      for (const name of ['PORT', 'DATABASE_URL', 'LOG_LEVEL', 'SMTP_URL']) expect(problems).toContain(name);
    }
  });

  it('requires SESSION_SECRET in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATABASE_URL: 'postgres://db/x' })).toThrow(
      /SESSION_SECRET/,
    );
  });

  it('generates a development secret once and keeps it in DATA_DIR', () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'vd-config-'));
    const first = loadConfig({ DATA_DIR: dataDir });
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(first.sessionSecret.length).toBeGreaterThanOrEqual(32);
    expect(second.sessionSecret).toBe(first.sessionSecret);
    expect(readFileSync(path.join(dataDir, 'session-secret'), 'utf8').trim()).toBe(first.sessionSecret);
  });

  it('treats an empty DATABASE_URL as unset (embedded database) and defaults PORT and PUBLIC_URL', () => {
    const config = loadConfig({ DATABASE_URL: '', SESSION_SECRET: 'x'.repeat(32) });
    expect(config.databaseUrl).toBeUndefined();
    expect(config.port).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
  });

  it('runs one app process unless WEB_CONCURRENCY asks for more, from 1 to 64', () => {
    const secret = { SESSION_SECRET: 'x'.repeat(32) };
    expect(loadConfig(secret).webConcurrency).toBe(1);
    expect(loadConfig({ ...secret, WEB_CONCURRENCY: '' }).webConcurrency).toBe(1);
    expect(loadConfig({ ...secret, WEB_CONCURRENCY: '2' }).webConcurrency).toBe(2);
    expect(loadConfig({ ...secret, WEB_CONCURRENCY: '64' }).webConcurrency).toBe(64);
    for (const bad of ['0', '-1', '1.5', 'two', '65']) {
      expect(() => loadConfig({ ...secret, WEB_CONCURRENCY: bad }), bad).toThrow(/WEB_CONCURRENCY/);
    }
  });
});
