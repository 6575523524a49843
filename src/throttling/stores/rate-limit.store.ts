import type { ThrottlerStorage } from '@nestjs/throttler';

/** What `ThrottlerStorage.increment` answers (the package does not export the type by name). */
export type ThrottlerStorageRecord = Awaited<ReturnType<ThrottlerStorage['increment']>>;

/** One counter to hit: `cost` more within a fixed window of `windowMs` that must stay within `limit`. */
export interface CounterHit {
  readonly key: string;
  readonly windowMs: number;
  readonly limit: number;
  readonly cost: number;
}

/** A counter after `hitAll`: its count (the new one when admitted, the current one otherwise) and its window's end. */
export interface CounterState {
  readonly count: number;
  readonly resetMs: number;
}

/** A counter to read without hitting it. */
export interface CounterPeek {
  readonly key: string;
  readonly windowMs: number;
}

export interface HitAllResult {
  readonly admitted: boolean;
  readonly states: readonly CounterState[];
}

/**
 * Counter storage for the rate limits: @nestjs/throttler's `ThrottlerStorage` (one key per call), plus `hitAll`,
 * which is what the gateway uses: all or nothing over several counters, so a request refused by one bucket (say its
 * tool limit) costs nothing in the others (its user's or tenant's minute), and one caller hammering a limited tool
 * cannot use up the budget of the rest of its tenant.
 */
export interface RateLimitStore extends ThrottlerStorage {
  readonly kind: 'memory' | 'redis';
  /** Admits when every counter has room for its cost, then adds the cost to all of them; otherwise adds nothing. */
  hitAll(hits: readonly CounterHit[]): Promise<HitAllResult>;
  /**
   * The counters as they stand, counting nothing: the count of the live window (0 when there is none) and when it
   * ends (a full window when there is none). For the admins' usage view, by key: a store is never listed.
   */
  peekAll(counters: readonly CounterPeek[]): Promise<readonly CounterState[]>;
}

/**
 * Both stores: `hitAll` is theirs; `ThrottlerStorage.increment` (the package's one-counter call) is `hitAll` with one
 * counter. Fixed windows need no separate block: a refusal lasts until the window ends, whatever `blockDuration` says.
 */
export abstract class FixedWindowStore implements RateLimitStore {
  abstract readonly kind: 'memory' | 'redis';
  abstract hitAll(hits: readonly CounterHit[]): Promise<HitAllResult>;
  abstract peekAll(counters: readonly CounterPeek[]): Promise<readonly CounterState[]>;

  async increment(
    key: string,
    ttl: number,
    limit: number,
    _blockDuration?: number,
    _throttlerName?: string,
  ): Promise<ThrottlerStorageRecord> {
    const { admitted, states } = await this.hitAll([{ key, windowMs: ttl, limit, cost: 1 }]);
    const seconds = Math.ceil(states[0].resetMs / 1000);
    return {
      totalHits: admitted ? states[0].count : states[0].count + 1,
      timeToExpire: seconds,
      isBlocked: !admitted,
      timeToBlockExpire: admitted ? 0 : seconds,
    };
  }
}
