import { Inject, Injectable } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError, ProxyErrorCode } from './proxy.errors.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** An upstream answer that counts as a failure for the breaker but is still relayed (5xx). */
export class UpstreamFailure extends Error {
  constructor(readonly result: unknown) {
    super('upstream failure');
  }
}

const WINDOW_MS = 60_000;

/**
 * One circuit breaker per upstream endpoint (opossum). It opens when, within a minute, at least
 * MREG_PROXY_BREAKER_FAILURES calls failed and they were at least half of the calls; while open, calls fail fast with
 * 503 UPSTREAM_CIRCUIT_OPEN; after MREG_PROXY_BREAKER_RESET_MS one probe call decides whether it closes again.
 */
@Injectable()
export class UpstreamBreakers {
  private readonly breakers = new Map<string, CircuitBreaker<[() => Promise<unknown>], unknown>>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Runs `work` under the endpoint's breaker. `work` throws UpstreamFailure for a relayable failure. */
  async run<T>(url: string, work: () => Promise<T>): Promise<T> {
    const breaker = this.breakerFor(url);
    try {
      return (await breaker.fire(work)) as T;
    } catch (error) {
      if (error instanceof UpstreamFailure) return error.result as T;
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw new ProxyError(
          503,
          ProxyErrorCode.UPSTREAM_CIRCUIT_OPEN,
          'The upstream is failing; try again later',
          {
            'Retry-After': String(Math.ceil(this.config.proxy.breakerResetMs / 1000)),
          },
        );
      }
      throw error;
    }
  }

  state(url: string): BreakerState {
    const breaker = this.breakers.get(url);
    if (!breaker) return 'closed';
    return breaker.opened ? 'open' : breaker.halfOpen ? 'half_open' : 'closed';
  }

  /** Endpoints whose breaker is open are skipped by selection while another one is usable. */
  isOpen(url: string): boolean {
    return this.breakers.get(url)?.opened ?? false;
  }

  private breakerFor(url: string): CircuitBreaker<[() => Promise<unknown>], unknown> {
    let breaker = this.breakers.get(url);
    if (!breaker) {
      breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
        timeout: false,
        errorThresholdPercentage: 50,
        volumeThreshold: this.config.proxy.breakerFailures,
        rollingCountTimeout: WINDOW_MS,
        rollingCountBuckets: 12,
        resetTimeout: this.config.proxy.breakerResetMs,
        // A refusal the caller caused (4xx, policy) says nothing about the upstream's health.
        errorFilter: (error: unknown) => error instanceof ProxyError && error.status < 500,
      });
      this.breakers.set(url, breaker);
    }
    return breaker;
  }

  shutdown(): void {
    for (const breaker of this.breakers.values()) breaker.shutdown();
    this.breakers.clear();
  }
}
