import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/gateway-app.js';
import { localToken } from '../support/gateway.js';
import { ModernMcpServer } from '../support/modern-mcp-server.js';
import { registerAs, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * The 2026-07-28 revision through the transparent proxy: its request headers (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`)
 * reach the upstream, and a request whose headers disagree with its body is refused before any policy acts on it.
 */
describe('MCP 2026-07-28 through /servers/{id}/mcp (e2e)', () => {
  let gateway: GatewayApp;
  let upstream: ModernMcpServer;
  let url: string;
  let token: string;
  let tenant: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    upstream = await new ModernMcpServer().start();
    gateway = await startRegistryGateway();
    tenant = uniqueTenant();
    url = `${gateway.url}/servers/${await registerAs(gateway, tenant, { name: 'modern', url: upstream.url })}/mcp`;
    token = await localToken(gateway, { tenant, user: 'nova', resource: url });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await gateway?.stop();
    await upstream?.stop();
  });

  async function connect(
    mode: 'auto' | { pin: string } | 'legacy',
    to: { url: string; token: string } = { url, token },
  ): Promise<Client> {
    const client = new Client({ name: 'modern-e2e', version: '1.0.0' }, { versionNegotiation: { mode } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(to.url), {
        authProvider: { token: () => Promise.resolve(to.token) },
      }),
    );
    clients.push(client);
    return client;
  }

  it('negotiates 2026-07-28 with a client set to auto, and calls a tool', async () => {
    const client = await connect('auto');
    expect(client.getNegotiatedProtocolVersion()).toBe('2026-07-28');
    expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'now' } });
    expect(result.content).toEqual([{ type: 'text', text: 'echo:now' }]);
    const call = upstream.requests.filter((request) => request.headers['mcp-method'] === 'tools/call').at(-1);
    expect(call?.headers['mcp-name']).toBe('echo');
  });

  it('works for a client pinned to 2026-07-28 and, unchanged, for a 2025-11-25 client', async () => {
    const pinned = await connect({ pin: '2026-07-28' });
    expect((await pinned.callTool({ name: 'echo', arguments: { text: 'pinned' } })).content).toEqual([
      { type: 'text', text: 'echo:pinned' },
    ]);
    const legacy = await connect('legacy');
    expect(legacy.getNegotiatedProtocolVersion()).toBe('2025-11-25');
    expect((await legacy.callTool({ name: 'echo', arguments: { text: 'old' } })).content).toEqual([
      { type: 'text', text: 'echo:old' },
    ]);
  });

  it('refuses a request whose Mcp-Name disagrees with the tool its body calls, before any policy acts on it', async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2026-07-28',
        'mcp-method': 'tools/call',
        'mcp-name': 'harmless',
      },
      body: JSON.stringify({
        jsonrpc: '2.0',
        id: 9,
        method: 'tools/call',
        params: { name: 'echo', arguments: { text: 'x' } },
      }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      id: 9,
      error: { code: -32020, data: { code: 'HEADER_MISMATCH' } },
    });
  });

  it('serves a client set to auto on /federated/mcp and /mcp too (2025-11-25 there, 2026-07-28 on /mcp)', async () => {
    for (const [path, expected] of [
      ['/federated/mcp', '2025-11-25'],
      ['/mcp', '2026-07-28'],
    ] as const) {
      const resource = `${gateway.url}${path}`;
      const client = new Client(
        { name: 'auto-e2e', version: '1.0.0' },
        { versionNegotiation: { mode: 'auto' } },
      );
      await client.connect(
        new StreamableHTTPClientTransport(new URL(resource), {
          authProvider: { token: () => localToken(gateway, { tenant, user: 'nova', resource }) },
        }),
      );
      clients.push(client);
      expect({ path, version: client.getNegotiatedProtocolVersion() }).toEqual({ path, version: expected });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    }
  });

  it('relays a subscriptions/listen stream as it arrives: the acknowledgement reaches the client while it stays open', async () => {
    const client = await connect({ pin: '2026-07-28' });
    // listen() resolves on notifications/subscriptions/acknowledged, the first frame of a stream that does not end:
    // a proxy that held the body until its end would never let it resolve.
    const subscription = await client.listen({ toolsListChanged: true });
    expect(subscription.honoredFilter).toMatchObject({ toolsListChanged: true });
    await subscription.close();
    expect(await subscription.closed).toBe('local');
    const listen = upstream.requests.find(
      (request) => request.headers['mcp-method'] === 'subscriptions/listen',
    );
    expect(listen).toBeDefined();
  });

  it('discovers a tool offered only on 2026-07-28, holds it for approval, then relays it to 2026 clients only', async () => {
    const own = uniqueTenant();
    const admin = await localToken(gateway, { tenant: own, roles: ['admin'] });
    const id = await registerAs(gateway, own, { name: 'eras', url: upstream.url });
    const serverUrl = `${gateway.url}/servers/${id}/mcp`;
    const user = {
      url: serverUrl,
      token: await localToken(gateway, { tenant: own, user: 'ivo', resource: serverUrl }),
    };
    const registered = await rest(gateway, admin, 'GET', `/api/v1/servers/${id}/capabilities`);
    expect(registered.body.approved.toolEras).toEqual({ '2025-11-25': ['echo'], '2026-07-28': ['echo'] });

    upstream.modernOnlyTools = ['forecast'];
    try {
      const checked = await rest(gateway, admin, 'POST', `/api/v1/servers/${id}/health`);
      expect(checked.body).toMatchObject({ pendingChanges: true });
      const capabilities = await rest(gateway, admin, 'GET', `/api/v1/servers/${id}/capabilities`);
      expect(capabilities.body.pending.drift).toEqual({ added: ['forecast'], removed: [], changed: [] });

      // Held: a 2026 client is neither shown it nor let through to it.
      const modern = await connect({ pin: '2026-07-28' }, user);
      expect((await modern.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
      await expect(modern.callTool({ name: 'forecast', arguments: { text: 'x' } })).rejects.toMatchObject({
        data: { code: 'TOOL_NOT_ALLOWED' },
      });

      const approved = await rest(gateway, admin, 'POST', `/api/v1/servers/${id}/approve-changes`, {
        capabilitiesHash: capabilities.body.pending.hash,
      });
      expect(approved.status).toBe(200);
      expect((await modern.listTools()).tools.map((tool) => tool.name).sort()).toEqual(['echo', 'forecast']);
      expect((await modern.callTool({ name: 'forecast', arguments: { text: 'rain' } })).content).toEqual([
        { type: 'text', text: 'forecast:rain' },
      ]);

      // A 2025 session is not offered it by the upstream, and /federated/mcp (whose upstream sessions are 2025
      // ones) does not list it.
      const legacy = await connect('legacy', user);
      expect((await legacy.listTools()).tools.map((tool) => tool.name)).toEqual(['echo']);
      const federatedUrl = `${gateway.url}/federated/mcp`;
      const federated = await connect('legacy', {
        url: federatedUrl,
        token: await localToken(gateway, { tenant: own, user: 'ivo', resource: federatedUrl }),
      });
      expect((await federated.listTools()).tools.map((tool) => tool.name)).toEqual(['eras__echo']);
    } finally {
      upstream.modernOnlyTools = [];
    }
  });
});
