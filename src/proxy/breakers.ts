import { Inject, Injectable } from '@nestjs/common';
import CircuitBreaker from 'opossum';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError } from './proxy.errors.js';
import { ErrorCode } from '../common/errors/error-codes.js';

export type BreakerState = 'closed' | 'open' | 'half_open';

/** An upstream answer that counts as a failure for the breaker but is still relayed (5xx). */
export class UpstreamFailure extends Error {
  constructor(readonly result: unknown) {
    super('upstream failure');
  }
}

const WINDOW_MS = 60_000;

/**
 * A breaker belongs to one server's endpoint, not to a URL: two tenants may register the same upstream URL, and one
 * tenant's failures (its own short timeouts, say) must not open the breaker for the other.
 */
export function breakerKey(serverId: string, url: string): string {
  return `${serverId}|${url}`;
}

/** The client went away: the call says nothing about the upstream's health. */
function isCancellation(error: unknown): boolean {
  return error instanceof ProxyError && error.getStatus() === 499;
}

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

  /**
   * Runs `work` under the breaker of `key` (see breakerKey). `work` throws UpstreamFailure for a relayable failure.
   */
  async run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const { breaker } = this.recordFor(key);
    try {
      return (await breaker.fire(work)) as T;
    } catch (error) {
      if (error instanceof UpstreamFailure) return error.result as T;
      if ((error as { code?: string }).code === 'EOPENBREAKER') {
        throw new ProxyError(
          503,
          ErrorCode.UPSTREAM_CIRCUIT_OPEN,
          'The upstream is failing; try again later',
          {
            'Retry-After': String(Math.ceil(this.config.proxy.breakerResetMs / 1000)),
          },
        );
      }
      throw error;
    }
  }

  state(key: string): BreakerState {
    const record = this.endpoints.get(key);
    if (!record) return 'closed';
    if (record.breaker.opened) return 'open';
    return record.breaker.halfOpen || record.successesOwed > 0 ? 'half_open' : 'closed';
  }

  /** Endpoints whose breaker is open are skipped by selection while another one is usable. */
  isOpen(key: string): boolean {
    return this.endpoints.get(key)?.breaker.opened ?? false;
  }

  /** Drops the state of endpoints no registered server uses any more, so removed upstreams do not accumulate. */
  retainOnly(keys: ReadonlySet<string>): void {
    for (const [key, record] of this.endpoints) {
      if (keys.has(key)) continue;
      record.breaker.shutdown();
      this.endpoints.delete(key);
    }
  }

  private recordFor(key: string): EndpointRecord {
    const existing = this.endpoints.get(key);
    if (existing) return existing;
    const breaker: Breaker = new CircuitBreaker((work: () => Promise<unknown>) => work(), {
      timeout: false,
      // Tripping is decided by onFailure (a count); opossum's own percentage rule is switched off.
      errorThresholdPercentage: 100,
      rollingCountTimeout: WINDOW_MS,
      rollingCountBuckets: 12,
      resetTimeout: this.config.proxy.breakerResetMs,
      // A refusal the caller caused (4xx, policy) says nothing about the upstream's health. Not a cancellation (499):
      // opossum counts a filtered error as a success, and a cancelled probe must not close a half-open breaker.
      errorFilter: (error: unknown) => error instanceof ProxyError && error.getStatus() < 499,
    });
    const record: EndpointRecord = { breaker, failures: [], successesOwed: 0 };
    breaker.on('failure', (error: unknown) => this.onFailure(record, error));
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
    this.endpoints.set(key, record);
    return record;
  }

  private onFailure(record: EndpointRecord, error: unknown): void {
    // A cancelled probe re-opens a half-open breaker (opossum does that); otherwise a cancellation counts for nothing,
    // or clients that give up could trip a healthy upstream's breaker for everyone.
    if (record.breaker.opened || isCancellation(error)) return;
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
