import { spawn } from 'node:child_process';
import { describe, expect, inject, it } from 'vitest';

/** `npm test` on a configuration whose only file has one failing and one passing test. */
function runFailingSuite(extraEnv: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    // The child is a vitest run of its own, not a worker of this one; and it picks its database itself.
    if (name.startsWith('VITEST') || name === 'DATABASE_URL' || name === 'TEST_DATABASE_URL') continue;
    env[name] = value;
  }
  return new Promise((resolve, reject) => {
    const child = spawn('npm', ['test', '--', '--config', 'test/fixtures/failing-run/vitest.config.ts'], {
      env: { ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk) => {
      output += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('npm test', () => {
  it('exits non-zero when a test fails, with the embedded PostgreSQL it starts itself', async () => {
    const { code, output } = await runFailingSuite({});
    expect(output).toContain('1 passed, 1 failed');
    expect(code).not.toBe(0);
  }, 120_000);

  it('exits non-zero when a test fails, with TEST_DATABASE_URL', async () => {
    const { code, output } = await runFailingSuite({ TEST_DATABASE_URL: inject('serverUrl') });
    expect(output).toContain('1 passed, 1 failed');
    expect(code).not.toBe(0);
  }, 120_000);
});
