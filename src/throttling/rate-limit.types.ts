/** What a bucket limits; also the `bucket` label of the metrics and `details.bucket` of a 429. */
export type BucketName =
  'burst' | 'principal' | 'tenant' | 'global' | 'anonymous' | 'oauth' | 'server' | 'tool' | 'housekeeping';

/** Where a request came in; the `surface` label of the metrics. */
export type Surface = 'rest' | 'mcp' | 'oauth' | 'proxy' | 'federated';

/** One counter a request must fit in: `cost` more hits within a fixed window of `windowMs`, at most `limit`. */
export interface BucketCheck {
  readonly bucket: BucketName;
  /** Counter key without the store's prefix. */
  readonly key: string;
  readonly limit: number;
  readonly windowMs: number;
  readonly cost: number;
  /** What the limit is, and who raises it how: said in a refusal, so the caller knows which knob to ask for. */
  readonly describe: string;
}

/** A bucket after the request: its count (including this request when admitted) and when its window ends. */
export interface BucketState {
  readonly check: BucketCheck;
  readonly count: number;
  readonly resetMs: number;
  /** Whether the request fit in this bucket (a request is admitted only when it fits in all of them). */
  readonly hadRoom: boolean;
}

export interface RateLimitDecision {
  readonly allowed: boolean;
  readonly states: readonly BucketState[];
  /**
   * The bucket the caller should hear about: the refusing one that frees up last, or, when admitted, the one with the
   * least room left. Undefined when nothing was counted (limits off, or the store failed open).
   */
  readonly binding?: BucketState;
  /** The store could not be reached and `MREG_RATE_LIMIT_FAIL_CLOSED` refuses requests meanwhile. */
  readonly unavailable?: boolean;
}

export const SECOND_MS = 1_000;
export const MINUTE_MS = 60_000;
