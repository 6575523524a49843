import type { GatewayApp } from '../../src/app/gateway-app.js';
import {
  ENTRA_CLIENT_ID,
  ENTRA_TID as PLATFORM_TID,
  OTHER_TID,
  startEntraGateway,
  TEST_ENCRYPTION_KEY,
} from '../support/entra-gateway.js';
import { FakeEntra } from '../support/fake-entra.js';
import { call, connectMcpClient, localToken, startGateway } from '../support/gateway.js';
import { json } from '../support/http.js';
import { sseEvents } from '../support/sse.js';
import { runDatabaseUrl } from '../support/test-config.js';
import type { UsageView } from '../../src/proxy/usage.service.js';

interface Setting {
  name: string;
  value: unknown;
  source: string;
  secret: boolean;
}
const setting = (body: { settings: Setting[] }, name: string) =>
  body.settings.find((entry) => entry.name === name);

/** The admin console's Settings and Usage data: GET /api/v1/admin/config and GET /api/v1/admin/usage. */
describe('admin config and usage endpoints (e2e)', () => {
  const METRICS_TOKEN = 'metrics-secret-0123456789abcdef';
  // PostgreSQL trusts local connections here, so a password in the URL is accepted and merely has to stay hidden.
  const DB_PASSWORD = 'db-pass-9f8e7d6c';
  let gateway: GatewayApp;
  let admin: string;
  let user: string;

  beforeAll(async () => {
    const databaseUrl = new URL(runDatabaseUrl());
    databaseUrl.password = DB_PASSWORD;
    gateway = await startGateway({
      MREG_DATABASE_URL: databaseUrl.toString(),
      MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      MREG_METRICS_TOKEN: METRICS_TOKEN,
      MREG_RATE_LIMIT_TOOLS: 'whoami=7',
      MREG_RATE_LIMIT_ADMIN_PER_MINUTE: '4321',
    });
    admin = await localToken(gateway, { roles: ['admin'] });
    user = await localToken(gateway, { user: 'bob', roles: ['user'] });
  });
  afterAll(() => gateway?.stop());

  describe('GET /api/v1/admin/config', () => {
    it('gives an admin every setting with its source, and secrets masked', async () => {
      const res = await call(gateway, '/api/v1/admin/config', admin);
      expect(res.status).toBe(200);
      const body = (await json(res)) as { settings: Setting[]; secretsMasked: boolean };
      expect(body.secretsMasked).toBe(true);
      expect(setting(body, 'MREG_ENCRYPTION_KEY')).toMatchObject({
        value: '****',
        source: 'env',
        secret: true,
      });
      expect(setting(body, 'MREG_METRICS_TOKEN')).toMatchObject({ value: '****', secret: true });
      expect(String(setting(body, 'MREG_DATABASE_URL')?.value)).toContain(':****@');
      expect(setting(body, 'MREG_RATE_LIMIT_ADMIN_PER_MINUTE')).toMatchObject({
        value: 4321,
        source: 'env',
        secret: false,
      });
      expect(setting(body, 'MREG_PROXY_MAX_STREAMS_PER_PRINCIPAL')).toMatchObject({ source: 'default' });
    });

    it('never answers a secret value, whatever the query asks for', async () => {
      for (const query of ['', '?showSecrets=true', '?show-secrets', '?show_secrets=1']) {
        const res = await call(gateway, `/api/v1/admin/config${query}`, admin);
        expect(res.status).toBe(200);
        const text = await res.text();
        for (const secret of [TEST_ENCRYPTION_KEY, METRICS_TOKEN, DB_PASSWORD])
          expect(text).not.toContain(secret);
      }
    });

    it('refuses a user (403 INSUFFICIENT_ROLE) and a caller without a token (401)', async () => {
      const refused = await call(gateway, '/api/v1/admin/config', user);
      expect(refused.status).toBe(403);
      expect(await json(refused)).toMatchObject({ code: 'INSUFFICIENT_ROLE' });
      expect((await call(gateway, '/api/v1/admin/config')).status).toBe(401);
    });
  });

  describe('GET /api/v1/admin/usage', () => {
    it("gives an admin the tier limits, the tenant's and their own counters, tool limits, streams and sessions", async () => {
      // Some traffic to count: a gateway tool call on /mcp by the admin.
      const client = await connectMcpClient(gateway, admin);
      await client.callTool({ name: 'whoami', arguments: {} });
      await client.close();

      const res = await call(gateway, '/api/v1/admin/usage', admin);
      expect(res.status).toBe(200);
      const body = (await json(res)) as UsageView;
      const { rateLimits } = body;
      expect(rateLimits).toMatchObject({ enabled: true, store: 'memory', countersScope: 'replica' });
      expect(rateLimits.countersAvailable).toBe(true);
      expect(rateLimits.tiers).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ tier: 'admin', perMinute: 4321 }),
          expect.objectContaining({ tier: 'user', perMinute: gateway.config.rateLimit.requestsPerMinute }),
        ]),
      );
      expect(rateLimits.caller.tier).toBe('admin');
      const principal = rateLimits.caller.buckets.find((b) => b.bucket === 'principal');
      expect(principal).toMatchObject({ limit: 4321, windowSeconds: 60 });
      expect(principal?.used).toBeGreaterThanOrEqual(1);
      const tenant = rateLimits.tenant.buckets.find((b) => b.bucket === 'tenant');
      expect(tenant?.used).toBeGreaterThanOrEqual(principal?.used ?? 1);
      expect(rateLimits.gatewayTools).toEqual([
        expect.objectContaining({ tool: 'whoami', limit: 7, used: 1, bucket: 'tool' }),
      ]);
      expect(body.streams).toMatchObject({ scope: 'replica', tenant: 0, allTenants: 0 });
      expect(body.sessions).toMatchObject({ scope: 'replica', active: 0 });
    });

    it('reads counters without counting: a second read shows the same tool use', async () => {
      const read = async () => (await json(await call(gateway, '/api/v1/admin/usage', admin))).rateLimits;
      const first = await read();
      const second = await read();
      expect(second.gatewayTools[0].used).toBe(first.gatewayTools[0].used);
    });

    it("counts the tenant's open streams apart from other tenants', and forgets one once it closes", async () => {
      const federatedUrl = `${gateway.url}/federated/mcp`;
      const listen = async (tenant: string) => {
        const token = await localToken(gateway, { tenant, roles: ['user'], resource: federatedUrl });
        const aborter = new AbortController();
        const res = await fetch(federatedUrl, {
          signal: aborter.signal,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'text/event-stream',
            'mcp-protocol-version': '2025-11-25',
          },
        });
        expect(res.status).toBe(200);
        const events = sseEvents(res.body!);
        await events.next(); // the priming event: the stream is registered
        return () => aborter.abort();
      };
      const closeOurs = await listen('acme');
      const closeTheirs = await listen('globex');
      const streams = async () =>
        ((await json(await call(gateway, '/api/v1/admin/usage', admin))) as UsageView).streams;
      expect(await streams()).toMatchObject({ tenant: 1, allTenants: 2 });

      closeOurs();
      // The gateway releases the stream when it sees the connection close: wait for that, no sleep.
      const deadline = Date.now() + 5_000;
      while ((await streams()).tenant !== 0 && Date.now() < deadline) {
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(await streams()).toMatchObject({ tenant: 0, allTenants: 1 });
      closeTheirs();
    });

    it('refuses a user (403) and a caller without a token (401)', async () => {
      expect((await call(gateway, '/api/v1/admin/usage', user)).status).toBe(403);
      expect((await call(gateway, '/api/v1/admin/usage')).status).toBe(401);
    });
  });
});

/** With MREG_SUPERADMIN_TENANTS the gateway is a platform: what spans every tenant is for platform administrators. */
describe('admin config and usage in a multi-tenant platform (e2e)', () => {
  let entra: FakeEntra;
  let gateway: GatewayApp;

  beforeAll(async () => {
    entra = await FakeEntra.start(ENTRA_CLIENT_ID);
    gateway = await startEntraGateway(entra, {
      MREG_ALLOWED_TENANTS: `${PLATFORM_TID},${OTHER_TID}`,
      MREG_SUPERADMIN_TENANTS: PLATFORM_TID,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await entra?.stop();
  });

  const adminOf = (tid: string) => entra.token({ tid, roles: ['Gateway.Admin'] });

  it("refuses the gateway's configuration to a tenant's admin and serves it, masked, to a platform administrator", async () => {
    const refused = await call(gateway, '/api/v1/admin/config', await adminOf(OTHER_TID));
    expect(refused.status).toBe(403);
    expect(await json(refused)).toMatchObject({ code: 'FORBIDDEN' });

    const served = await call(gateway, '/api/v1/admin/config', await adminOf(PLATFORM_TID));
    expect(served.status).toBe(200);
    const text = await served.text();
    expect(text).not.toContain(entra.clientSecret);
    expect(text).toContain('MREG_AZURE_CLIENT_SECRET');
  });

  it("gives a tenant's admin their tenant's usage without totals over every tenant", async () => {
    const tenantAdmin = await json(await call(gateway, '/api/v1/admin/usage', await adminOf(OTHER_TID)));
    expect(tenantAdmin.streams.allTenants).toBeNull();
    expect(tenantAdmin.sessions.active).toBeNull();
    expect(tenantAdmin.rateLimits.tenant.buckets.length).toBeGreaterThan(0);

    const platformAdmin = await json(await call(gateway, '/api/v1/admin/usage', await adminOf(PLATFORM_TID)));
    expect(platformAdmin.streams.allTenants).toBe(0);
    expect(platformAdmin.sessions.active).toBe(0);
  });
});
