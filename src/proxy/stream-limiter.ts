import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError, ProxyErrorCode } from './proxy.errors.js';

/**
 * Caps the streamed responses one user holds open on this process: per server (MREG_PROXY_MAX_STREAMS_PER_SERVER,
 * what one client of one server plausibly needs) and across all servers (MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL, a cap
 * against abuse that an IDE with dozens of servers open stays far below).
 */
@Injectable()
export class StreamLimiter {
  private readonly perPrincipal = new Map<string, number>();
  private readonly perServer = new Map<string, number>();
  /** Streams open on this process, all users together (a metric). */
  total = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one stream of the principal to the server; the returned function releases it (once). */
  acquire(principal: Principal, serverId: string): () => void {
    const caller = `${principal.tenantId}/${principal.oid}`;
    const pair = `${caller}/${serverId}`;
    const { maxStreamsPerPrincipal, maxStreamsPerServer } = this.config.proxy;
    if ((this.perServer.get(pair) ?? 0) >= maxStreamsPerServer) {
      throw tooMany(`${maxStreamsPerServer} to this server`, 'MREG_PROXY_MAX_STREAMS_PER_SERVER');
    }
    if ((this.perPrincipal.get(caller) ?? 0) >= maxStreamsPerPrincipal) {
      throw tooMany(`${maxStreamsPerPrincipal} across all servers`, 'MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL');
    }
    increment(this.perServer, pair, 1);
    increment(this.perPrincipal, caller, 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      increment(this.perServer, pair, -1);
      increment(this.perPrincipal, caller, -1);
    };
  }
}

function tooMany(limit: string, setting: string): ProxyError {
  return new ProxyError(
    429,
    ProxyErrorCode.TOO_MANY_STREAMS,
    `Too many open streams: at most ${limit} per user; close one first (the operator sets ${setting})`,
    { 'Retry-After': '1' },
  );
}

function increment(counts: Map<string, number>, key: string, by: number): void {
  const next = (counts.get(key) ?? 0) + by;
  if (next <= 0) counts.delete(key);
  else counts.set(key, next);
}
