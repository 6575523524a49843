import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError } from './proxy.errors.js';
import { SlotCounts } from '../common/slot-counts.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/**
 * Caps the streamed responses one user holds open on this process: per server (MREG_PROXY_MAX_STREAMS_PER_SERVER,
 * what one client of one server plausibly needs) and across all servers (MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL, a cap
 * against abuse that an IDE with dozens of servers open stays far below).
 */
@Injectable()
export class StreamLimiter {
  private readonly slots = new SlotCounts();

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Streams open on this process, all users together (a metric). */
  get total(): number {
    return this.slots.count(ALL);
  }

  /** Counts one stream of the principal to the server; the returned function releases it (once). */
  acquire(principal: Principal, serverId: string): () => void {
    const caller = `${principal.tenantId}/${principal.oid}`;
    const { maxStreamsPerPrincipal, maxStreamsPerServer } = this.config.proxy;
    return this.slots.take([
      {
        key: `${caller}/${serverId}`,
        limit: maxStreamsPerServer,
        refusal: () => tooMany(`${maxStreamsPerServer} to this server`, 'MREG_PROXY_MAX_STREAMS_PER_SERVER'),
      },
      {
        key: caller,
        limit: maxStreamsPerPrincipal,
        refusal: () =>
          tooMany(`${maxStreamsPerPrincipal} across all servers`, 'MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL'),
      },
      { key: ALL },
    ]);
  }
}

/** The key every stream is also counted under (no user's key can be empty). */
const ALL = '';

function tooMany(limit: string, setting: string): ProxyError {
  return new ProxyError(
    429,
    ErrorCode.TOO_MANY_STREAMS,
    `Too many open streams: at most ${limit} per user; close one first (the operator sets ${setting})`,
    { 'Retry-After': '1' },
  );
}
