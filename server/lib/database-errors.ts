/**
 * Errors that mean "the database cannot be reached right now" — refused, reset, shut down, timed out —
 * as opposed to a bad query. They become 503 UNAVAILABLE, never a 500 with the driver's message.
 */
const UNREACHABLE_SOCKET_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** SQLSTATE class 08 (connection exception), 57P01–57P03 (shutdown, cannot connect now), 53300 (too many connections). */
const UNAVAILABLE_SQLSTATES = /^(08...|57P0[123]|53300)$/;

/**
 * node-postgres raises some connection failures as plain Errors without a code; these are its fixed
 * messages (pg/lib/client.js, pg-pool/index.js), the only way to recognise them.
 */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
];

export function isDatabaseUnavailable(error: unknown): boolean {
  return someCause(
    error,
    (code, message) =>
      (typeof code === 'string' &&
        (UNREACHABLE_SOCKET_CODES.has(code) || UNAVAILABLE_SQLSTATES.test(code))) ||
      (typeof message === 'string' && PG_CONNECTION_MESSAGES.some((text) => message.startsWith(text))),
  );
}

/**
 * SQLSTATE 40001 (serialization failure), 40P01 (deadlock detected), 55P03 (lock not available): the
 * database rolled the transaction back as a whole because of another one, and the same request sent again
 * can succeed. Also 503: nothing of it was stored, and the client is told to try again.
 */
const CONFLICT_SQLSTATES = new Set(['40001', '40P01', '55P03']);

export function isTransientConflict(error: unknown): boolean {
  return someCause(error, (code) => typeof code === 'string' && CONFLICT_SQLSTATES.has(code));
}

/** Whether the error, or one of the errors it was caused by (five deep at most), passes `test`. */
function someCause(error: unknown, test: (code: unknown, message: unknown) => boolean): boolean {
  for (let current = error, depth = 0; current && depth < 5; depth += 1) {
    if (typeof current !== 'object') return false;
    const { code, message, cause } = current as { code?: unknown; message?: unknown; cause?: unknown };
    if (test(code, message)) return true;
    current = cause;
  }
  return false;
}
