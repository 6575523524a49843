import { normalizeIp } from '@nestjs/throttler';
import type { Principal } from '../common/principal.js';
import type { AppConfig, GatewayRole } from '../config/app-config.js';
import { type BucketCheck, MINUTE_MS, SECOND_MS } from './rate-limit.types.js';
import { ownValue } from '../common/own-value.js';

/** The key prefix of a tenant's housekeeping bucket (its callers' own are `housekeeping:{tenant}:{oid}`). */
const TENANT_HOUSEKEEPING_PREFIX = 'housekeeping:tenant:';

/**
 * What the policy needs of a registered server: its id and its own limits per caller, per minute (all messages, and
 * `tools/call` by tool name). Structural, so throttling depends on no feature: the registry's servers fit it.
 */
export interface ServerWithLimits {
  id: string;
  rateLimits: { requestsPerMinute?: number; tools: Readonly<Record<string, number>> };
}

/** The burst bucket never allows fewer than this per second, so small tiers still tolerate a client's handshake. */
export const MIN_BURST_PER_SECOND = 5;

const TIER_ORDER: readonly GatewayRole[] = ['admin', 'server_owner', 'user'];

/** Which setting raises each tier's per-minute limit. */
const TIER_LIMIT: Readonly<Record<GatewayRole, string>> = {
  admin: "the caller's limit as an admin (MREG_RATE_LIMIT_ADMIN_PER_MINUTE)",
  server_owner: "the caller's limit as a server_owner (MREG_RATE_LIMIT_SERVER_OWNER_PER_MINUTE)",
  user: "the caller's limit as a user (MREG_FASTMCP_REQUESTS_PER_MINUTE)",
};

/** A principal's tier is its highest role; one with no role is treated as a user. */
export function tierOf(principal: Pick<Principal, 'roles'>): GatewayRole {
  return TIER_ORDER.find((role) => principal.roles.includes(role)) ?? 'user';
}

/** Requests per second allowed on top of the per-minute tier: ceil(tier / 60 × factor), at least 5; 0 turns it off. */
export function burstPerSecond(perMinute: number, factor: number): number | undefined {
  if (factor <= 0) return undefined;
  return Math.max(MIN_BURST_PER_SECOND, Math.ceil((perMinute / 60) * factor));
}

/** Tool names called by a request, with how often each is called (a batch may call one tool several times). */
export function countTools(names: readonly string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const name of names) counts.set(name, (counts.get(name) ?? 0) + 1);
  return counts;
}

/**
 * Which buckets a request must fit in. Pure: keys and limits only, no I/O. Keys are caller-scoped with the tenant id
 * and the principal's oid (the identity the gateway keys users by), or the normalized client IP for callers without a
 * token; counter keys never contain anything a caller chose except the names of tools that have a configured limit.
 */
export class RateLimitPolicy {
  constructor(private readonly limits: AppConfig['rateLimit']) {}

  /**
   * Every authenticated request: per second (burst), per caller by tier, per tenant, and the global ceiling. Of
   * `cost`, `housekeeping` messages (initialize, ping, the stream, DELETE) spend a bucket of their own instead of the
   * caller's and the tenant's budget for work.
   */
  forPrincipal(principal: Principal, cost = 1, housekeeping = 0): BucketCheck[] {
    const caller = `${principal.tenantId}:${principal.oid}`;
    const tier = tierOf(principal);
    const perMinute = this.limits.tiers[tier];
    const work = cost - housekeeping;
    const checks: BucketCheck[] = [];
    if (work > 0) {
      checks.push(
        ...this.perSecond(
          'burst',
          `burst:${caller}`,
          perMinute,
          work,
          "the caller's burst per second (MREG_RATE_LIMIT_BURST_FACTOR × the tier per minute / 60)",
        ),
        minute('principal', `principal:${caller}`, perMinute, work, TIER_LIMIT[tier]),
        minute(
          'tenant',
          `tenant:${principal.tenantId}`,
          this.tenantLimit(principal),
          work,
          principal.tenantRequestsPerMinute === undefined
            ? "the tenant's limit (MREG_RATE_LIMIT_TENANT_MULTIPLIER × the user tier; a platform administrator can set the tenant's own requestsPerMinute)"
            : "the tenant's own limit (its requestsPerMinute setting, set by a platform administrator)",
        ),
      );
    }
    if (housekeeping > 0) checks.push(...this.housekeeping(principal, caller, housekeeping));
    return [...checks, ...this.global(cost)];
  }

  /**
   * Housekeeping bounded on its own: per caller per minute, per caller per second (so one batch of pings or initializes
   * cannot be a flood), and per tenant, as much as the tenant's budget for work (sessions created tenant-wide).
   */
  private housekeeping(principal: Principal, caller: string, cost: number): BucketCheck[] {
    const perMinute = this.limits.housekeepingPerMinute;
    const setting = 'MREG_RATE_LIMIT_HOUSEKEEPING_PER_MINUTE';
    return [
      minute(
        'housekeeping',
        `housekeeping:${caller}`,
        perMinute,
        cost,
        `the caller's session housekeeping: initialize, ping, streams, DELETE (${setting})`,
      ),
      minute(
        'housekeeping',
        `${TENANT_HOUSEKEEPING_PREFIX}${principal.tenantId}`,
        this.tenantLimit(principal),
        cost,
        "the tenant's session housekeeping, all its callers together (as much as the tenant's limit)",
      ),
      ...this.perSecond(
        'housekeeping',
        `housekeeping:burst:${caller}`,
        perMinute,
        cost,
        `the caller's session housekeeping per second (${setting} / 60 × MREG_RATE_LIMIT_BURST_FACTOR)`,
      ),
    ];
  }

  /** Whether a check counts the caller's whole tenant (its request or housekeeping bucket), not the caller alone. */
  isTenantWide(check: BucketCheck): boolean {
    return check.bucket === 'tenant' || check.key.startsWith(TENANT_HOUSEKEEPING_PREFIX);
  }

  private tenantLimit(principal: Principal): number {
    return principal.tenantRequestsPerMinute ?? this.limits.requestsPerMinute * this.limits.tenantMultiplier;
  }

  /**
   * Public routes without a token, by client IP (IPv6 by /64, so one host cannot rotate addresses past it). No burst
   * bucket: that is per principal, and a client's login or discovery legitimately fires several requests at once.
   */
  forAnonymous(ip: string, cost = 1): BucketCheck[] {
    const client = `ip:${normalizeIp(ip)}`;
    return [
      minute(
        'anonymous',
        `anonymous:${client}`,
        this.limits.tiers.anonymous,
        cost,
        'requests without a token per client address (MREG_RATE_LIMIT_ANONYMOUS_PER_MINUTE)',
      ),
      ...this.global(cost),
    ];
  }

  /** OAuth endpoints, by client IP and with their own stricter limit (credential stuffing, registration spam). */
  forOAuth(ip: string): BucketCheck[] {
    const client = `ip:${normalizeIp(ip)}`;
    return [
      minute(
        'oauth',
        `oauth:${client}`,
        this.limits.oauthPerMinute,
        1,
        'OAuth requests per client address (MREG_RATE_LIMIT_OAUTH_PER_MINUTE)',
      ),
      ...this.global(1),
    ];
  }

  /** The gateway's own /mcp tools with a limit in MREG_RATE_LIMIT_TOOLS, per caller and tool. */
  forGatewayTools(principal: Principal, toolCalls: readonly string[]): BucketCheck[] {
    const checks: BucketCheck[] = [];
    for (const [tool, calls] of countTools(toolCalls)) {
      const limit = ownValue(this.limits.tools, tool);
      if (limit !== undefined) {
        checks.push(
          minute(
            'tool',
            `tool:gateway:${principal.tenantId}:${principal.oid}:${tool}`,
            limit,
            calls,
            `calls of ${tool} per user (MREG_RATE_LIMIT_TOOLS)`,
          ),
        );
      }
    }
    return checks;
  }

  /** A registered server's own limits (`rateLimits`), per caller: every message, and tools/call per tool. */
  forServer(
    principal: Principal,
    server: ServerWithLimits,
    cost: number,
    toolCalls: readonly string[],
  ): BucketCheck[] {
    const caller = `${principal.tenantId}:${principal.oid}`;
    const checks: BucketCheck[] = [];
    const { requestsPerMinute, tools } = server.rateLimits;
    if (requestsPerMinute !== undefined) {
      checks.push(
        minute(
          'server',
          `server:${server.id}:${caller}`,
          requestsPerMinute,
          cost,
          "messages to this server per user (the server's rateLimits.requestsPerMinute, set by its owner or an admin)",
        ),
      );
    }
    for (const [tool, calls] of countTools(toolCalls)) {
      const limit = ownValue(tools, tool);
      if (limit !== undefined)
        checks.push(
          minute(
            'tool',
            `tool:${server.id}:${caller}:${tool}`,
            limit,
            calls,
            `calls of ${tool} per user (the server's rateLimits.tools, set by its owner or an admin)`,
          ),
        );
    }
    return checks;
  }

  /** A per-second bucket derived from a per-minute one by the burst factor; none with factor 0. */
  private perSecond(
    bucket: BucketCheck['bucket'],
    key: string,
    perMinute: number,
    cost: number,
    describe: string,
  ): BucketCheck[] {
    const limit = burstPerSecond(perMinute, this.limits.burstFactor);
    return limit === undefined ? [] : [{ bucket, key, limit, windowMs: SECOND_MS, cost, describe }];
  }

  private global(cost: number): BucketCheck[] {
    const limit = this.limits.globalPerMinute;
    return limit > 0
      ? [
          minute(
            'global',
            'global',
            limit,
            cost,
            'the whole deployment, every caller together (MREG_RATE_LIMIT_GLOBAL_PER_MINUTE)',
          ),
        ]
      : [];
  }
}

function minute(
  bucket: BucketCheck['bucket'],
  key: string,
  limit: number,
  cost: number,
  describe: string,
): BucketCheck {
  return { bucket, key, limit, windowMs: MINUTE_MS, cost, describe };
}
