import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Logger } from '@nestjs/common';
import { Redis } from 'ioredis';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { RedisRateLimitStore } from '../../src/throttling/stores/redis-rate-limit.store.js';
import { json } from '../support/http.js';
import { call, localToken } from '../support/gateway.js';
import { startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { StalledRedis } from '../support/stalled-redis.js';

const REDIS_URL = process.env.MREG_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** A key prefix of this run only, so parallel runs and other specs on the same Redis never share counters. */
const runPrefix = () => `mreg-test:${process.pid}:${randomBytes(4).toString('hex')}:`;

/** A port nothing listens on (taken from the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const PUBLIC_URL = 'http://gateway.test';

const hit = (key: string, limit: number, cost = 1) => ({ key, limit, cost, windowMs: 60_000 });

describe('Redis rate-limit store (integration, real Redis)', () => {
  const prefix = runPrefix();
  const stores: RedisRateLimitStore[] = [];
  let admin: Redis;

  // Outside an app the store would log through Nest's default console logger.
  beforeAll(() => {
    Logger.overrideLogger(false);
    admin = new Redis(REDIS_URL);
  });

  async function openStore(): Promise<RedisRateLimitStore> {
    const store = new RedisRateLimitStore({ url: REDIS_URL, keyPrefix: prefix, commandTimeoutMs: 1_000 });
    await store.onModuleInit();
    stores.push(store);
    return store;
  }

  afterAll(async () => {
    for (const store of stores) store.onApplicationShutdown();
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  it("peeks at another replica's counters without counting, in one round trip", async () => {
    const [one, two] = [await openStore(), await openStore()];
    await one.hitAll([hit('peeked', 10, 3)]);
    const peek = [
      { key: 'peeked', windowMs: 60_000 },
      { key: 'never-hit', windowMs: 1_000 },
    ];
    const [counted, empty] = await two.peekAll(peek);
    expect(counted.count).toBe(3);
    expect(counted.resetMs).toBeGreaterThan(50_000);
    expect(counted.resetMs).toBeLessThanOrEqual(60_000);
    expect(empty).toEqual({ count: 0, resetMs: 1_000 });
    expect((await two.peekAll(peek))[0].count).toBe(3);
    expect(await admin.exists(`${prefix}never-hit`)).toBe(0);
  });

  it('admits exactly the limit under concurrent hits from two connections (atomic script)', async () => {
    const [one, two] = [await openStore(), await openStore()];
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? one : two).hitAll([hit('concurrent', 50)])),
    );
    expect(results.filter((result) => result.admitted)).toHaveLength(50);
    expect(await admin.get(`${prefix}concurrent`)).toBe('50');
    const ttl = await admin.pttl(`${prefix}concurrent`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(60_000);
  });

  it('is all or nothing over several counters, and charges a batch its whole cost', async () => {
    const store = await openStore();
    expect((await store.hitAll([hit('tool', 1)])).admitted).toBe(true);
    const refused = await store.hitAll([hit('user', 10, 3), hit('tool', 1)]);
    expect(refused).toMatchObject({ admitted: false, states: [{ count: 0 }, { count: 1 }] });
    expect(await admin.exists(`${prefix}user`)).toBe(0);
    expect(await store.hitAll([hit('user', 10, 3)])).toMatchObject({
      admitted: true,
      states: [{ count: 3 }],
    });
    expect((await store.hitAll([hit('user', 10, 8)])).admitted).toBe(false);
  });

  it("answers @nestjs/throttler's increment like the memory store", async () => {
    const store = await openStore();
    expect(await store.increment('single', 60_000, 1, 0, 'default')).toEqual({
      totalHits: 1,
      timeToExpire: 60,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
    expect(await store.increment('single', 60_000, 1, 0, 'default')).toMatchObject({
      totalHits: 2,
      isBlocked: true,
    });
  });
});

describe('rate limits shared through Redis (integration, two gateways)', () => {
  const prefix = runPrefix();
  const gateways: GatewayApp[] = [];
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    const admin = new Redis(REDIS_URL);
    const keys = await admin.keys(`${prefix}*`);
    if (keys.length > 0) await admin.del(...keys);
    await admin.quit();
  });

  async function start(overrides: Record<string, string> = {}): Promise<GatewayApp> {
    const gateway = await startRegistryGateway({
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '4',
      MREG_RATE_LIMIT_REDIS_PREFIX: prefix,
      MREG_REDIS_URL: REDIS_URL,
      // One public URL, as replicas behind a load balancer have: a token for it is valid on either.
      MREG_PUBLIC_URL: PUBLIC_URL,
      ...overrides,
    });
    gateways.push(gateway);
    return gateway;
  }

  it("counts a caller's requests on every replica together", async () => {
    const [a, b] = [await start(), await start()];
    const tenant = uniqueTenant();
    // Both replicas share the run's database and data directory, so one signing key and one tenant table.
    const token = await localToken(a, { tenant, user: 'ursula', resource: PUBLIC_URL });
    const statuses: number[] = [];
    for (const gateway of [a, b, a, b, a, b])
      statuses.push((await call(gateway, '/oauth/userinfo', token)).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429, 429]);
    const refused = await call(b, '/oauth/userinfo', token);
    expect((await json(refused)).details).toMatchObject({ bucket: 'principal', limit: 4 });
  });
});

describe('Redis outage (integration)', () => {
  const gateways: GatewayApp[] = [];
  let stalled: StalledRedis;
  beforeAll(async () => {
    stalled = await new StalledRedis().start();
  });
  afterAll(async () => {
    await Promise.all(gateways.map((gateway) => gateway.stop()));
    await stalled.stop();
  });

  async function start(redisUrl: string, failClosed: boolean): Promise<GatewayApp> {
    const gateway = await startRegistryGateway({
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '2',
      MREG_REDIS_URL: redisUrl,
      MREG_RATE_LIMIT_FAIL_CLOSED: String(failClosed),
      MREG_RATE_LIMIT_REDIS_TIMEOUT_MS: '100',
      // Proxy session idle tracking is the other Redis client; off, so only the rate-limit store meets the outage
      // (its client, as of this writing, keeps reconnecting to an unreachable Redis after shutdown).
      MREG_PROXY_SESSION_IDLE_MS: '0',
    });
    gateways.push(gateway);
    return gateway;
  }

  it('fails open by default when nothing listens: requests go through, counted as store errors', async () => {
    const gateway = await start(`redis://127.0.0.1:${await closedPort()}`, false);
    const token = await localToken(gateway, { tenant: uniqueTenant() });
    for (let i = 0; i < 4; i++) expect((await call(gateway, '/oauth/userinfo', token)).status).toBe(200);
    const metrics = await (await call(gateway, '/metrics')).text();
    expect(metrics).toMatch(/mcp_gateway_rate_limit_store_errors_total\{outcome="allowed"\} [4-9]/);
  });

  it('never waits on a Redis that accepts connections but does not answer', async () => {
    const gateway = await start(stalled.url, false);
    const token = await localToken(gateway, { tenant: uniqueTenant() });
    for (let i = 0; i < 3; i++) expect((await call(gateway, '/oauth/userinfo', token)).status).toBe(200);
    expect(stalled.stalledCalls).toBeGreaterThanOrEqual(3);
  });

  it('fails closed when configured: 503 RATE_LIMIT_UNAVAILABLE on REST and as JSON-RPC on /mcp; probes still answer', async () => {
    const gateway = await start(`redis://127.0.0.1:${await closedPort()}`, true);
    const token = await localToken(gateway, { tenant: uniqueTenant() });
    const refused = await call(gateway, '/oauth/userinfo', token);
    expect(refused.status).toBe(503);
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await json(refused)).toMatchObject({ statusCode: 503, code: 'RATE_LIMIT_UNAVAILABLE' });

    const mcp = await call(gateway, '/mcp', token, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }),
    });
    expect(mcp.status).toBe(503);
    expect(await json(mcp)).toMatchObject({
      jsonrpc: '2.0',
      id: 9,
      error: { data: { code: 'RATE_LIMIT_UNAVAILABLE', statusCode: 503 } },
    });
    expect((await call(gateway, '/health')).status).toBe(200);
  });
});
