import { DataSource } from 'typeorm';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { localOid } from '../../src/auth/oauth/dev-sign-in.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { json } from '../support/http.js';
import { call, localToken } from '../support/gateway.js';
import { startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * Rate limits on REST and public routes (memory store): role tiers, the tenant bucket, client IPs on OAuth and
 * public routes, and the 429 shape. Small limits via env; every test uses its own tenant and users.
 */
describe('rate limiting on REST and public routes (e2e)', () => {
  let gateway: GatewayApp;

  beforeAll(async () => {
    gateway = await startRegistryGateway({
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '3',
      MREG_RATE_LIMIT_TENANT_MULTIPLIER: '20',
      MREG_RATE_LIMIT_OAUTH_PER_MINUTE: '3',
      MREG_RATE_LIMIT_ANONYMOUS_PER_MINUTE: '2',
      // Client IPs come from X-Forwarded-For (one proxy hop), so each test can be its own client.
      MREG_TRUST_PROXY: '1',
    });
  });
  afterAll(() => gateway?.stop());

  type Role = 'admin' | 'server_owner' | 'user';
  const tokenFor = (tenant: string, user: string, role: Role) =>
    localToken(gateway, { tenant, user, roles: [role] });
  const get = (path: string, token?: string, ip = '198.51.100.1') =>
    call(gateway, path, token, { headers: { 'x-forwarded-for': ip } });

  async function statuses(count: number, request: () => Promise<Response>): Promise<number[]> {
    const result: number[] = [];
    for (let i = 0; i < count; i++) result.push((await request()).status);
    return result;
  }

  it('lets each tier make its requests per minute, then answers 429: user 3, server_owner 15, admin 30', async () => {
    const tenant = uniqueTenant();
    for (const [role, limit] of [
      ['user', 3],
      ['server_owner', 15],
      ['admin', 30],
    ] as const) {
      const token = await tokenFor(tenant, `${role}-caller`, role);
      const seen = await statuses(limit + 1, () => get('/oauth/userinfo', token));
      expect(seen).toEqual([...Array<number>(limit).fill(200), 429]);
    }
  });

  it('answers 429 with Retry-After, RateLimit-* headers and the common error body', async () => {
    const tenant = uniqueTenant();
    const token = await tokenFor(tenant, 'ursula', 'user');
    const first = await get('/oauth/userinfo', token);
    expect(first.headers.get('ratelimit-limit')).toBe('3');
    expect(first.headers.get('ratelimit-remaining')).toBe('2');
    expect(Number(first.headers.get('ratelimit-reset'))).toBeGreaterThan(0);
    await get('/oauth/userinfo', token);
    await get('/oauth/userinfo', token);

    const refused = await get('/oauth/userinfo', token);
    expect(refused.status).toBe(429);
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(refused.headers.get('ratelimit-remaining')).toBe('0');
    expect(refused.headers.get('ratelimit-policy')).toContain('3;w=60');
    expect(await json(refused)).toEqual({
      statusCode: 429,
      code: 'RATE_LIMITED',
      message: expect.stringContaining('Rate limit exceeded'),
      correlationId: refused.headers.get('x-request-id'),
      details: { retryAfterSeconds: retryAfter, bucket: 'principal', limit: 3, windowSeconds: 60 },
    });

    // The refusal is in the audit trail; a flood of them is sampled (one per actor and action per 10 s).
    await get('/oauth/userinfo', token);
    await gateway.app.get(AuditWriter).flush();
    const rows = await gateway.app
      .get(DataSource)
      .query<{ outcome: string; status: number; error_code: string; action: string }[]>(
        `SELECT outcome, status, error_code, action FROM audit_events WHERE actor_name = 'ursula' AND request_id = $1`,
        [refused.headers.get('x-request-id')],
      );
    expect(rows).toEqual([
      { outcome: 'denied', status: 429, error_code: 'RATE_LIMITED', action: 'GET /oauth/userinfo' },
    ]);
    const sampled = await gateway.app
      .get(DataSource)
      .query<{ n: number }[]>(
        `SELECT count(*)::int AS n FROM audit_events WHERE actor_oid = $1 AND status = 429`,
        [localOid(tenant, 'ursula')],
      );
    expect(sampled[0].n).toBe(1);
  });

  it("limits a tenant's callers together, and no other tenant", async () => {
    const small = await startRegistryGateway({
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '3',
      MREG_RATE_LIMIT_TENANT_MULTIPLIER: '2',
    });
    try {
      const tenant = uniqueTenant();
      for (const user of ['amy', 'ben', 'cat']) {
        const token = await localToken(small, { tenant, user });
        expect(await statuses(2, () => call(small, '/oauth/userinfo', token))).toEqual([200, 200]);
      }
      const refused = await call(small, '/oauth/userinfo', await localToken(small, { tenant, user: 'dan' }));
      expect(refused.status).toBe(429);
      expect((await json(refused)).details).toMatchObject({ bucket: 'tenant', limit: 6 });
      const elsewhere = await localToken(small, { tenant: uniqueTenant(), user: 'dan' });
      expect((await call(small, '/oauth/userinfo', elsewhere)).status).toBe(200);
    } finally {
      await small.stop();
    }
  });

  it('limits the OAuth endpoints by client IP, more strictly than callers with a token', async () => {
    const metadata = (ip: string) => get('/.well-known/oauth-authorization-server', undefined, ip);
    expect(await statuses(4, () => metadata('203.0.113.7'))).toEqual([200, 200, 200, 429]);
    const registration = await call(gateway, '/oauth/register', undefined, {
      method: 'POST',
      headers: { 'x-forwarded-for': '203.0.113.7', 'content-type': 'application/json' },
      body: JSON.stringify({ redirect_uris: ['http://127.0.0.1:9/cb'] }),
    });
    expect(registration.status).toBe(429);
    expect((await json(registration)).details).toMatchObject({ bucket: 'oauth', limit: 3 });
    expect((await metadata('203.0.113.8')).status).toBe(200);
  });

  it('limits public routes without a token by client IP, and never the probes or metrics', async () => {
    const metadata = () => get('/.well-known/oauth-protected-resource', undefined, '192.0.2.44');
    expect(await statuses(3, metadata)).toEqual([200, 200, 429]);
    for (const path of ['/health', '/ready', '/metrics']) {
      expect(await statuses(5, () => get(path, undefined, '192.0.2.44'))).toEqual([200, 200, 200, 200, 200]);
    }
    const metrics = await (await get('/metrics')).text();
    expect(metrics).toMatch(/mcp_gateway_rate_limited_total\{surface="rest",bucket="anonymous"\} [1-9]/);
    expect(metrics).toMatch(/mcp_gateway_rate_limited_total\{surface="oauth",bucket="oauth"\} [1-9]/);
  });

  it('limits nothing when rate limiting is off', async () => {
    const open = await startRegistryGateway({
      MREG_FASTMCP_ENABLE_RATE_LIMITING: 'false',
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '1',
    });
    try {
      const token = await localToken(open, { tenant: uniqueTenant() });
      expect(await statuses(3, () => call(open, '/oauth/userinfo', token))).toEqual([200, 200, 200]);
    } finally {
      await open.stop();
    }
  });
});
