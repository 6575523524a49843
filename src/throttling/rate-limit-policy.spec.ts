import type { Principal } from '../common/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';
import { burstPerSecond, RateLimitPolicy, tierOf } from './rate-limit-policy.js';
import type { BucketCheck } from './rate-limit.types.js';

const limits = (overrides: Partial<AppConfig['rateLimit']> = {}): AppConfig['rateLimit'] => ({
  enabled: true,
  requestsPerMinute: 100,
  tiers: { admin: 1000, server_owner: 500, user: 100, anonymous: 20 },
  tenantMultiplier: 10,
  housekeepingPerMinute: 1200,
  globalPerMinute: 0,
  burstFactor: 10,
  oauthPerMinute: 30,
  tools: {},
  failClosed: false,
  redisKeyPrefix: 'test:',
  redisTimeoutMs: 250,
  ...overrides,
});

const principal = (overrides: Partial<Principal> = {}): Principal => ({
  tenantId: 'tenant-1',
  tenantKey: 'local:acme',
  oid: 'oid-1',
  sub: 'alice',
  roles: ['user'],
  scopes: [],
  tokenKind: 'local',
  superadmin: false,
  expiresAt: 0,
  ...overrides,
});

/** The checks without their human description (asserted on its own below). */
const plain = (checks: BucketCheck[]) => checks.map(({ describe: _, ...check }) => check);
const byBucket = (checks: BucketCheck[]) =>
  Object.fromEntries(plain(checks).map((check) => [check.bucket, check]));

describe('tierOf', () => {
  it.each([
    [['admin', 'server_owner', 'user'], 'admin'],
    [['server_owner', 'user'], 'server_owner'],
    [['user'], 'user'],
    [[], 'user'],
  ] as const)('puts roles %j in the %s tier', (roles, tier) => {
    expect(tierOf({ roles })).toBe(tier);
  });
});

describe('burstPerSecond', () => {
  it.each([
    [100, 10, 17],
    [1000, 10, 167],
    [500, 10, 84],
    [20, 10, 5],
    [3, 10, 5],
    [6000, 1, 100],
  ])('allows ceil(%i/60 × %i), at least 5: %i', (perMinute, factor, expected) => {
    expect(burstPerSecond(perMinute, factor)).toBe(expected);
  });

  it('is off with factor 0', () => {
    expect(burstPerSecond(100, 0)).toBeUndefined();
  });
});

describe('RateLimitPolicy', () => {
  it('checks a caller by its highest role, its tenant (user tier × multiplier) and its burst', () => {
    const sut = new RateLimitPolicy(limits());
    const checks = byBucket(sut.forPrincipal(principal({ roles: ['admin', 'server_owner', 'user'] })));
    expect(checks).toEqual({
      burst: { bucket: 'burst', key: 'burst:tenant-1:oid-1', limit: 167, windowMs: 1000, cost: 1 },
      principal: {
        bucket: 'principal',
        key: 'principal:tenant-1:oid-1',
        limit: 1000,
        windowMs: 60000,
        cost: 1,
      },
      tenant: { bucket: 'tenant', key: 'tenant:tenant-1', limit: 1000, windowMs: 60000, cost: 1 },
    });
  });

  it('adds the global ceiling only when set, and drops the burst bucket with factor 0', () => {
    const sut = new RateLimitPolicy(limits({ globalPerMinute: 5000, burstFactor: 0 }));
    expect(sut.forPrincipal(principal(), 3).map((check) => [check.bucket, check.limit, check.cost])).toEqual([
      ['principal', 100, 3],
      ['tenant', 1000, 3],
      ['global', 5000, 3],
    ]);
  });

  it('keys anonymous and OAuth callers by client IP, IPv6 by its /64', () => {
    const sut = new RateLimitPolicy(limits());
    expect(byBucket(sut.forAnonymous('2001:db8:1:2:aaaa::1')).anonymous).toMatchObject({
      key: 'anonymous:ip:2001:db8:1:2::/64',
      limit: 20,
    });
    expect(sut.forAnonymous('2001:db8:1:2:bbbb::9')[0].key).toBe(sut.forAnonymous('2001:db8:1:2::1')[0].key);
    expect(plain(sut.forOAuth('10.1.2.3'))).toEqual([
      { bucket: 'oauth', key: 'oauth:ip:10.1.2.3', limit: 30, windowMs: 60000, cost: 1 },
    ]);
  });

  it('limits the gateway tools configured in MREG_RATE_LIMIT_TOOLS, per caller, counting repeated calls', () => {
    const sut = new RateLimitPolicy(limits({ tools: { proxy_request: 60 } }));
    expect(plain(sut.forGatewayTools(principal(), ['proxy_request', 'whoami', 'proxy_request']))).toEqual([
      {
        bucket: 'tool',
        key: 'tool:gateway:tenant-1:oid-1:proxy_request',
        limit: 60,
        windowMs: 60000,
        cost: 2,
      },
    ]);
  });

  it("applies a server's own limits per caller: every message, and tools/call per tool", () => {
    const sut = new RateLimitPolicy(limits());
    const server = { id: 'srv', rateLimits: { requestsPerMinute: 600, tools: { create_issue: 10 } } };
    expect(plain(sut.forServer(principal(), server, 3, ['create_issue', 'list_issues']))).toEqual([
      { bucket: 'server', key: 'server:srv:tenant-1:oid-1', limit: 600, windowMs: 60000, cost: 3 },
      { bucket: 'tool', key: 'tool:srv:tenant-1:oid-1:create_issue', limit: 10, windowMs: 60000, cost: 1 },
    ]);
    expect(sut.forServer(principal(), { id: 'srv', rateLimits: { tools: {} } }, 3, ['x'])).toEqual([]);
  });

  it('never takes a limit from Object.prototype for a tool named like one of its members', () => {
    const sut = new RateLimitPolicy(limits({ tools: { proxy_request: 60 } }));
    const names = ['constructor', '__proto__', 'toString'];
    expect(sut.forGatewayTools(principal(), names)).toEqual([]);
    expect(sut.forServer(principal(), { id: 'srv', rateLimits: { tools: {} } }, 1, names)).toEqual([]);
  });

  it('spends housekeeping (initialize, ping, streams, DELETE) from its own bucket, not the budget for work', () => {
    const sut = new RateLimitPolicy(limits({ globalPerMinute: 5000 }));
    const onlyHousekeeping = sut.forPrincipal(principal(), 2, 2);
    expect(onlyHousekeeping.map((check) => [check.key, check.limit, check.windowMs, check.cost])).toEqual([
      ['housekeeping:tenant-1:oid-1', 1200, 60000, 2],
      ['housekeeping:tenant:tenant-1', 1000, 60000, 2],
      ['housekeeping:burst:tenant-1:oid-1', 200, 1000, 2],
      ['global', 5000, 60000, 2],
    ]);
    const mixed = byBucket(sut.forPrincipal(principal(), 3, 1));
    expect(mixed.principal.cost).toBe(2);
    expect(mixed.tenant.cost).toBe(2);
    expect(mixed.burst.cost).toBe(2);
    expect(
      sut.forPrincipal(principal(), 3, 1).filter((check) => check.bucket === 'housekeeping'),
    ).toHaveLength(3);
    expect(mixed.global.cost).toBe(3);
  });

  it("uses a tenant's own requestsPerMinute over the multiplier", () => {
    const sut = new RateLimitPolicy(limits());
    expect(byBucket(sut.forPrincipal(principal({ tenantRequestsPerMinute: 250_000 }))).tenant.limit).toBe(
      250_000,
    );
  });

  it('by default lets a tenant of 500 users at the user tier through, and says how to raise each limit', () => {
    const { config } = loadConfig({}, { dotenvDir: false });
    const sut = new RateLimitPolicy(config.rateLimit);
    const checks = sut.forPrincipal(principal());
    expect(byBucket(checks).tenant.limit).toBeGreaterThanOrEqual(500 * config.rateLimit.tiers.user);
    const describe = Object.fromEntries(checks.map((check) => [check.bucket, check.describe]));
    expect(describe.principal).toContain('MREG_FASTMCP_REQUESTS_PER_MINUTE');
    expect(describe.tenant).toContain('MREG_RATE_LIMIT_TENANT_MULTIPLIER');
    expect(describe.burst).toContain('MREG_RATE_LIMIT_BURST_FACTOR');
    expect(sut.forPrincipal(principal(), 1, 1)[0].describe).toContain(
      'MREG_RATE_LIMIT_HOUSEKEEPING_PER_MINUTE',
    );
  });
});
