import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import type { SlotLimit } from '../common/slot-counts.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError } from './proxy.errors.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/**
 * The caps on the streamed responses one user holds open on this process: per server
 * (MREG_PROXY_MAX_STREAMS_PER_SERVER, what one client of one server plausibly needs) and across all servers
 * (MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL, a cap against abuse that an IDE with dozens of servers open stays far below).
 * Only the policy: the streams are counted where they are registered (`OpenStreams`), under the claim made here.
 */
@Injectable()
export class StreamLimits {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /**
   * The limits one stream of the principal to the server counts against (`OpenStreams.open`'s claim), and its
   * tenant's key, counted without a limit so the admins' usage view can say how many streams the tenant holds open.
   */
  claimFor(principal: Principal, serverId: string): readonly SlotLimit[] {
    const caller = `${principal.tenantId}/${principal.oid}`;
    const { maxStreamsPerPrincipal, maxStreamsPerServer } = this.config.proxy;
    return [
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
      // Only counted: the admins' usage view says how many streams the tenant holds open.
      { key: tenantStreamsKey(principal.tenantId) },
    ];
  }
}

/** The key a tenant's streams are counted under; no caller key has this form (theirs are `tenant/oid...`). */
export function tenantStreamsKey(tenantId: string): string {
  return `tenant:${tenantId}`;
}

function tooMany(limit: string, setting: string): ProxyError {
  return new ProxyError(
    429,
    ErrorCode.TOO_MANY_STREAMS,
    `Too many open streams: at most ${limit} per user; close one first (the operator sets ${setting})`,
    { 'Retry-After': '1' },
  );
}
