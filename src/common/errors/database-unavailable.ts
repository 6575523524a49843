/** Network failures on the way to PostgreSQL. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
/** SQLSTATEs that mean "the database cannot serve you now", not "your query is wrong". */
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '3D000']);

/**
 * Whether an error says the database is unreachable or refusing connections (down, restarting, connections
 * disallowed, pool exhausted) rather than that a query failed: those are answered 503, the caller may retry.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if (typeof code === 'string') {
    if (NETWORK_CODES.has(code) || UNAVAILABLE_STATES.has(code) || code.startsWith('08')) return true;
    if (code === '55000' && /accepting connections/.test(text)) return true;
  }
  // node-postgres' own connection failures carry no code.
  return /^Connection terminated|timeout exceeded when trying to connect|Connection ended unexpectedly/.test(
    text,
  );
}
