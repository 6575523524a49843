import type { BucketState, RateLimitDecision } from '../throttling/rate-limit.types.js';
import { proxyRefusal } from './proxy-rate-limits.js';
import { ProxyError } from './proxy.errors.js';

const full: BucketState = {
  check: {
    bucket: 'principal',
    key: 'p',
    limit: 100,
    windowMs: 60_000,
    cost: 1,
    describe: 'the caller (MREG_X)',
  },
  count: 100,
  resetMs: 42_300,
  hadRoom: false,
};

describe('proxyRefusal', () => {
  it('gives the proxy a ProxyError with status, headers and details', () => {
    const error = proxyRefusal({ allowed: false, states: [full], binding: full });
    expect(error).toBeInstanceOf(ProxyError);
    expect(error).toMatchObject({ status: 429, code: 'RATE_LIMITED', details: { retryAfterSeconds: 43 } });
    expect(error.headers['Retry-After']).toBe('43');
  });

  it('refuses with 503 RATE_LIMIT_UNAVAILABLE when the store is down and the gateway fails closed', () => {
    const unavailable: RateLimitDecision = { allowed: false, states: [], unavailable: true };
    expect(proxyRefusal(unavailable)).toMatchObject({ status: 503, code: 'RATE_LIMIT_UNAVAILABLE' });
  });
});
