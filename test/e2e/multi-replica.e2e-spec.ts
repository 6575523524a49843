import { randomBytes } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { Client as PgClient } from 'pg';
import { gatewayIssuer } from '../../src/auth/auth.module.js';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import { localPrincipal } from '../../src/auth/oauth/dev-sign-in.js';
import { SigningKeyStore } from '../../src/auth/signing-keys.js';
import type { GatewayRole } from '../../src/config/app-config.js';
import { MIGRATIONS } from '../../src/database/migrations/index.js';
import { TEST_ENCRYPTION_KEY } from '../support/entra-gateway.js';
import { EverythingServer } from '../support/everything-server.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { type GatewayProcess, startGatewayProcess } from '../support/gateway-process.js';
import { uniqueTenant } from '../support/registry.js';
import { consentInBrowser, startOAuthLogin, TestOAuthClient } from '../support/oauth-client.js';
import { RoundRobinBalancer } from '../support/round-robin-balancer.js';
import { scratchDataDir, testConfig } from '../support/test-config.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * Three gateway processes on one PostgreSQL and one Redis, behind a balancer that sends every request to the next
 * process: the cluster must behave as one gateway.
 */
describe('multi-replica gateway (e2e)', () => {
  let database: TestDatabase;
  let balancer: RoundRobinBalancer;
  let everything: EverythingServer;
  let replicas: GatewayProcess[] = [];
  let tokens: GatewayTokens;
  const clients: Client[] = [];

  beforeAll(async () => {
    database = await createTestDatabase('replicas');
    everything = await new EverythingServer().start();
    balancer = await new RoundRobinBalancer().start();
    // Local identity mode signs with the data directory's key: create it once, before the replicas race for it.
    const keys = await SigningKeyStore.open(SigningKeyStore.fileFor(scratchDataDir()));
    const env = {
      MREG_DATABASE_URL: database.url,
      MREG_REDIS_URL: 'redis://127.0.0.1:6379',
      MREG_RATE_LIMIT_REDIS_PREFIX: `mreg:test:${randomBytes(4).toString('hex')}:`,
      MREG_FASTMCP_REQUESTS_PER_MINUTE: '30',
      MREG_RATE_LIMIT_BURST_FACTOR: '0',
      MREG_PUBLIC_URL: balancer.url,
      MREG_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY,
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'true',
    };
    tokens = new GatewayTokens(keys, gatewayIssuer(testConfig(env).config));
    // All three start at once on an empty database: the migrations must apply exactly once.
    replicas = await Promise.all([1, 2, 3].map(() => startGatewayProcess(env)));
    balancer.backends = replicas.map((replica) => replica.url);
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    for (const replica of replicas) replica.child.kill('SIGTERM');
    await Promise.all(replicas.map((replica) => replica.exited));
    await balancer?.stop();
    await everything?.stop();
    await database?.drop();
  });

  const token = (tenant: string, user: string, roles: GatewayRole[], audience: string) =>
    tokens.issue({ ...localPrincipal(tenant, user, roles), audience, ttlSeconds: 600 });

  async function api(method: string, path: string, bearer: string, body?: unknown) {
    const response = await fetch(`${balancer.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  }

  it('applied the migrations once although three processes started together', async () => {
    const pg = new PgClient({ connectionString: database.url });
    await pg.connect();
    try {
      const { rows } = await pg.query<{ n: number }>(`SELECT count(*)::int AS n FROM schema_migrations`);
      expect(rows[0].n).toBe(MIGRATIONS.length);
    } finally {
      await pg.end();
    }
  });

  it('serves one MCP session with every request on the next process, streams and sampling included', async () => {
    const tenant = uniqueTenant();
    const admin = await token(tenant, 'ada', ['admin'], balancer.url);
    const created = await api('POST', '/api/v1/servers', admin, { name: 'everything', url: everything.url });
    expect(created.status).toBe(201);
    const path = `/servers/${created.body.server.id as string}/mcp`;
    const before = [...balancer.hits];

    const client = new Client({ name: 'replicas', version: '1.0.0' }, { capabilities: { sampling: {} } });
    client.setRequestHandler('sampling/createMessage', () =>
      Promise.resolve({
        model: 'm',
        role: 'assistant' as const,
        content: { type: 'text' as const, text: 'sampled' },
      }),
    );
    const bearer = await token(tenant, 'ursula', ['user'], `${balancer.url}${path}`);
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${balancer.url}${path}`), {
        authProvider: { token: () => Promise.resolve(bearer) },
      }),
    );
    clients.push(client);
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
    const echoed = await client.callTool({ name: 'echo', arguments: { message: 'across' } });
    expect(echoed.content).toEqual([{ type: 'text', text: 'Echo: across' }]);
    const sampled = await client.callTool({ name: 'trigger-sampling-request', arguments: { prompt: 'hi' } });
    expect(JSON.stringify(sampled.content)).toContain('sampled');

    // Every process served part of this one session.
    const served = balancer.hits.map((hits, index) => hits - (before[index] ?? 0));
    expect(served.every((count) => count > 0)).toBe(true);
  });

  it('serves the federated endpoint across processes', async () => {
    const tenant = uniqueTenant();
    const admin = await token(tenant, 'ada', ['admin'], balancer.url);
    expect((await api('POST', '/api/v1/servers', admin, { name: 'every', url: everything.url })).status).toBe(
      201,
    );
    const bearer = await token(tenant, 'ursula', ['user'], `${balancer.url}/federated/mcp`);
    const client = new Client({ name: 'replicas-federated', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${balancer.url}/federated/mcp`), {
        authProvider: { token: () => Promise.resolve(bearer) },
      }),
    );
    clients.push(client);
    for (let i = 0; i < 3; i++) {
      const result = await client.callTool({ name: 'every__echo', arguments: { message: `r${i}` } });
      expect(result.content).toEqual([{ type: 'text', text: `Echo: r${i}` }]);
    }
  });

  it('makes a registry change on one process visible on the others within a second', async () => {
    const tenant = uniqueTenant();
    const admin = await token(tenant, 'ada', ['admin'], balancer.url);
    const created = await api('POST', '/api/v1/servers', admin, {
      name: 'moving',
      url: everything.url,
      discover: false,
    });
    const id = created.body.server.id as string;
    const patched = await api('PATCH', `/api/v1/servers/${id}`, admin, { tags: ['moved'] });
    expect(patched.status).toBe(200);
    // The next reads land on the other processes, which read from their in-memory registry.
    const deadline = Date.now() + 1000;
    let seen: string[] = [];
    while (Date.now() < deadline) {
      const reads = await Promise.all(replicas.map(() => api('GET', `/api/v1/servers/${id}`, admin)));
      seen = reads.map((read) => (read.body.tags as string[]).join());
      if (seen.every((tags) => tags === 'moved')) break;
    }
    expect(seen).toEqual(['moved', 'moved', 'moved']);
  });

  it('shares rate limits: a user gets its 30 requests a minute from the cluster, not from each process', async () => {
    const bearer = await token(uniqueTenant(), 'ursula', ['user'], balancer.url);
    const statuses: number[] = [];
    for (let i = 0; i < 33; i++) statuses.push((await api('GET', '/oauth/userinfo', bearer)).status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(30);
    expect(statuses.slice(30)).toEqual([429, 429, 429]);
  });

  it('completes an OAuth login with each step on another process, then uses the token anywhere', async () => {
    const mcpUrl = new URL('/mcp', balancer.url);
    const provider = new TestOAuthClient();
    const transport = await startOAuthLogin(mcpUrl, provider);
    const callback = await consentInBrowser(provider.authorizationUrl as URL, {
      tenant: uniqueTenant(),
      user: 'carol',
      roles: 'admin',
      decision: 'approve',
    });
    await transport.finishAuth(callback.searchParams);
    const client = new Client({ name: 'replicas-oauth', version: '1.0.0' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    clients.push(client);
    for (let i = 0; i < 3; i++) {
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(JSON.stringify(whoami.structuredContent)).toContain('carol');
    }
  });

  it('runs each health check once per interval for the whole cluster, not once per process', async () => {
    const fixture = await new FixtureMcpServer().start();
    try {
      const tenant = uniqueTenant();
      const admin = await token(tenant, 'ada', ['admin'], balancer.url);
      const created = await api('POST', '/api/v1/servers', admin, {
        name: 'checked',
        url: fixture.url,
        healthCheck: { intervalSeconds: 5 },
      });
      expect(created.status).toBe(201);
      // A check is two MCP handshakes (one declaring sampling, elicitation and roots, one declaring nothing, to find
      // the tools offered only to capable clients): count initialize requests, the only ones without a protocol
      // version header, two per check.
      const handshakes = () => fixture.headers.filter((headers) => !headers['mcp-protocol-version']).length;
      const afterRegistration = handshakes();
      await new Promise((resolve) => setTimeout(resolve, 11_000));
      const checks = (handshakes() - afterRegistration) / 2;
      // Two intervals passed: two checks (three at most with timing), where three processes on their own make six.
      expect(checks).toBeGreaterThanOrEqual(1);
      expect(checks).toBeLessThanOrEqual(3);
    } finally {
      await fixture.stop();
    }
  }, 30_000);
});
