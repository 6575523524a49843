import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectThrottlerStorage, type ThrottlerStorage } from '@nestjs/throttler';
import { Counter } from 'prom-client';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import type { BucketCheck, BucketState, RateLimitDecision, Surface } from './rate-limit.types.js';
import type { RateLimitStore } from './stores/rate-limit.store.js';

const STORE_WARNING_INTERVAL_MS = 30_000;
const ADMITTED: RateLimitDecision = { allowed: true, states: [] };

/**
 * The one place requests are counted, for the guard and the proxy alike: every bucket of a request is hit at once,
 * all or nothing, in the configured store. When the store fails the request is let through (fail open, with a warning
 * and a metric) or refused as unavailable (`MREG_RATE_LIMIT_FAIL_CLOSED`); it never waits longer than the store's
 * command timeout.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger('RateLimits');
  private readonly store: RateLimitStore;
  private readonly limited: Counter<'surface' | 'bucket'>;
  private readonly storeErrors: Counter<'outcome'>;
  private lastStoreWarning = 0;

  constructor(
    @InjectThrottlerStorage() storage: ThrottlerStorage,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    metrics: MetricsService,
  ) {
    this.store = storage as RateLimitStore;
    this.limited = new Counter({
      name: 'mcp_gateway_rate_limited_total',
      help: 'Requests refused by a rate limit, by surface and by the bucket that refused them',
      labelNames: ['surface', 'bucket'] as const,
      registers: [metrics.registry],
    });
    this.storeErrors = new Counter({
      name: 'mcp_gateway_rate_limit_store_errors_total',
      help: 'Rate-limit checks the counter store could not answer, by what happened to the request (allowed: fail open)',
      labelNames: ['outcome'] as const,
      registers: [metrics.registry],
    });
  }

  get enabled(): boolean {
    return this.config.rateLimit.enabled;
  }

  get storeKind(): RateLimitStore['kind'] {
    return this.store.kind;
  }

  async consume(checks: readonly BucketCheck[], surface: Surface): Promise<RateLimitDecision> {
    if (!this.enabled || checks.length === 0) return ADMITTED;
    let result;
    try {
      result = await this.store.hitAll(checks);
    } catch (error) {
      return this.storeFailed(error);
    }
    const states: BucketState[] = checks.map((check, i) => ({
      check,
      count: result.states[i].count,
      resetMs: result.states[i].resetMs,
      hadRoom: result.admitted || result.states[i].count + check.cost <= check.limit,
    }));
    const binding = bindingBucket(states, result.admitted);
    if (!result.admitted) this.limited.inc({ surface, bucket: binding.check.bucket });
    return { allowed: result.admitted, states, binding };
  }

  /**
   * The buckets' counters as they stand, counting nothing (the admins' usage view); undefined when the store cannot
   * answer. Limits off still reads: the counters are then simply not growing.
   */
  async peek(checks: readonly BucketCheck[]): Promise<readonly BucketState[] | undefined> {
    if (checks.length === 0) return [];
    try {
      const counters = await this.store.peekAll(checks);
      return checks.map((check, i) => ({
        check,
        count: counters[i].count,
        resetMs: counters[i].resetMs,
        hadRoom: counters[i].count < check.limit,
      }));
    } catch {
      return undefined;
    }
  }

  private storeFailed(error: unknown): RateLimitDecision {
    const failClosed = this.config.rateLimit.failClosed;
    this.storeErrors.inc({ outcome: failClosed ? 'refused' : 'allowed' });
    const now = Date.now();
    if (now - this.lastStoreWarning >= STORE_WARNING_INTERVAL_MS) {
      this.lastStoreWarning = now;
      this.logger.warn(
        `Rate-limit store unreachable (${(error as Error).message}); ` +
          (failClosed ? 'refusing requests (fail closed)' : 'letting requests through unlimited (fail open)'),
      );
    }
    return failClosed ? { allowed: false, states: [], unavailable: true } : ADMITTED;
  }
}

/**
 * What to tell the caller about: when refused, the refusing bucket that frees up last (retrying earlier is pointless);
 * when admitted, the one with the least room left, as RateLimit-Remaining should.
 */
export function bindingBucket(states: readonly BucketState[], admitted: boolean): BucketState {
  const candidates = admitted ? states : states.filter((state) => !state.hadRoom);
  return candidates.reduce((best, state) => {
    if (!admitted) return state.resetMs > best.resetMs ? state : best;
    const room = (s: BucketState) => s.check.limit - s.count;
    return room(state) < room(best) ? state : best;
  });
}
