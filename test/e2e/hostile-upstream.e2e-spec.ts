import type { GatewayApp } from '../../src/app/gateway-app.js';
import { HostileMcpServer } from '../support/hostile-mcp-server.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const HUNDRED_MB = 100 * 1024 * 1024;
const MIB = 1024 * 1024;

/**
 * An upstream operator (or a server_owner) answering discovery with a 100 MB tool list: the gateway reads at most
 * MREG_DISCOVERY_MAX_BYTES of it, refuses it with an error that names the bound, stores nothing of it, and keeps
 * answering everyone else meanwhile.
 */
describe('hostile upstreams: bounded capability discovery (e2e)', () => {
  let gateway: GatewayApp;
  let database: TestDatabase;
  let upstream: HostileMcpServer;

  beforeAll(async () => {
    database = await createTestDatabase('hostile');
    gateway = await startRegistryGateway({ MREG_DATABASE_URL: database.url });
  });
  beforeEach(async () => {
    upstream = await new HostileMcpServer().start();
  });
  afterEach(() => upstream.stop());
  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
  });

  /** Runs `work` while asking the gateway's readiness every 25 ms; returns what `work` returned and every status seen. */
  async function whilePolling<T>(work: () => Promise<T>): Promise<{ result: T; statuses: number[] }> {
    const statuses: number[] = [];
    let done = false;
    const poller = (async () => {
      while (!done) {
        statuses.push((await fetch(`${gateway.url}/ready`)).status);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    })();
    try {
      return { result: await work(), statuses };
    } finally {
      done = true;
      await poller;
    }
  }

  it('refuses to register a server whose tool list is 100 MB, reading only a bounded part of it', async () => {
    const admin = await localToken(gateway, { tenant: uniqueTenant(), roles: ['admin'] });
    // Once with a small list first, so the growth measured below is not the code of a first discovery being loaded.
    const warm = await rest(gateway, admin, 'POST', '/api/v1/servers', { name: 'warm', url: upstream.url });
    expect(warm.status).toBe(201);
    upstream.hugeListBytes = HUNDRED_MB;
    const rssBefore = process.memoryUsage().rss;
    const { result: created, statuses } = await whilePolling(() =>
      rest(gateway, admin, 'POST', '/api/v1/servers', { name: 'hostile', url: upstream.url }),
    );
    const growth = process.memoryUsage().rss - rssBefore;

    expect(created.status).toBe(502);
    expect(created.body).toMatchObject({
      code: 'UPSTREAM_CAPABILITIES_TOO_LARGE',
      message: expect.stringContaining('MREG_DISCOVERY_MAX_BYTES'),
    });
    expect(created.body.message).toContain('8388608 bytes');
    // The gateway stopped reading near its 8 MiB bound, not at the end of the 100 MB.
    expect(upstream.bytesSent).toBeLessThan(16 * MIB);
    // This process holds the gateway and the upstream: together they grew by less than the 50 MB.
    expect(growth).toBeLessThan(50 * MIB);
    expect(statuses.length).toBeGreaterThan(0);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const listed = await rest(gateway, admin, 'GET', '/api/v1/servers');
    const names = (listed.body.items as { name: string }[]).map((server) => server.name);
    expect(names).toEqual(['warm']);
  });

  it('marks a registered server degraded when its list grows too large, keeping the approved tools callable', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'turns',
      url: upstream.url,
    });
    expect(created.status).toBe(201);
    const id = created.body.server.id as string;

    upstream.hugeListBytes = HUNDRED_MB;
    const { result: checked, statuses } = await whilePolling(() =>
      rest(gateway, admin, 'POST', `/api/v1/servers/${id}/health`),
    );
    expect(checked.body).toMatchObject({
      status: 'degraded',
      toolCount: 1,
      lastError: expect.stringContaining('MREG_DISCOVERY_MAX_BYTES'),
    });
    expect(statuses.every((status) => status === 200)).toBe(true);
    expect(upstream.bytesSent).toBeLessThan(16 * MIB);

    // The approved snapshot still serves: the one tool is listed and callable through the proxy.
    const path = `/servers/${id}/mcp`;
    const caller = await localToken(gateway, { tenant, roles: ['admin'], resource: `${gateway.url}${path}` });
    const client = await connectMcpClient(gateway, caller, path);
    try {
      upstream.hugeListBytes = 0;
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
      const result = await client.callTool({ name: 'echo', arguments: { text: 'still here' } });
      expect(result.content).toEqual([{ type: 'text', text: 'echo:still here' }]);
    } finally {
      await client.close();
    }
  });
});
