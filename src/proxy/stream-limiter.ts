import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../auth/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { ProxyError, ProxyErrorCode } from './proxy.errors.js';

/** Caps the streamed responses one user holds open at once on this process (MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL). */
@Injectable()
export class StreamLimiter {
  private readonly open = new Map<string, number>();
  /** Streams open on this process, all users together (a metric). */
  total = 0;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  /** Counts one stream for the principal; the returned function releases it (once). */
  acquire(principal: Principal): () => void {
    const key = `${principal.tenantId}/${principal.oid}`;
    const count = this.open.get(key) ?? 0;
    if (count >= this.config.proxy.maxStreamsPerPrincipal) {
      throw new ProxyError(429, ProxyErrorCode.TOO_MANY_STREAMS, 'Too many open streams; close one first', {
        'Retry-After': '1',
      });
    }
    this.open.set(key, count + 1);
    this.total += 1;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total -= 1;
      const left = (this.open.get(key) ?? 1) - 1;
      if (left <= 0) this.open.delete(key);
      else this.open.set(key, left);
    };
  }
}
