import { Inject, Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { readsGatewayWide } from '../config/gateway-wide-access.js';
import { OpenStreams } from '../observability/open-streams.js';
import { RegistryCache } from '../registry/index.js';
import { type NamedServerWithLimits, RateLimitUsage, type RateLimitUsageView } from '../throttling/index.js';
import { ACTIVE_SESSION_WINDOW_MS } from './proxy-metrics.js';
import { SessionActivity } from './session-activity.js';
import { tenantStreamsKey } from './stream-limits.js';

/** `GET /api/v1/admin/usage`: the rate limits and their use, and the proxy's open streams and sessions. */
export interface UsageView {
  rateLimits: RateLimitUsageView;
  /** Streamed responses and listening streams open on the replica that answered (each replica has its own). */
  streams: {
    scope: 'replica';
    /** The caller's tenant's. */
    tenant: number;
    /** Every tenant's; null for a tenant's admin in a multi-tenant platform (MREG_SUPERADMIN_TENANTS). */
    allTenants: number | null;
    maxPerUser: number;
    maxPerUserPerServer: number;
  };
  /** Proxy sessions that made a request through this replica recently (the mcp_gateway_proxy_sessions_active gauge). */
  sessions: {
    scope: 'replica';
    windowSeconds: number;
    /** Every tenant's (sessions are not counted by tenant); null where `streams.allTenants` is. */
    active: number | null;
    idleTimeoutSeconds: number;
  };
  generatedAt: string;
}

/**
 * What the admins' Usage page shows, for the caller's tenant. Rate-limit counters come from the shared store when
 * there is one (Redis); streams and sessions are registers of this process, so they describe the replica that
 * answered, like the Overview's router metrics. Prometheus stays the fleet-wide view.
 */
@Injectable()
export class UsageService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly rateLimits: RateLimitUsage,
    private readonly registry: RegistryCache,
    private readonly streams: OpenStreams,
    private readonly sessions: SessionActivity,
  ) {}

  async of(principal: Principal): Promise<UsageView> {
    const gatewayWide = readsGatewayWide(this.config, principal);
    const { proxy } = this.config;
    return {
      rateLimits: await this.rateLimits.of(principal, this.serversWithLimits(principal.tenantId)),
      streams: {
        scope: 'replica',
        tenant: this.streams.countOf(tenantStreamsKey(principal.tenantId)),
        allTenants: gatewayWide ? this.streams.claimed : null,
        maxPerUser: proxy.maxStreamsPerPrincipal,
        maxPerUserPerServer: proxy.maxStreamsPerServer,
      },
      sessions: {
        scope: 'replica',
        windowSeconds: ACTIVE_SESSION_WINDOW_MS / 1000,
        active: gatewayWide ? this.sessions.activeWithin(ACTIVE_SESSION_WINDOW_MS) : null,
        idleTimeoutSeconds: proxy.sessionIdleMs / 1000,
      },
      generatedAt: new Date().toISOString(),
    };
  }

  /** The tenant's servers that set limits of their own, by name. */
  private serversWithLimits(tenantId: string): NamedServerWithLimits[] {
    return [...this.registry.all()]
      .filter(
        (server) =>
          server.tenantId === tenantId &&
          (server.rateLimits.requestsPerMinute !== undefined ||
            Object.keys(server.rateLimits.tools).length > 0),
      )
      .sort((a, b) => a.name.localeCompare(b.name));
  }
}
