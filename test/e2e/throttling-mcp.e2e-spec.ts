import type { Client } from '@modelcontextprotocol/client';
import { DataSource } from 'typeorm';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { EverythingServer } from '../support/everything-server.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { json } from '../support/http.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import {
  postJsonRpc,
  rest,
  startRegistryGateway,
  tool,
  toolError,
  uniqueTenant,
} from '../support/registry.js';

/** What the MCP SDK client throws on a non-2xx answer: the status, and the body as text. */
interface SdkHttpFailure {
  data?: { status?: number; text?: string };
}

async function refusalOf(work: Promise<unknown>): Promise<{ status?: number; body: any }> {
  const error = (await work.then(
    (result) => {
      throw new Error(`expected a refusal, got ${JSON.stringify(result)}`);
    },
    (failure: unknown) => failure,
  )) as SdkHttpFailure;
  return { status: error.data?.status, body: JSON.parse(error.data?.text ?? 'null') };
}

/**
 * Rate limits on the MCP surfaces: the gateway's own tools on /mcp (per message, per tool), the transparent proxy
 * (per message and per tool, with limits set on the server in the registry) and /federated/mcp. Refusals are HTTP
 * 429 with a JSON-RPC error whose data carries RATE_LIMITED and the retry hint.
 */
describe('rate limiting on MCP surfaces (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway({ MREG_RATE_LIMIT_TOOLS: 'whoami=2' });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await gateway?.stop();
    await fixture?.stop();
  });

  async function connect(token: string, path: string): Promise<Client> {
    const client = await connectMcpClient(gateway, token, path);
    clients.push(client);
    return client;
  }

  /** Throttling refusals in the audit trail, for one server (or, with null, one user's without a server). */
  async function auditedRefusals(serverId: string | null, actor?: string) {
    await gateway.app.get(AuditWriter).flush();
    return gateway.app.get(DataSource).query<{ action: string; tool: string; error_code: string }[]>(
      `SELECT action, tool, error_code FROM audit_events
         WHERE status = 429 AND ($1::uuid IS NULL OR server_id = $1) AND ($2::text IS NULL OR actor_name = $2)
         ORDER BY id`,
      [serverId, actor ?? null],
    );
  }

  async function registerFixture(tenant: string, rateLimits: Record<string, unknown>): Promise<string> {
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'fixture',
      url: fixture.url,
      rateLimits,
    });
    expect(created.status).toBe(201);
    expect(created.body.server.rateLimits).toEqual({ tools: {}, ...rateLimits });
    return created.body.server.id as string;
  }

  it('limits a gateway tool on /mcp per caller (MREG_RATE_LIMIT_TOOLS), leaving its other tools alone', async () => {
    const tenant = uniqueTenant();
    const client = await connect(await localToken(gateway, { tenant, user: 'ursula' }), '/mcp');
    await client.callTool({ name: 'whoami', arguments: {} });
    await client.callTool({ name: 'whoami', arguments: {} });

    const refused = await refusalOf(client.callTool({ name: 'whoami', arguments: {} }));
    expect(refused.status).toBe(429);
    expect(refused.body).toEqual({
      jsonrpc: '2.0',
      id: expect.any(Number),
      error: {
        code: -32000,
        message: expect.stringContaining('Rate limit exceeded'),
        data: {
          code: 'RATE_LIMITED',
          statusCode: 429,
          correlationId: expect.any(String),
          details: { retryAfterSeconds: expect.any(Number), bucket: 'tool', limit: 2, windowSeconds: 60 },
        },
      },
    });
    expect((await client.callTool({ name: 'gateway_info', arguments: {} })).isError).toBeFalsy();
    // Another caller of the same tenant has its own allowance.
    const other = await connect(await localToken(gateway, { tenant, user: 'victor' }), '/mcp');
    expect((await other.callTool({ name: 'whoami', arguments: {} })).isError).toBeFalsy();
  });

  it('answers a refused /mcp request with status, Retry-After and the JSON-RPC id of the request', async () => {
    const token = await localToken(gateway, { tenant: uniqueTenant() });
    const whoami = (id: number) =>
      fetch(`${gateway.url}/mcp`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify({
          jsonrpc: '2.0',
          id,
          method: 'tools/call',
          params: { name: 'whoami', arguments: {} },
        }),
      });
    expect((await whoami(1)).status).toBe(200);
    expect((await whoami(2)).status).toBe(200);
    const refused = await whoami(42);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(refused.headers.get('ratelimit-limit')).toBe('2');
    expect(await json(refused)).toMatchObject({ id: 42, error: { data: { code: 'RATE_LIMITED' } } });
  });

  it('limits a tool of a proxied server as set in the registry, per caller', async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant, { tools: { echo: 2 } });
    const path = `/servers/${id}/mcp`;
    const token = await localToken(gateway, { tenant, user: 'ursula', resource: `${gateway.url}${path}` });
    const client = await connect(token, path);
    for (const text of ['a', 'b']) {
      expect((await client.callTool({ name: 'echo', arguments: { text } })).content).toEqual([
        { type: 'text', text: `echo:${text}` },
      ]);
    }
    const invoked = fixture.invocations.get('echo');

    const refused = await refusalOf(client.callTool({ name: 'echo', arguments: { text: 'c' } }));
    expect(refused.status).toBe(429);
    expect(refused.body.error.data).toMatchObject({
      code: 'RATE_LIMITED',
      statusCode: 429,
      details: { bucket: 'tool', limit: 2, retryAfterSeconds: expect.any(Number) },
    });
    expect(fixture.invocations.get('echo')).toBe(invoked);
    expect((await client.callTool({ name: 'add', arguments: {} })).isError).toBeFalsy();

    const raw = await postJsonRpc(`${gateway.url}${path}`, token, 'tools/call', {
      name: 'echo',
      arguments: {},
    });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(raw.headers.get('ratelimit-remaining')).toBe('0');
    expect(await auditedRefusals(id)).toEqual([
      { action: 'tools/call', tool: 'echo', error_code: 'RATE_LIMITED' },
    ]);
  });

  it("applies a server's tool limit to proxy_request on /mcp as a JSON-RPC tool error", async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant, { tools: { echo: 1 } });
    const client = await connect(await localToken(gateway, { tenant, user: 'ursula' }), '/mcp');
    const args = { server: id, method: 'tools/call', params: { name: 'echo', arguments: { text: 'r' } } };
    expect(await tool(client, 'proxy_request', args)).toMatchObject({ success: true });
    const refused = await toolError(client, 'proxy_request', args);
    expect(refused.data).toMatchObject({
      code: 'RATE_LIMITED',
      statusCode: 429,
      details: { bucket: 'tool', limit: 1 },
    });
  });

  it("counts every JSON-RPC message against a proxied server's requestsPerMinute", async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant, { requestsPerMinute: 5 });
    const url = `${gateway.url}/servers/${id}/mcp`;
    const token = await localToken(gateway, { tenant, user: 'ursula', resource: url });
    const batch = (size: number) =>
      fetch(url, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${token}`,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: JSON.stringify(
          Array.from({ length: size }, (_, i) => ({ jsonrpc: '2.0', id: i + 1, method: 'ping' })),
        ),
      });
    expect((await batch(4)).status).toBe(200);
    const refused = await batch(2);
    expect(refused.status).toBe(429);
    expect((await json(refused)).error.data.details).toMatchObject({ bucket: 'server', limit: 5 });
    expect((await batch(1)).status).toBe(200);
  });

  it("applies a server's tool limit on /federated/mcp as well", async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant, { tools: { echo: 1 } });
    const token = await localToken(gateway, {
      tenant,
      user: 'ursula',
      resource: `${gateway.url}/federated/mcp`,
    });
    const client = await connect(token, '/federated/mcp');
    expect((await client.callTool({ name: 'fixture__echo', arguments: { text: 'x' } })).isError).toBeFalsy();

    const refused = await refusalOf(client.callTool({ name: 'fixture__echo', arguments: { text: 'y' } }));
    expect(refused.status).toBe(429);
    expect(refused.body.error.data).toMatchObject({
      code: 'RATE_LIMITED',
      details: { bucket: 'tool', limit: 1 },
    });
    expect((await client.callTool({ name: 'fixture__add', arguments: {} })).isError).toBeFalsy();
    expect(await auditedRefusals(null, 'ursula')).toContainEqual({
      action: 'tools/call',
      tool: 'fixture__echo',
      error_code: 'RATE_LIMITED',
    });

    // A changed limit applies at once (the refused call did not count).
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const patched = await rest(gateway, admin, 'PATCH', `/api/v1/servers/${id}`, {
      rateLimits: { tools: { echo: 2 } },
    });
    expect(patched.body.rateLimits).toEqual({ tools: { echo: 2 } });
    expect((await client.callTool({ name: 'fixture__echo', arguments: { text: 'z' } })).isError).toBeFalsy();
  });
  it('counts federated prompts/get and resources/read against the server they reach', async () => {
    const everything = await new EverythingServer().start();
    try {
      const tenant = uniqueTenant();
      const admin = await localToken(gateway, { tenant, roles: ['admin'] });
      const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
        name: 'everything',
        url: everything.url,
        rateLimits: { requestsPerMinute: 2 },
      });
      expect(created.status).toBe(201);
      const token = await localToken(gateway, {
        tenant,
        user: 'pat',
        resource: `${gateway.url}/federated/mcp`,
      });
      const client = await connect(token, '/federated/mcp');
      const [prompt] = (await client.listPrompts()).prompts.filter(
        (p) => !p.arguments?.some((a) => a.required),
      );
      const [resource] = (await client.listResources()).resources;
      await client.getPrompt({ name: prompt.name });
      await client.readResource({ uri: resource.uri });

      // Two messages reached the server: its limit of 2 a minute is spent, whichever method comes next.
      const refused = await refusalOf(client.getPrompt({ name: prompt.name }));
      expect(refused.status).toBe(429);
      expect(refused.body.error.data).toMatchObject({
        code: 'RATE_LIMITED',
        details: { bucket: 'server', limit: 2 },
      });
    } finally {
      await everything.stop();
    }
  });
});
