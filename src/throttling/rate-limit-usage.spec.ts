import type { Principal } from '../common/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { loadConfig } from '../config/load-config.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RateLimitPolicy } from './rate-limit-policy.js';
import { RateLimitUsage } from './rate-limit-usage.js';
import { RateLimiter } from './rate-limiter.service.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';

const alice = {
  tenantId: 't1',
  oid: 'alice',
  roles: ['admin', 'server_owner', 'user'],
} as unknown as Principal;
const server = {
  id: 's1',
  name: 'search',
  rateLimits: { requestsPerMinute: 30, tools: { query: 5, export: 2 } },
};

function usageWith(env: Record<string, string>, store = new MemoryRateLimitStore()) {
  const config: AppConfig = loadConfig(
    { MREG_DATA_DIR: '/tmp/mreg-usage-spec', ...env },
    { dotenvDir: false },
  ).config;
  const policy = new RateLimitPolicy(config.rateLimit);
  const limiter = new RateLimiter(store, config, new MetricsService());
  return { sut: new RateLimitUsage(config, policy, limiter), policy, limiter, store };
}

describe('RateLimitUsage', () => {
  it("shows every tier's limit and the caller's, tenant's, tool's and server's counters as they stand", async () => {
    const { sut, policy, limiter, store } = usageWith({
      MREG_RATE_LIMIT_ADMIN_PER_MINUTE: '900',
      MREG_RATE_LIMIT_TOOLS: 'whoami=3',
    });
    await limiter.consume(
      [...policy.forPrincipal(alice, 2), ...policy.forGatewayTools(alice, ['whoami'])],
      'mcp',
    );
    await limiter.consume(policy.forServer(alice, server, 1, ['query']), 'proxy');

    const view = await sut.of(alice, [server]);

    expect(view).toMatchObject({ store: 'memory', countersScope: 'replica', countersAvailable: true });
    expect(view.tiers.find((tier) => tier.tier === 'admin')).toMatchObject({ perMinute: 900 });
    expect(view.caller.tier).toBe('admin');
    expect(view.caller.buckets.find((b) => b.bucket === 'principal')).toMatchObject({ limit: 900, used: 2 });
    expect(view.tenant.buckets.find((b) => b.bucket === 'tenant')).toMatchObject({ used: 2 });
    // Each bucket under whom it counts: the tenant's request and housekeeping buckets apart from the caller's own.
    expect(view.tenant.buckets.map((b) => b.bucket)).toEqual(['tenant', 'housekeeping']);
    expect(view.caller.buckets.map((b) => b.bucket).sort()).toEqual(
      ['burst', 'housekeeping', 'housekeeping', 'principal'].sort(),
    );
    expect(view.gatewayTools).toEqual([expect.objectContaining({ tool: 'whoami', limit: 3, used: 1 })]);
    expect(view.servers).toEqual([
      {
        serverId: 's1',
        name: 'search',
        requests: expect.objectContaining({ bucket: 'server', limit: 30, used: 1 }),
        tools: [
          expect.objectContaining({ tool: 'query', limit: 5, used: 1 }),
          expect.objectContaining({ tool: 'export', limit: 2, used: 0 }),
        ],
      },
    ]);
    // Reading counted nothing.
    expect((await sut.of(alice, [server])).caller.buckets).toEqual(view.caller.buckets);
    store.onApplicationShutdown();
  });

  it('shows the limits with null use when the store cannot be read', async () => {
    const store = new MemoryRateLimitStore();
    store.peekAll = () => Promise.reject(new Error('down'));
    const { sut } = usageWith({}, store);
    const view = await sut.of(alice, []);
    expect(view.countersAvailable).toBe(false);
    expect(view.caller.buckets.every((bucket) => bucket.used === null && bucket.limit > 0)).toBe(true);
    store.onApplicationShutdown();
  });
});
