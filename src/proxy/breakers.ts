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

type Breaker = CircuitBreaker<[() => Promise<unknown>], unknown>;

/** What opossum does not track itself: failure times for a count-based trip, and the successes still owed after a probe. */
interface EndpointRecord {
  readonly breaker: Breaker;
  failures: number[];
  successesOwed: number;
}

/**
 * One circuit breaker per upstream endpoint. Opossum does the state machine (fail fast while open, one probe after
 * MREG_PROXY_BREAKER_RESET_MS); this class adds the seed's semantics opossum lacks: the breaker opens after
 * MREG_PROXY_BREAKER_FAILURES failures within a minute (a count, not a percentage, so a busy endpoint that fails five
 * times in a row trips as surely as a quiet one), and after the probe succeeds it stays on probation until
 * MREG_PROXY_BREAKER_SUCCESSES calls in a row succeeded; any failure on probation re-opens it at once.
 */
@Injectable()
export class UpstreamBreakers {
  private readonly endpoints = new Map<string, EndpointRecord>();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Runs `work` under the endpoint's breaker. `work` throws UpstreamFailure for a relayable failure. */
  async run<T>(url: string, work: () => Promise<T>): Promise<T> {
    const { breaker } = this.recordFor(url);
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
    const record = this.endpoints.get(url);
    if (!record) return 'closed';
    if (record.breaker.opened) return 'open';
    return record.breaker.halfOpen || record.successesOwed > 0 ? 'half_open' : 'closed';
  }

  /** Endpoints whose breaker is open are skipped by selection while another one is usable. */
  isOpen(url: string): boolean {
    return this.endpoints.get(url)?.breaker.opened ?? false;
  }

  /** Drops the state of endpoints no registered server uses any more, so removed upstreams do not accumulate. */
  retainOnly(urls: ReadonlySet<string>): void {
    for (const [url, record] of this.endpoints) {
      if (urls.has(url)) continue;
      record.breaker.shutdown();
      this.endpoints.delete(url);
    }
  }

  private recordFor(url: string): EndpointRecord {
    const existing = this.endpoints.get(url);
    if (existing) return existing;
    const breaker: Breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
      timeout: false,
      // Tripping is decided by onFailure (a count); opossum's own percentage rule is switched off.
      errorThresholdPercentage: 100,
      rollingCountTimeout: WINDOW_MS,
      rollingCountBuckets: 12,
      resetTimeout: this.config.proxy.breakerResetMs,
      // A refusal the caller caused (4xx, policy) says nothing about the upstream's health.
      errorFilter: (error: unknown) => error instanceof ProxyError && error.status < 500,
    });
    const record: EndpointRecord = { breaker, failures: [], successesOwed: 0 };
    breaker.on('failure', () => this.onFailure(record));
    breaker.on('success', () => {
      if (record.successesOwed > 0) record.successesOwed -= 1;
    });
    // Opossum closes on the first successful probe; that probe pays the first of the successes owed.
    breaker.on('halfOpen', () => {
      record.successesOwed = this.config.proxy.breakerSuccesses;
    });
    breaker.on('open', () => {
      record.failures = [];
      record.successesOwed = 0;
    });
    this.endpoints.set(url, record);
    return record;
  }

  private onFailure(record: EndpointRecord): void {
    if (record.breaker.opened) return;
    if (record.successesOwed > 0) {
      record.breaker.open();
      return;
    }
    const now = Date.now();
    record.failures = record.failures.filter((at) => now - at < WINDOW_MS);
    record.failures.push(now);
    if (record.failures.length >= this.config.proxy.breakerFailures) record.breaker.open();
  }

  shutdown(): void {
    for (const record of this.endpoints.values()) record.breaker.shutdown();
    this.endpoints.clear();
  }
}
