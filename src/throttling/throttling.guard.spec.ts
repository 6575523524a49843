import type { ExecutionContext } from '@nestjs/common';
import { Controller, Get } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { SkipThrottle } from '@nestjs/throttler';
import type { Principal } from '../common/principal.js';
import type { AppConfig } from '../config/app-config.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { JsonRpcException } from '../common/errors/json-rpc.exception.js';
import { MetricsService } from '../observability/metrics.service.js';
import { RateLimitPolicy } from './rate-limit-policy.js';
import { ThrottleAs } from '../common/decorators/rate-limit.decorators.js';
import { RateLimiter } from './rate-limiter.service.js';
import { MemoryRateLimitStore } from './stores/memory-rate-limit.store.js';
import { GatewayThrottlerGuard } from './throttling.guard.js';

@Controller()
class Routes {
  @Get() rest(): void {}
  @ThrottleAs('oauth') @Get() oauth(): void {}
  @ThrottleAs('jsonrpc') @Get() mcp(): void {}
  @ThrottleAs('in-handler') @Get() proxy(): void {}
  @SkipThrottle() @Get() health(): void {}
}

const rateLimit: AppConfig['rateLimit'] = {
  enabled: true,
  requestsPerMinute: 2,
  tiers: { admin: 20, server_owner: 10, user: 2, anonymous: 1 },
  tenantMultiplier: 10,
  housekeepingPerMinute: 1200,
  globalPerMinute: 0,
  burstFactor: 10,
  oauthPerMinute: 1,
  tools: { whoami: 1 },
  failClosed: false,
  redisKeyPrefix: '',
  redisTimeoutMs: 250,
};

const OPTIONS = { throttlers: [{ name: 'default', ttl: 60_000, limit: 2 }] };

const alice = { tenantId: 't1', oid: 'alice', roles: ['user'] } as unknown as Principal;

interface FakeRequest {
  method: string;
  ip: string;
  body?: unknown;
  principal?: Principal;
  headers: Record<string, string>;
}

function contextFor(
  handler: keyof Routes,
  req: FakeRequest,
  headers: Record<string, string> = {},
): ExecutionContext {
  const res = { headersSent: false, set: (values: Record<string, string>) => Object.assign(headers, values) };
  return {
    getType: () => 'http',
    getClass: () => Routes,
    getHandler: () => Routes.prototype[handler],
    switchToHttp: () => ({ getRequest: () => req, getResponse: () => res }),
  } as unknown as ExecutionContext;
}

describe('GatewayThrottlerGuard', () => {
  let store: MemoryRateLimitStore;
  let sut: GatewayThrottlerGuard;

  beforeEach(async () => {
    store = new MemoryRateLimitStore();
    const config = { rateLimit } as AppConfig;
    const limiter = new RateLimiter(store, config, new MetricsService());
    sut = new GatewayThrottlerGuard(OPTIONS, store, new Reflector(), limiter, new RateLimitPolicy(rateLimit));
    await sut.onModuleInit();
  });
  afterEach(() => store.onApplicationShutdown());

  const request = (overrides: Partial<FakeRequest> = {}): FakeRequest => ({
    method: 'GET',
    ip: '10.0.0.1',
    headers: {},
    principal: alice,
    ...overrides,
  });

  it("counts a caller's REST requests against its tier and refuses with 429 and headers past it", async () => {
    const headers: Record<string, string> = {};
    expect(await sut.canActivate(contextFor('rest', request(), headers))).toBe(true);
    expect(headers).toMatchObject({ 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1' });
    await sut.canActivate(contextFor('rest', request()));
    const refusal = await sut.canActivate(contextFor('rest', request())).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(GatewayException);
    expect(refusal).not.toBeInstanceOf(JsonRpcException);
    expect((refusal as GatewayException).getStatus()).toBe(429);
    expect((refusal as GatewayException).details).toMatchObject({ bucket: 'principal', limit: 2 });
  });

  it('keys public routes by IP, and OAuth routes by IP with their own limit', async () => {
    const anonymous = request({ principal: undefined });
    await sut.canActivate(contextFor('rest', anonymous));
    await expect(sut.canActivate(contextFor('rest', anonymous))).rejects.toMatchObject({
      details: { bucket: 'anonymous' },
    });
    await expect(
      sut.canActivate(contextFor('rest', request({ principal: undefined, ip: '10.0.0.2' }))),
    ).resolves.toBe(true);
    await sut.canActivate(contextFor('oauth', anonymous));
    await expect(sut.canActivate(contextFor('oauth', anonymous))).rejects.toMatchObject({
      details: { bucket: 'oauth' },
    });
  });

  it('counts every JSON-RPC message on /mcp, per tool too, and refuses with a JSON-RPC error for the request id', async () => {
    const call = (id: number) => ({ jsonrpc: '2.0', id, method: 'tools/call', params: { name: 'whoami' } });
    const admin = { ...alice, oid: 'root', roles: ['admin'] } as unknown as Principal;
    expect(
      await sut.canActivate(contextFor('mcp', request({ method: 'POST', principal: admin, body: call(1) }))),
    ).toBe(true);
    const refusal = await sut
      .canActivate(contextFor('mcp', request({ method: 'POST', principal: admin, body: call(2) })))
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(JsonRpcException);
    expect(refusal).toMatchObject({ requestId: 2, details: { bucket: 'tool', limit: 1 } });
    // A batch of three costs three: more than alice's tier of two (housekeeping alongside costs her nothing).
    const batch = [
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
      { jsonrpc: '2.0', method: 'notifications/initialized' },
      { jsonrpc: '2.0', id: 4, method: 'resources/list' },
      { jsonrpc: '2.0', id: 5, method: 'prompts/list' },
    ];
    await expect(
      sut.canActivate(contextFor('mcp', request({ method: 'POST', body: batch }))),
    ).rejects.toMatchObject({ requestId: null, details: { bucket: 'principal' } });
  });

  it('leaves probes and routes whose handler counts alone', async () => {
    for (let i = 0; i < 5; i++) {
      expect(await sut.canActivate(contextFor('health', request({ principal: undefined })))).toBe(true);
      expect(await sut.canActivate(contextFor('proxy', request()))).toBe(true);
    }
    expect(store.size).toBe(0);
  });

  it('does nothing in the rpc context (tool calls) and when rate limiting is off', async () => {
    const rpc = { ...contextFor('rest', request()), getType: () => 'rpc' } as unknown as ExecutionContext;
    expect(await sut.canActivate(rpc)).toBe(true);
    const off = new RateLimiter(
      store,
      { rateLimit: { ...rateLimit, enabled: false } } as AppConfig,
      new MetricsService(),
    );
    const guard = new GatewayThrottlerGuard(
      OPTIONS,
      store,
      new Reflector(),
      off,
      new RateLimitPolicy(rateLimit),
    );
    for (let i = 0; i < 5; i++) expect(await guard.canActivate(contextFor('rest', request()))).toBe(true);
    expect(store.size).toBe(0);
  });
});
