import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/gateway-app.js';
import { localToken } from '../support/gateway.js';
import { ModernMcpServer } from '../support/modern-mcp-server.js';
import { registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

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

  async function connect(mode: 'auto' | { pin: string } | 'legacy'): Promise<Client> {
    const client = new Client({ name: 'modern-e2e', version: '1.0.0' }, { versionNegotiation: { mode } });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(url), {
        authProvider: { token: () => Promise.resolve(token) },
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
});
