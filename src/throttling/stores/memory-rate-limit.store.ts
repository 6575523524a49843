import type { OnApplicationShutdown } from '@nestjs/common';
import {
  type CounterHit,
  type CounterPeek,
  type CounterState,
  type HitAllResult,
  FixedWindowStore,
} from './rate-limit.store.js';

interface Window {
  count: number;
  resetAt: number;
}

const SWEEP_INTERVAL_MS = 60_000;

/**
 * Counters of one process (no MREG_REDIS_URL): fixed windows in a Map, O(1) per hit, with exactly the semantics of
 * the Redis store so tests of either apply to both. Ended windows are swept every minute, so keys of callers that
 * went away (client IPs) do not accumulate.
 */
export class MemoryRateLimitStore extends FixedWindowStore implements OnApplicationShutdown {
  readonly kind = 'memory';
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(private readonly now: () => number = Date.now) {
    super();
    this.sweeper = setInterval(() => this.sweep(), SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  hitAll(hits: readonly CounterHit[]): Promise<HitAllResult> {
    const now = this.now();
    const current = hits.map((hit) => {
      const window = this.windows.get(hit.key);
      return window && window.resetAt > now ? window : undefined;
    });
    const admitted = hits.every((hit, i) => (current[i]?.count ?? 0) + hit.cost <= hit.limit);
    const states = hits.map((hit, i) => {
      let window = current[i];
      if (admitted) {
        window ??= { count: 0, resetAt: now + hit.windowMs };
        window.count += hit.cost;
        this.windows.set(hit.key, window);
      }
      return { count: window?.count ?? 0, resetMs: window ? window.resetAt - now : hit.windowMs };
    });
    return Promise.resolve({ admitted, states });
  }

  peekAll(counters: readonly CounterPeek[]): Promise<readonly CounterState[]> {
    const now = this.now();
    return Promise.resolve(
      counters.map((counter) => {
        const window = this.windows.get(counter.key);
        return window && window.resetAt > now
          ? { count: window.count, resetMs: window.resetAt - now }
          : { count: 0, resetMs: counter.windowMs };
      }),
    );
  }

  /** Number of live counters, for tests. */
  get size(): number {
    return this.windows.size;
  }

  sweep(): void {
    const now = this.now();
    for (const [key, window] of this.windows) if (window.resetAt <= now) this.windows.delete(key);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }
}
