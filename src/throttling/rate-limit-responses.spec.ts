import { jsonRpcRefusal, rateLimitHeaders, restRefusal } from './rate-limit-responses.js';
import type { BucketState, RateLimitDecision } from './rate-limit.types.js';

const state = (
  bucket: BucketState['check']['bucket'],
  limit: number,
  count: number,
  resetMs: number,
  windowMs = 60_000,
) =>
  ({
    check: { bucket, key: bucket, limit, windowMs, cost: 1, describe: `the ${bucket} (MREG_X)` },
    count,
    resetMs,
    hadRoom: count < limit,
  }) satisfies BucketState;

const burst = state('burst', 17, 3, 400, 1_000);
const principalFull = state('principal', 100, 100, 42_300);
const refused: RateLimitDecision = { allowed: false, states: [burst, principalFull], binding: principalFull };

describe('rate-limit responses', () => {
  it('describes the binding bucket in RateLimit-* and lists every bucket in RateLimit-Policy', () => {
    expect(
      rateLimitHeaders({
        allowed: true,
        states: [burst, state('principal', 100, 20, 30_000)],
        binding: burst,
      }),
    ).toEqual({
      'RateLimit-Limit': '17',
      'RateLimit-Remaining': '14',
      'RateLimit-Reset': '1',
      'RateLimit-Policy': '17;w=1, 100;w=60',
    });
    expect(rateLimitHeaders(refused)).toMatchObject({ 'Retry-After': '43', 'RateLimit-Remaining': '0' });
    expect(rateLimitHeaders({ allowed: true, states: [] })).toEqual({});
  });

  it('refuses REST with 429 RATE_LIMITED, a retry hint in details and the headers', () => {
    const error = restRefusal(refused);
    expect(error.getStatus()).toBe(429);
    expect(error.code).toBe('RATE_LIMITED');
    expect(error.details).toEqual({
      retryAfterSeconds: 43,
      bucket: 'principal',
      limit: 100,
      windowSeconds: 60,
    });
    expect(error.headers).toMatchObject({ 'Retry-After': '43', 'RateLimit-Limit': '100' });
    expect(error.message).toBe(
      'Rate limit exceeded: 100 requests per minute (principal limit: the principal (MREG_X)); retry in 43 s',
    );
  });

  it('answers JSON-RPC endpoints with the same code and hint in error.data', () => {
    const error = jsonRpcRefusal(refused, 7);
    expect(error.getStatus()).toBe(429);
    expect(
      error.toJsonRpc({
        statusCode: 429,
        code: error.code,
        message: error.message,
        correlationId: 'c1',
        details: error.details,
      }),
    ).toEqual({
      jsonrpc: '2.0',
      id: 7,
      error: {
        code: -32000,
        message: error.message,
        data: {
          code: 'RATE_LIMITED',
          statusCode: 429,
          correlationId: 'c1',
          details: { retryAfterSeconds: 43, bucket: 'principal', limit: 100, windowSeconds: 60 },
        },
      },
    });
  });

  it('refuses with 503 RATE_LIMIT_UNAVAILABLE when the store is down and the gateway fails closed', () => {
    const unavailable: RateLimitDecision = { allowed: false, states: [], unavailable: true };
    expect(restRefusal(unavailable)).toMatchObject({
      code: 'RATE_LIMIT_UNAVAILABLE',
      headers: { 'Retry-After': '5' },
    });
    expect(restRefusal(unavailable).getStatus()).toBe(503);
  });
});
