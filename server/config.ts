import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { z } from 'zod';
import { normalizeEmail } from './lib/email.js';

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.preprocess(emptyToUndefined, z.string().min(1).default('127.0.0.1')),
  DATABASE_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  ),
  DATA_DIR: z.preprocess(emptyToUndefined, z.string().default('.data')),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' }).optional(),
  ),
  SESSION_SECRET: z.preprocess(
    emptyToUndefined,
    z.string().min(32, 'must be at least 32 characters').optional(),
  ),
  SMTP_URL: z.preprocess(
    emptyToUndefined,
    z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  ),
  TRUST_PROXY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .refine(isTrustProxy, {
        error:
          'must be a number of proxy hops, or a comma-separated list of proxy addresses/CIDRs (or loopback, linklocal, uniquelocal)',
      })
      .optional(),
  ),
  MAIL_FROM: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .max(254)
      .refine((value) => normalizeEmail(value) !== null, { error: 'must be an email address' })
      .optional(),
  ),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  WEB_CONCURRENCY: z.preprocess(emptyToUndefined, z.coerce.number().int().min(1).max(64).default(1)),
});

export interface Config {
  nodeEnv: 'development' | 'production' | 'test';
  port: number;
  host: string;
  /** Undefined: start the embedded PostgreSQL under dataDir. */
  databaseUrl: string | undefined;
  dataDir: string;
  publicUrl: string;
  sessionSecret: string;
  smtpUrl: string | undefined;
  /** The From address of every email; the sender's name (the KAM or the organisation) is its display name. */
  mailFrom: string;
  /** The email queue's worker and timings (tests shorten them). */
  mail: MailSettings;
  logLevel: string;
  /**
   * Which reverse proxies may set X-Forwarded-For/-Proto (Fastify's trustProxy): false (the default)
   * means the client address is the socket's, whatever headers a client sends.
   */
  trustProxy: false | number | string[];
  /** Failures (sign-ups: attempts) allowed per window before 429; see server/plugins/rate-limits.ts. */
  rateLimits: RateLimitSettings;
  /** App processes serving the port (server/workers.ts); 1: the one process serves it itself. */
  webConcurrency: number;
}

export interface MailSettings {
  /** Run the worker that sends queued email (and the reminder schedule) in this process. */
  worker: boolean;
  /** Seconds before the first retry of a temporary failure; doubled each time (pg-boss backoff). */
  retryDelaySeconds: number;
  /** Attempts before a temporary failure is given up as failed. */
  maxAttempts: number;
  /** How often an idle worker looks for new jobs. */
  pollingIntervalSeconds: number;
}

export const DEFAULT_MAIL_SETTINGS: MailSettings = {
  worker: true,
  retryDelaySeconds: 60,
  maxAttempts: 6,
  pollingIntervalSeconds: 2,
};

export interface RateLimitSettings {
  respondentLookups: { limit: number; windowSeconds: number };
  loginByAddress: { limit: number; windowSeconds: number };
  loginByAccount: { limit: number; windowSeconds: number };
  signupByAddress: { limit: number; windowSeconds: number };
  passwordResetByAddress: { limit: number; windowSeconds: number };
}

export const DEFAULT_RATE_LIMITS: RateLimitSettings = {
  respondentLookups: { limit: 20, windowSeconds: 10 * 60 },
  loginByAddress: { limit: 10, windowSeconds: 15 * 60 },
  loginByAccount: { limit: 10, windowSeconds: 15 * 60 },
  signupByAddress: { limit: 10, windowSeconds: 60 * 60 },
  passwordResetByAddress: { limit: 10, windowSeconds: 60 * 60 },
};

const PROXY_KEYWORDS = new Set(['loopback', 'linklocal', 'uniquelocal']);

function proxyEntries(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
}

function isTrustProxy(value: string): boolean {
  if (/^\d+$/.test(value)) return true;
  const entries = proxyEntries(value);
  return (
    entries.length > 0 &&
    entries.every((entry) => {
      if (PROXY_KEYWORDS.has(entry)) return true;
      const [address = '', bits, ...rest] = entry.split('/');
      const family = isIP(address);
      if (family === 0 || rest.length > 0) return false;
      return bits === undefined || (/^\d+$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128));
    })
  );
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/** Parses the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const vars = parsed.data;
  const dataDir = path.resolve(vars.DATA_DIR);
  let sessionSecret = vars.SESSION_SECRET;
  if (!sessionSecret) {
    if (vars.NODE_ENV === 'production') {
      throw new ConfigError(['SESSION_SECRET: required when NODE_ENV=production (at least 32 characters)']);
    }
    sessionSecret = readOrCreateSecret(dataDir, 'session-secret');
  }
  return {
    nodeEnv: vars.NODE_ENV,
    port: vars.PORT,
    host: vars.HOST,
    databaseUrl: vars.DATABASE_URL,
    dataDir,
    publicUrl: (vars.PUBLIC_URL ?? `http://localhost:${vars.PORT}`).replace(/\/+$/, ''),
    sessionSecret,
    smtpUrl: vars.SMTP_URL,
    mailFrom: vars.MAIL_FROM ?? `noreply@${new URL(vars.PUBLIC_URL ?? 'http://localhost').hostname}`,
    mail: DEFAULT_MAIL_SETTINGS,
    logLevel: vars.LOG_LEVEL,
    rateLimits: DEFAULT_RATE_LIMITS,
    webConcurrency: vars.WEB_CONCURRENCY,
    trustProxy:
      vars.TRUST_PROXY === undefined
        ? false
        : /^\d+$/.test(vars.TRUST_PROXY)
          ? Number(vars.TRUST_PROXY)
          : proxyEntries(vars.TRUST_PROXY),
  };
}

/** A development secret generated on first start and kept in DATA_DIR so sessions and links survive restarts. */
export function readOrCreateSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true });
  chmodSync(dataDir, 0o755);
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
  return secret;
}

/** The test suite's database: TEST_DATABASE_URL, else DATABASE_URL, else undefined (start an embedded one). */
export function testDatabaseUrl(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.TEST_DATABASE_URL || env.DATABASE_URL || undefined;
}
