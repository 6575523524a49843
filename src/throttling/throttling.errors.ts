import { CommonErrorCode } from '../common/errors/error-codes.js';

export enum ThrottlingErrorCode {
  /** Over a rate limit; `details.retryAfterSeconds` says when to try again. The common code, not a second spelling. */
  RATE_LIMITED = CommonErrorCode.RATE_LIMITED,
  /** The shared counter store is unreachable and the gateway is configured to fail closed. */
  RATE_LIMIT_UNAVAILABLE = 'RATE_LIMIT_UNAVAILABLE',
}

/** Seconds a client should wait when the counter store is down (fail closed): a reconnect attempt is that quick. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
