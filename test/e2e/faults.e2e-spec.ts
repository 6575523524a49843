import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { Client as PgClient } from 'pg';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { call, localToken } from '../support/gateway.js';
import { postJsonRpc, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { ADMIN_DATABASE_URL, createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Faults while serving: the database goes away and comes back; an upstream accepts but never answers. */
describe('faults (e2e)', () => {
  let database: TestDatabase;
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  let admin: PgClient;

  beforeAll(async () => {
    database = await createTestDatabase('faults');
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway({ MREG_DATABASE_URL: database.url });
    admin = new PgClient({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await gateway?.stop();
    await fixture?.stop();
    await database?.drop();
  });

  it('while PostgreSQL is down: database-backed requests fail fast with 503, cached servers keep proxying, and it recovers', async () => {
    const tenant = uniqueTenant();
    const token = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    const created = await rest(gateway, token, 'POST', '/api/v1/servers', {
      name: 'cached',
      url: fixture.url,
    });
    const id = created.body.server.id as string;
    const resource = `${gateway.url}/servers/${id}/mcp`;
    const proxyToken = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'], resource });

    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [
      database.name,
    ]);
    try {
      const started = Date.now();
      const listed = await rest(gateway, token, 'GET', '/api/v1/servers');
      expect(Date.now() - started).toBeLessThan(3000);
      expect(listed.status).toBe(503);
      expect(listed.body.code).toBe('DATABASE_UNAVAILABLE');
      const ready = await fetch(`${gateway.url}/ready`);
      expect(ready.status).toBe(503);

      const proxied = await postJsonRpc(resource, proxyToken, 'tools/call', {
        name: 'echo',
        arguments: { text: 'up' },
      });
      expect(proxied.status).toBe(200);
      expect(await proxied.text()).toContain('echo:up');
    } finally {
      await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`);
    }
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (Date.now() < deadline && status !== 200) {
      status = (await rest(gateway, token, 'GET', '/api/v1/servers')).status;
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(status).toBe(200);
    expect((await fetch(`${gateway.url}/ready`)).status).toBe(200);
  });

  it('times out an upstream that accepts the connection but never answers', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const tenant = uniqueTenant();
      const token = await localToken(gateway, { tenant, roles: ['admin'] });
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/mcp`;
      const created = await rest(gateway, token, 'POST', '/api/v1/servers', {
        name: 'silent',
        url,
        discover: false,
        timeouts: { requestMs: 1000 },
      });
      const resource = `${gateway.url}/servers/${created.body.server.id as string}/mcp`;
      const started = Date.now();
      const response = await postJsonRpc(
        resource,
        await localToken(gateway, { tenant, resource }),
        'tools/call',
        {
          name: 'anything',
          arguments: {},
        },
      );
      expect(Date.now() - started).toBeLessThan(5000);
      expect(response.status).toBe(504);
      expect(((await response.json()) as { error: { data: { code: string } } }).error.data.code).toBe(
        'UPSTREAM_TIMEOUT',
      );
    } finally {
      silent.closeAllConnections();
      silent.close();
    }
  });
});

/** Redis restarts while serving: requests go on (fail open, never hanging) and shared counting resumes on its own. */
describe('Redis restart (e2e)', () => {
  let relay: TcpRelay;
  let gateway: GatewayApp;

  beforeAll(async () => {
    relay = await new TcpRelay('127.0.0.1', 6379).start();
    gateway = await startRegistryGateway({
      MREG_REDIS_URL: `redis://127.0.0.1:${relay.port}`,
      MREG_RATE_LIMIT_REDIS_PREFIX: `mreg:test:${randomBytes(4).toString('hex')}:`,
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '3',
      MREG_RATE_LIMIT_BURST_FACTOR: '0',
      MREG_PROXY_SESSION_IDLE_MS: '0',
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await relay?.stop();
  });

  const statuses = async (token: string, count: number) => {
    const seen: number[] = [];
    for (let i = 0; i < count; i++) seen.push((await call(gateway, '/oauth/userinfo', token)).status);
    return seen;
  };
  const user = (name: string) => localToken(gateway, { tenant: uniqueTenant(), user: name });

  it('lets requests through while Redis is down, and counts again once it is back', async () => {
    expect(await statuses(await user('before'), 4)).toEqual([200, 200, 200, 429]);

    await relay.stop();
    const started = Date.now();
    expect(await statuses(await user('during'), 5)).toEqual([200, 200, 200, 200, 200]);
    expect(Date.now() - started).toBeLessThan(5000);

    await relay.start();
    const after = await user('after');
    const deadline = Date.now() + 15_000;
    let limited = false;
    while (!limited && Date.now() < deadline) {
      limited = (await statuses(after, 1))[0] === 429;
      if (!limited) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(limited).toBe(true);
  }, 30_000);
});
