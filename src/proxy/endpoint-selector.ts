import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import type { LbStrategy, RegisteredServer, ServerEndpoint } from '../registry/index.js';
import { breakerKey, UpstreamBreakers } from './breakers.js';
import { ProxyError } from './proxy.errors.js';
import { createSelectionPolicy, type SelectionPolicy } from './selection.js';
import type { ProxySession } from './session-token.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/**
 * Chooses the upstream endpoint of a request: the one that created the session, or one picked by the server's
 * strategy among endpoints whose breaker is not open (all of them if every breaker is open, so the breaker answers).
 */
@Injectable()
export class EndpointSelector {
  private readonly policies = new Map<string, { strategy: LbStrategy; policy: SelectionPolicy }>();
  private readonly active = new Map<string, number>();

  constructor(private readonly breakers: UpstreamBreakers) {}

  endpointFor(
    server: RegisteredServer,
    session: ProxySession | undefined,
    principal: Principal,
  ): ServerEndpoint {
    if (session) {
      const sticky = server.endpoints.find((endpoint) => endpoint.url === session.endpointUrl);
      if (!sticky) {
        throw new ProxyError(
          404,
          ErrorCode.SESSION_NOT_FOUND,
          'The session endpoint is gone; initialize again',
        );
      }
      return sticky;
    }
    return this.pick(server, `${principal.tenantId}/${principal.oid}`);
  }

  /** Another endpoint than `failed` for a retry, when the server has one. */
  alternative(server: RegisteredServer, failed: ServerEndpoint, principal: Principal): ServerEndpoint {
    const others = server.endpoints.filter((endpoint) => endpoint.url !== failed.url);
    return others.length > 0
      ? this.pick({ ...server, endpoints: others }, `${principal.tenantId}/${principal.oid}`)
      : failed;
  }

  started(url: string): () => void {
    this.active.set(url, (this.active.get(url) ?? 0) + 1);
    return () => this.active.set(url, Math.max(0, (this.active.get(url) ?? 1) - 1));
  }

  /** Forgets balancing state of servers and endpoints no longer in the registry; in-flight counts are kept. */
  retainOnly(serverIds: ReadonlySet<string>, urls: ReadonlySet<string>): void {
    for (const id of this.policies.keys()) if (!serverIds.has(id)) this.policies.delete(id);
    for (const [url, count] of this.active) if (!urls.has(url) && count === 0) this.active.delete(url);
  }

  private pick(server: RegisteredServer, affinityKey: string): ServerEndpoint {
    const usable = server.endpoints.filter(
      (endpoint) =>
        !this.breakers.isOpen(breakerKey(server.id, endpoint.url)) &&
        !server.downEndpoints.includes(endpoint.url),
    );
    const candidates = usable.length > 0 ? usable : server.endpoints;
    if (candidates.length === 1) return candidates[0];
    return this.policyFor(server).select(candidates, {
      affinityKey,
      active: (url) => this.active.get(url) ?? 0,
    });
  }

  private policyFor(server: RegisteredServer): SelectionPolicy {
    const known = this.policies.get(server.id);
    if (known && known.strategy === server.lbStrategy) return known.policy;
    const policy = createSelectionPolicy(server.lbStrategy);
    this.policies.set(server.id, { strategy: server.lbStrategy, policy });
    return policy;
  }
}
