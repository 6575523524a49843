import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../../auth/principal.js';
import { RegistryCache } from '../../registry/registry-cache.js';
import { ProxyError, ProxyErrorCode } from '../proxy.errors.js';
import { StreamLimiter } from '../stream-limiter.js';
import { type CatalogFingerprints, FederatedCatalog } from './federated-catalog.js';

/** Below common proxy idle timeouts (60 s), so a quiet stream is not cut by a load balancer. */
const KEEP_ALIVE_MS = 25_000;

const NOTIFICATIONS: Record<keyof CatalogFingerprints, string> = {
  tools: 'notifications/tools/list_changed',
  prompts: 'notifications/prompts/list_changed',
  resources: 'notifications/resources/list_changed',
};

/**
 * The standalone `GET /federated/mcp` stream. The federated endpoint keeps no session, so this stream carries exactly
 * one kind of message: `notifications/{tools,prompts,resources}/list_changed` when a registry change (registration,
 * role rule, drift approval, maintenance, on any replica) changes what this caller sees. The registry cache wakes
 * it; a change that does not alter the caller's lists sends nothing.
 */
@Injectable()
export class ListChangedStreams {
  constructor(
    private readonly catalog: FederatedCatalog,
    private readonly registry: RegistryCache,
    private readonly streams: StreamLimiter,
  ) {}

  open(principal: Principal, req: Request, res: Response): void {
    if (!(req.get('accept') ?? '').includes('text/event-stream')) {
      throw new ProxyError(406, ProxyErrorCode.NOT_ACCEPTABLE, 'GET needs Accept: text/event-stream');
    }
    const release = this.streams.acquire(principal);
    let seen = this.catalog.fingerprints(principal);
    let pending = false;
    const unwatch = this.registry.watch(() => {
      // One registry reload can move the version several times; compare once after the burst.
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        const now = this.catalog.fingerprints(principal);
        for (const list of Object.keys(NOTIFICATIONS) as (keyof CatalogFingerprints)[]) {
          if (now[list] !== seen[list]) {
            res.write(
              `event: message\ndata: ${JSON.stringify({ jsonrpc: '2.0', method: NOTIFICATIONS[list] })}\n\n`,
            );
          }
        }
        seen = now;
      });
    });
    // Headers go out once the stream is watching: a client that has them cannot miss a change made afterwards.
    res.writeHead(200, {
      'Content-Type': 'text/event-stream',
      'Cache-Control': 'no-cache, no-transform',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), KEEP_ALIVE_MS);
    res.on('close', () => {
      unwatch();
      clearInterval(keepAlive);
      release();
    });
  }
}
