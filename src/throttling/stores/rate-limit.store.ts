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
}

/** `ThrottlerStorage.increment` in terms of `hitAll` (fixed windows: a refusal ends when the window does). */
export async function incrementOne(
  store: RateLimitStore,
  key: string,
  ttlMs: number,
  limit: number,
): Promise<ThrottlerStorageRecord> {
  const { admitted, states } = await store.hitAll([{ key, windowMs: ttlMs, limit, cost: 1 }]);
  const seconds = Math.ceil(states[0].resetMs / 1000);
  return {
    totalHits: admitted ? states[0].count : states[0].count + 1,
    timeToExpire: seconds,
    isBlocked: !admitted,
    timeToBlockExpire: admitted ? 0 : seconds,
  };
}
