import { Inject, Injectable } from '@nestjs/common';
import type { GatewayRole, Principal } from '../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { burstPerSecond, RateLimitPolicy, type ServerWithLimits, tierOf } from './rate-limit-policy.js';
import { RateLimiter } from './rate-limiter.service.js';
import type { BucketCheck, BucketName, BucketState } from './rate-limit.types.js';

/** One bucket as the admins' usage view shows it: its limit, its window and how much of the current one is used. */
export interface BucketUsage {
  readonly bucket: BucketName;
  readonly limit: number;
  readonly windowSeconds: number;
  /** Counted in the current window; null when the counter store could not be read. */
  readonly used: number | null;
  /** When the current window ends (a whole window when nothing is counted yet); null when unread. */
  readonly resetsInSeconds: number | null;
  /** What the limit is and which setting raises it, as a 429 says it. */
  readonly describe: string;
}

export interface ToolUsage extends BucketUsage {
  readonly tool: string;
}

/** A server of the caller's tenant with limits of its own (`rateLimits`), and the caller's use of them. */
export interface ServerUsage {
  readonly serverId: string;
  readonly name: string;
  readonly requests: BucketUsage | null;
  readonly tools: readonly ToolUsage[];
}

export interface TierLimit {
  readonly tier: GatewayRole | 'anonymous';
  readonly perMinute: number;
  /** The burst bucket derived from it; null for anonymous callers (no burst bucket) or with the factor 0. */
  readonly burstPerSecond: number | null;
}

export interface RateLimitUsageView {
  readonly enabled: boolean;
  readonly store: 'memory' | 'redis';
  /**
   * Whose requests the counters hold: `deployment` with Redis (every replica counts in it), `replica` in memory (the
   * process that answered only; another replica has counters of its own).
   */
  readonly countersScope: 'deployment' | 'replica';
  /** False when the store could not be read: limits are shown, usage is null. */
  readonly countersAvailable: boolean;
  readonly tiers: readonly TierLimit[];
  readonly settings: {
    readonly burstFactor: number;
    readonly tenantMultiplier: number;
    readonly housekeepingPerMinute: number;
    readonly oauthPerMinute: number;
    readonly globalPerMinute: number;
    readonly failClosed: boolean;
  };
  /** The caller's own buckets (per user counters are read by key; the store is never listed). */
  readonly caller: { readonly tier: GatewayRole; readonly buckets: readonly BucketUsage[] };
  /** The caller's tenant, all its users together. */
  readonly tenant: { readonly tenantId: string; readonly buckets: readonly BucketUsage[] };
  readonly global: BucketUsage | null;
  /** MREG_RATE_LIMIT_TOOLS: the gateway's own tools with a per-user limit, and the caller's use of each. */
  readonly gatewayTools: readonly ToolUsage[];
  readonly servers: readonly ServerUsage[];
}

export type NamedServerWithLimits = ServerWithLimits & { readonly name: string };

const TIERS: readonly (GatewayRole | 'anonymous')[] = ['admin', 'server_owner', 'user', 'anonymous'];

/**
 * What the rate limits allow and how much of them is used, for the caller's tenant: every limit, and the counters that
 * can be read by key (the caller's, the tenant's, the deployment's, the caller's per tool and server). Other users'
 * counters are not listed: that would mean scanning the store (SCAN over every key in Redis), which a page view must
 * not cost. All counters are read in one store round trip, and reading counts nothing.
 */
@Injectable()
export class RateLimitUsage {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly policy: RateLimitPolicy,
    private readonly limiter: RateLimiter,
  ) {}

  async of(principal: Principal, servers: readonly NamedServerWithLimits[]): Promise<RateLimitUsageView> {
    const limits = this.config.rateLimit;
    const work = this.policy.forPrincipal(principal, 1);
    const housekeeping = this.policy
      .forPrincipal(principal, 1, 1)
      .filter((check) => check.bucket === 'housekeeping');
    // One check per limited tool, in the order of the names given (every name here has a limit).
    const gatewayTools = Object.keys(limits.tools);
    const tools = this.policy
      .forGatewayTools(principal, gatewayTools)
      .map((check, i) => ({ tool: gatewayTools[i], check }));
    const serverChecks = servers.map((server) => {
      const limitedTools = Object.keys(server.rateLimits.tools);
      const checks = this.policy.forServer(principal, server, 0, limitedTools);
      return {
        server,
        requests: checks.find((check) => check.bucket === 'server'),
        tools: checks
          .filter((check) => check.bucket === 'tool')
          .map((check, i) => ({ tool: limitedTools[i], check })),
      };
    });

    const all = [
      ...work,
      ...housekeeping,
      ...tools.map((t) => t.check),
      ...serverChecks.flatMap((s) => [...(s.requests ? [s.requests] : []), ...s.tools.map((t) => t.check)]),
    ];
    const states = await this.limiter.peek(all);
    const byCheck = new Map<BucketCheck, BucketState>(states?.map((state) => [state.check, state]) ?? []);
    const usage = (check: BucketCheck): BucketUsage => usageOf(check, byCheck.get(check));
    const isTenants = (check: BucketCheck) => this.policy.isTenantWide(check);

    const global = work.find((check) => check.bucket === 'global');
    return {
      enabled: limits.enabled,
      store: this.limiter.storeKind,
      countersScope: this.limiter.storeKind === 'redis' ? 'deployment' : 'replica',
      countersAvailable: states !== undefined,
      tiers: TIERS.map((tier) => ({
        tier,
        perMinute: limits.tiers[tier],
        burstPerSecond:
          tier === 'anonymous' ? null : (burstPerSecond(limits.tiers[tier], limits.burstFactor) ?? null),
      })),
      settings: {
        burstFactor: limits.burstFactor,
        tenantMultiplier: limits.tenantMultiplier,
        housekeepingPerMinute: limits.housekeepingPerMinute,
        oauthPerMinute: limits.oauthPerMinute,
        globalPerMinute: limits.globalPerMinute,
        failClosed: limits.failClosed,
      },
      caller: {
        tier: tierOf(principal),
        buckets: [...work, ...housekeeping]
          .filter((check) => check.bucket !== 'global' && !isTenants(check))
          .map(usage),
      },
      tenant: {
        tenantId: principal.tenantId,
        buckets: [...work, ...housekeeping].filter(isTenants).map(usage),
      },
      global: global ? usage(global) : null,
      gatewayTools: tools.map(({ tool, check }) => ({ tool, ...usage(check) })),
      servers: serverChecks.map(({ server, requests, tools: serverTools }) => ({
        serverId: server.id,
        name: server.name,
        requests: requests ? usage(requests) : null,
        tools: serverTools.map(({ tool, check }) => ({ tool, ...usage(check) })),
      })),
    };
  }
}

function usageOf(check: BucketCheck, state: BucketState | undefined): BucketUsage {
  return {
    bucket: check.bucket,
    limit: check.limit,
    windowSeconds: check.windowMs / 1000,
    used: state ? state.count : null,
    resetsInSeconds: state ? Math.ceil(state.resetMs / 1000) : null,
    describe: check.describe,
  };
}
