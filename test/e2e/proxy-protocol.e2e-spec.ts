import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { localToken } from '../support/gateway.js';
import { ModernMcpServer } from '../support/modern-mcp-server.js';
import { registerAs, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * The 2026-07-28 revision through the transparent proxy: its request headers (`Mcp-Method`, `Mcp-Name`, `Mcp-Param-*`)
 * reach the upstream, and a request whose headers disagree with its body is refused before any policy acts on it.
 */
describe('MCP 2026-07-28 through /servers/{id}/mcp and /federated/mcp (e2e)', () => {
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

  it('serves a client set to auto on /federated/mcp and /mcp too: both negotiate 2026-07-28', async () => {
    for (const path of ['/federated/mcp', '/mcp']) {
      const resource = `${gateway.url}${path}`;
      const client = await connect('auto', {
        url: resource,
        token: await localToken(gateway, { tenant, user: 'nova', resource }),
      });
      expect({ path, version: client.getNegotiatedProtocolVersion() }).toEqual({
        path,
        version: '2026-07-28',
      });
      expect((await client.listTools()).tools.length).toBeGreaterThan(0);
    }
  });

  it('calls a federated tool for a 2026-07-28 client and for a 2025-11-25 one, with an audit row for each', async () => {
    const resource = `${gateway.url}/federated/mcp`;
    const to = { url: resource, token: await localToken(gateway, { tenant, user: 'nova', resource }) };
    // Labels no other call carries, so each audit row is found by its own arguments.
    const run = Math.random().toString(36).slice(2);
    const calls = [
      [`federated-2026-${run}`, { pin: '2026-07-28' }],
      [`federated-2025-${run}`, 'legacy'],
    ] as const;
    for (const [label, mode] of calls) {
      const client = await connect(mode, to);
      const result = await client.callTool({ name: 'modern__echo', arguments: { text: label } });
      expect(result.content).toEqual([{ type: 'text', text: `echo:${label}` }]);
      await expect(
        client.callTool({ name: 'modern__missing', arguments: { text: label } }),
      ).rejects.toMatchObject({ data: { code: 'TOOL_NOT_ALLOWED' } });
    }
    await gateway.app.get(AuditWriter).flush();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const rows = await rest(gateway, admin, 'GET', '/api/v1/audit?action=tools/call&limit=1000');
    const events = rows.body.events as {
      tool: string;
      outcome: string;
      errorCode: string | null;
      params: { text?: string } | null;
    }[];
    for (const [label] of calls) {
      expect(
        events
          .filter((row) => row.params?.text === label)
          .map(({ tool, outcome, errorCode }) => ({ tool, outcome, errorCode }))
          .sort((a, b) => a.tool.localeCompare(b.tool)),
      ).toEqual([
        // Under the upstream's own tool name, as a call through /servers/{id}/mcp is recorded.
        { tool: 'echo', outcome: 'success', errorCode: null },
        { tool: 'modern__missing', outcome: 'denied', errorCode: 'TOOL_NOT_ALLOWED' },
      ]);
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

  it("tells a 2026-07-28 client listening on /federated/mcp when its tool list changes, and not another tenant's", async () => {
    const resource = `${gateway.url}/federated/mcp`;
    const listen = async (tenant: string) => {
      const client = await connect(
        { pin: '2026-07-28' },
        { url: resource, token: await localToken(gateway, { tenant, user: 'lee', resource }) },
      );
      const changes: string[] = [];
      let changed = () => undefined as void;
      const arrived = new Promise<void>((resolve) => (changed = resolve));
      client.setNotificationHandler('notifications/tools/list_changed', () => {
        changes.push('tools');
        changed();
      });
      const subscription = await client.listen({ toolsListChanged: true });
      return { client, changes, arrived, subscription };
    };
    const own = uniqueTenant();
    const other = uniqueTenant();
    const mine = await listen(own);
    const theirs = await listen(other);

    await registerAs(gateway, own, { name: 'joined', url: upstream.url });
    await mine.arrived;
    await registerAs(gateway, other, { name: 'joined', url: upstream.url });
    await theirs.arrived;
    // One stream's frames arrive in order: had it been told of the first tenant's registration, that frame would
    // have come before the one for its own.
    expect(theirs.changes).toEqual(['tools']);
    expect(mine.changes[0]).toBe('tools');
    await Promise.all([mine.subscription.close(), theirs.subscription.close()]);
  });

  it('completes an input_required (elicitation) round trip on tools/call through the proxy, each leg audited', async () => {
    const confirming = await new ModernMcpServer({ confirmTool: true }).start();
    try {
      const own = uniqueTenant();
      const id = await registerAs(gateway, own, { name: 'deployer', url: confirming.url });
      const serverUrl = `${gateway.url}/servers/${id}/mcp`;
      const client = new Client(
        { name: 'elicit-e2e', version: '1.0.0' },
        { capabilities: { elicitation: { form: {} } }, versionNegotiation: { mode: { pin: '2026-07-28' } } },
      );
      const asked: string[] = [];
      client.setRequestHandler('elicitation/create', (request) => {
        asked.push(String(request.params.message));
        return { action: 'accept', content: { confirm: true } };
      });
      const userToken = await localToken(gateway, { tenant: own, user: 'dev', resource: serverUrl });
      await client.connect(
        new StreamableHTTPClientTransport(new URL(serverUrl), {
          authProvider: { token: () => Promise.resolve(userToken) },
        }),
      );
      clients.push(client);
      const result = await client.callTool({ name: 'deploy', arguments: { env: 'prod' } });
      expect(asked).toEqual(['Deploy to prod?']);
      expect(result.content).toEqual([{ type: 'text', text: 'deployed to prod' }]);

      await gateway.app.get(AuditWriter).flush();
      const admin = await localToken(gateway, { tenant: own, roles: ['admin'] });
      const rows = await rest(gateway, admin, 'GET', `/api/v1/audit?serverId=${id}&action=tools/call`);
      expect(
        (rows.body.events as { tool: string; outcome: string }[]).map(({ tool, outcome }) => ({
          tool,
          outcome,
        })),
      ).toEqual([
        { tool: 'deploy', outcome: 'success' },
        { tool: 'deploy', outcome: 'success' },
      ]);
    } finally {
      await confirming.stop();
    }
  });
});
