import type { Response } from 'express';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { JsonRpcException } from '../common/errors/json-rpc.exception.js';
import type { BucketState, RateLimitDecision } from './rate-limit.types.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** Seconds a client should wait when the counter store is down (fail closed): a reconnect attempt is that quick. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

/** What a 429 tells the caller, in `details` (REST) and `error.data.details` (JSON-RPC). */
export interface RateLimitDetails {
  retryAfterSeconds: number;
  bucket: string;
  limit: number;
  windowSeconds: number;
}

const seconds = (ms: number) => Math.max(1, Math.ceil(ms / 1000));

/**
 * RateLimit-* fields (IETF draft-ietf-httpapi-ratelimit-headers, the widely deployed separate-field form): Limit,
 * Remaining and Reset (delta seconds) of the bucket closest to refusing, and Policy listing every bucket checked.
 */
export function rateLimitHeaders(decision: RateLimitDecision): Record<string, string> {
  const binding = decision.binding;
  if (!binding) return {};
  const headers: Record<string, string> = {
    'RateLimit-Limit': String(binding.check.limit),
    'RateLimit-Remaining': String(Math.max(0, binding.check.limit - binding.count)),
    'RateLimit-Reset': String(seconds(binding.resetMs)),
    'RateLimit-Policy': decision.states
      .map((state) => `${state.check.limit};w=${state.check.windowMs / 1000}`)
      .join(', '),
  };
  if (!decision.allowed) headers['Retry-After'] = headers['RateLimit-Reset'];
  return headers;
}

export function applyRateLimitHeaders(res: Response, decision: RateLimitDecision): void {
  if (!res.headersSent) res.set(rateLimitHeaders(decision));
}

interface Refusal {
  status: number;
  code: ErrorCode;
  message: string;
  details?: RateLimitDetails;
  headers: Record<string, string>;
}

/** Why a request was refused, independent of the surface that answers it. */
export function refusalOf(decision: RateLimitDecision): Refusal {
  if (decision.unavailable || !decision.binding) {
    return {
      status: 503,
      code: ErrorCode.RATE_LIMIT_UNAVAILABLE,
      message: 'Rate limiting is unavailable; try again shortly',
      headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
    };
  }
  const binding: BucketState = decision.binding;
  const windowSeconds = binding.check.windowMs / 1000;
  const details: RateLimitDetails = {
    retryAfterSeconds: seconds(binding.resetMs),
    bucket: binding.check.bucket,
    limit: binding.check.limit,
    windowSeconds,
  };
  return {
    status: 429,
    code: ErrorCode.RATE_LIMITED,
    message:
      `Rate limit exceeded: ${binding.check.limit} request${binding.check.limit === 1 ? '' : 's'} per ` +
      `${windowSeconds === 1 ? 'second' : windowSeconds === 60 ? 'minute' : `${windowSeconds} s`} ` +
      `(${binding.check.bucket} limit: ${binding.check.describe}); retry in ${details.retryAfterSeconds} s`,
    details,
    headers: rateLimitHeaders(decision),
  };
}

/** REST: the common error body, status 429 (or 503) with Retry-After and the RateLimit-* headers. */
export function restRefusal(decision: RateLimitDecision): GatewayException {
  const r = refusalOf(decision);
  return new GatewayException(r.status, r.code, r.message, r.details, r.headers);
}

/** JSON-RPC endpoints answered by a guard (/mcp): same status and headers, a JSON-RPC error body. */
export function jsonRpcRefusal(
  decision: RateLimitDecision,
  requestId: string | number | null,
): JsonRpcException {
  const r = refusalOf(decision);
  return new JsonRpcException(r.status, r.code, r.message, requestId, r.details, r.headers);
}
