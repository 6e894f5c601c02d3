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
 */
export class FailureLimiter {
  private readonly limiter: RateLimiterPostgres;
  readonly limit: number;

  constructor(
    pool: unknown,
    readonly name: string,
    { limit, windowSeconds }: { limit: number; windowSeconds: number },
    sweepExpired: boolean,
  ) {
    this.limit = limit;
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
    const state = await this.limiter.get(key);
    if (state && state.consumedPoints >= this.limit) {
      throw new TooManyRequestsError(Math.max(1, Math.ceil(state.msBeforeNext / 1000)));
    }
  }

  async recordFailure(key: string): Promise<void> {
    await this.limiter.penalty(key, 1);
  }

  async reset(key: string): Promise<void> {
    await this.limiter.delete(key);
  }
}

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

async function rateLimitsPlugin(app: FastifyInstance, settings: RateLimitSettings) {
  const pool = app.pg.pool;
  app.decorate('rateLimits', {
    // One of them sweeps expired rows of the shared table every few minutes.
    respondentLookups: new FailureLimiter(pool, 'respondent', settings.respondentLookups, true),
    loginByAddress: new FailureLimiter(pool, 'login-address', settings.loginByAddress, false),
    loginByAccount: new FailureLimiter(pool, 'login-account', settings.loginByAccount, false),
    signupByAddress: new FailureLimiter(pool, 'signup-address', settings.signupByAddress, false),
    passwordResetByAddress: new FailureLimiter(
      pool,
      'password-reset-address',
      settings.passwordResetByAddress,
      false,
    ),
  } satisfies RateLimits);
}

export default fp(rateLimitsPlugin, { name: 'rate-limits', dependencies: ['db'] });
