import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { RateLimiterPostgres } from 'rate-limiter-flexible';
import type { RateLimitSettings } from '../config.js';
import { HttpError } from '../lib/errors.js';

/** 429 with the seconds to wait; the error handler sends them as Retry-After. */
export class TooManyRequestsError extends HttpError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'TOO_MANY_REQUESTS', 'Too many attempts; try again later');
  }
}

/**
 * A counter of failures per key in a fixed window. Only failures count: a key is refused once it has
 * `limit` failures in the window, until the window ends. The counters live in PostgreSQL (table
 * rate_limits), so every app instance sees the same counts. Check and count are separate statements,
 * so a burst of parallel attempts can overshoot the limit by the number of requests in flight.
 *
 * With `cleanForMs`, a key found without failures is remembered as clean for that long, and checks
 * within that time read nothing: on a path checked on every request (the survey links) the usual
 * visitor, who never fails, costs no query. A failure counted here forgets the key at once; one counted
 * by another instance is seen here at most `cleanForMs` later, which lets at most one more attempt through
 * per instance (that attempt's own failure makes the next check read the counter).
 */
export class FailureLimiter {
  private readonly limiter: RateLimiterPostgres;
  readonly limit: number;
  private readonly cleanForMs: number;
  /** Keys with no failures, and until when that is trusted (milliseconds since the epoch). */
  private readonly clean = new Map<string, number>();

  constructor(
    pool: unknown,
    readonly name: string,
    { limit, windowSeconds }: { limit: number; windowSeconds: number },
    { sweepExpired, cleanForMs = 0 }: { sweepExpired: boolean; cleanForMs?: number },
  ) {
    this.limit = limit;
    this.cleanForMs = cleanForMs;
    this.limiter = new RateLimiterPostgres({
      storeClient: pool,
      storeType: 'pool',
      tableName: 'rate_limits',
      tableCreated: true,
      clearExpiredByTimeout: sweepExpired,
      keyPrefix: name,
      points: limit,
      duration: windowSeconds,
    });
  }

  /** Throws TooManyRequestsError while `key` has used up its failures. */
  async assertAllowed(key: string): Promise<void> {
    const now = Date.now();
    if ((this.clean.get(key) ?? 0) > now) return;
    const state = await this.limiter.get(key);
    if (state && state.consumedPoints >= this.limit) {
      throw new TooManyRequestsError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
    if (this.cleanForMs > 0 && (!state || state.consumedPoints === 0)) this.rememberClean(key, now);
  }

  async recordFailure(key: string): Promise<void> {
    this.clean.delete(key);
    await this.limiter.penalty(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }

  private rememberClean(key: string, now: number) {
    // Bounded: beyond MAX_CLEAN_KEYS the expired entries go, and if none had expired, all of them.
    if (this.clean.size >= MAX_CLEAN_KEYS) {
      for (const [known, until] of this.clean) if (until <= now) this.clean.delete(known);
      if (this.clean.size >= MAX_CLEAN_KEYS) this.clean.clear();
    }
    this.clean.set(key, now + this.cleanForMs);
  }
}

const MAX_CLEAN_KEYS = 10_000;

/** The limits and windows are in config.ts (DEFAULT_RATE_LIMITS). */
export interface RateLimits {
  /** Unknown, malformed or revoked survey links, per client address. */
  respondentLookups: FailureLimiter;
  /** Failed logins per client address. */
  loginByAddress: FailureLimiter;
  /** Failed logins per account (a hash of the email, whether or not it exists). */
  loginByAccount: FailureLimiter;
  /** Sign-up attempts per client address. */
  signupByAddress: FailureLimiter;
  /** "Forgot password" requests per client address (every request counts). */
  passwordResetByAddress: FailureLimiter;
}

declare module 'fastify' {
  interface FastifyInstance {
    rateLimits: RateLimits;
  }
}

const noSweep = { sweepExpired: false };

async function rateLimitsPlugin(app: FastifyInstance, settings: RateLimitSettings) {
  const pool = app.pg.pool;
  app.decorate('rateLimits', {
    // One of them sweeps expired rows of the shared table every few minutes. The survey links are checked
    // on every request, so an address without failures is trusted for a few seconds without a query.
    respondentLookups: new FailureLimiter(pool, 'respondent', settings.respondentLookups, {
      sweepExpired: true,
      cleanForMs: 5_000,
    }),
    loginByAddress: new FailureLimiter(pool, 'login-address', settings.loginByAddress, noSweep),
    loginByAccount: new FailureLimiter(pool, 'login-account', settings.loginByAccount, noSweep),
    signupByAddress: new FailureLimiter(pool, 'signup-address', settings.signupByAddress, noSweep),
    passwordResetByAddress: new FailureLimiter(
      pool,
      'password-reset-address',
      settings.passwordResetByAddress,
      noSweep,
    ),
  } satisfies RateLimits);
}

export default fp(rateLimitsPlugin, { name: 'rate-limits', dependencies: ['db'] });
