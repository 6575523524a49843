import type { Client } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { EverythingServer } from '../support/everything-server.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { ResumableMcpServer } from '../support/resumable-mcp-server.js';
import { localOid } from '../../src/auth/oauth/dev-sign-in.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { postJsonRpc, rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { sseEvents } from '../support/sse.js';

/** `/federated/mcp`: every server the caller may use behind one MCP endpoint, tools named {server}__{tool}. */
describe('federated MCP endpoint (e2e)', () => {
  let gateway: GatewayApp;
  let everything: EverythingServer;
  let fixture: FixtureMcpServer;
  let resumable: ResumableMcpServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    everything = await new EverythingServer().start();
    fixture = await new FixtureMcpServer().start();
    resumable = await new ResumableMcpServer().start();
    gateway = await startRegistryGateway({
      MREG_FEDERATION_PAGE_SIZE: '10',
    });
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.stop();
    await everything?.stop();
    await fixture?.stop();
    await resumable?.stop();
  });

  it("sends the same headers as the transparent relay: the gateway's user agent and the caller's identity where asked", async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'identity',
      url: fixture.url,
      identityHeaders: true,
    });
    const user = await federated(tenant, 'ines', ['user']);
    await user.callTool({ name: 'identity__echo', arguments: { text: 'who' } });
    expect(fixture.headers.at(-1)).toMatchObject({
      'user-agent': expect.stringMatching(/^mcp-registry-gateway\//),
      'x-mcp-user-id': localOid(tenant, 'ines'),
      'x-mcp-tenant-id': `local:${tenant}`,
      'x-mcp-identity': expect.any(String),
    });
  });

  it('resumes an upstream stream closed before its response (Last-Event-ID), on the same upstream session', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    await rest(gateway, admin, 'POST', '/api/v1/servers', { name: 'resumable', url: resumable.url });
    const user = await federated(tenant, 'rita', ['user']);
    const sessionsBefore = resumable.openSessions;
    for (const round of [1, 2]) {
      const result = await user.callTool({ name: 'resumable__cut', arguments: {} });
      expect({ round, content: result.content }).toEqual({
        round,
        content: [{ type: 'text', text: 'answered after the cut' }],
      });
    }
    expect(resumable.cuts).toBe(2);
    // One upstream session for the user, kept across the cuts (a cut is not a broken session).
    expect(resumable.openSessions).toBe(sessionsBefore + 1);
  });

  async function federated(tenant: string, user: string, roles: ('admin' | 'user')[]) {
    const token = await localToken(gateway, {
      tenant,
      user,
      roles,
      resource: `${gateway.url}/federated/mcp`,
    });
    const client = await connectMcpClient(gateway, token, '/federated/mcp');
    clients.push(client);
    return client;
  }

  it('lists and calls the tools of every visible server, by prefix, within policy', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    await rest(gateway, admin, 'POST', '/api/v1/servers', { name: 'everything', url: everything.url });
    const fixtureServer = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'fixture',
      url: fixture.url,
      toolRoles: { add: ['admin'] },
    });

    const user = await federated(tenant, 'ursula', ['user']);
    // listTools follows nextCursor across pages of 10.
    const names = (await user.listTools()).tools.map((tool) => tool.name);
    expect(names).toEqual(
      expect.arrayContaining(['everything__echo', 'everything__get-sum', 'fixture__echo']),
    );
    expect(names).not.toContain('fixture__add');
    expect(names.length).toBeGreaterThan(10);
    // Tools the upstream offers only to clients that answer sampling or elicitation requests are not listed here
    // (this endpoint cannot relay those requests): every tool listed can be called.
    expect(names).not.toContain('everything__trigger-sampling-request');
    expect(names).not.toContain('everything__trigger-elicitation-request');
    const echo = (await user.listTools()).tools.find((tool) => tool.name === 'fixture__echo');
    expect(echo?.description).toBe('Echoes a message');

    const result = await user.callTool({ name: 'everything__echo', arguments: { message: 'fed' } });
    expect(result.content).toEqual([{ type: 'text', text: 'Echo: fed' }]);
    const again = await user.callTool({ name: 'fixture__echo', arguments: { text: 'x' } });
    expect(again.content).toEqual([{ type: 'text', text: 'echo:x' }]);
    await expect(user.callTool({ name: 'fixture__add', arguments: {} })).rejects.toMatchObject({
      data: { code: 'TOOL_NOT_ALLOWED' },
    });
    expect(fixture.invocations.get('add')).toBeUndefined();

    // Prompts by prefix; resources under mcpgw://{server}/{original URI}, read through the right server.
    const prompts = (await user.listPrompts()).prompts;
    const simple = prompts.find((prompt) => (prompt.arguments ?? []).every((argument) => !argument.required));
    expect(simple?.name).toMatch(/^everything__/);
    const rendered = await user.getPrompt({ name: simple!.name, arguments: {} });
    expect(rendered.messages.length).toBeGreaterThan(0);
    const resources = (await user.listResources()).resources;
    expect(resources.length).toBeGreaterThan(0);
    expect(new Set(resources.map((resource) => resource.uri)).size).toBe(resources.length);
    expect(resources.every((resource) => resource.uri.startsWith('mcpgw://everything/'))).toBe(true);
    const read = await user.readResource({ uri: resources[0].uri });
    expect(read.contents[0].uri).toBe(resources[0].uri);
    await expect(user.readResource({ uri: 'mcpgw://nowhere/x' })).rejects.toMatchObject({
      data: { code: 'NOT_AVAILABLE' },
    });

    const adminClient = await federated(tenant, 'ada', ['admin']);
    expect((await adminClient.listTools()).tools.map((tool) => tool.name)).toContain('fixture__add');

    // Another tenant sees nothing of this; a registry change shows at once.
    expect((await (await federated(uniqueTenant(), 'eve', ['admin'])).listTools()).tools).toEqual([]);
    await rest(gateway, admin, 'DELETE', `/api/v1/servers/${fixtureServer.body.server.id}`);
    expect((await user.listTools()).tools.map((tool) => tool.name)).not.toContain('fixture__echo');
  });

  it('serves a legacy HTTP+SSE upstream through federation, while its transparent endpoint says 501', async () => {
    const legacy = await new EverythingServer('sse').start();
    try {
      const tenant = uniqueTenant();
      const admin = await localToken(gateway, { tenant, roles: ['admin'] });
      const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
        name: 'legacy',
        url: legacy.url,
        transport: 'sse',
      });
      expect(created.status).toBe(201);
      const user = await federated(tenant, 'ursula', ['user']);
      expect((await user.listTools()).tools.map((tool) => tool.name)).toContain('legacy__echo');
      const result = await user.callTool({ name: 'legacy__echo', arguments: { message: 'old' } });
      expect(result.content).toEqual([{ type: 'text', text: 'Echo: old' }]);

      const resource = `${gateway.url}/servers/${created.body.server.id}/mcp`;
      const direct = await postJsonRpc(resource, await localToken(gateway, { tenant, resource }), 'ping');
      expect(direct.status).toBe(501);
    } finally {
      await legacy.stop();
    }
  });

  it('tells a connected client when a registry change alters its lists, and only then', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'fixture',
      url: fixture.url,
      toolRoles: { add: ['admin'] },
    });
    const user = await federated(tenant, 'ursula', ['user']);
    const sdkNotified = new Promise<void>((resolve) =>
      user.setNotificationHandler('notifications/tools/list_changed', () => resolve()),
    );
    expect((await user.listTools()).tools.map((tool) => tool.name)).not.toContain('fixture__add');

    // A raw stream too: once its headers are here it is watching, so what follows is deterministic.
    const token = await localToken(gateway, {
      tenant,
      user: 'ursula',
      roles: ['user'],
      resource: `${gateway.url}/federated/mcp`,
    });
    const stream = await fetch(`${gateway.url}/federated/mcp`, {
      headers: { authorization: `Bearer ${token}`, accept: 'text/event-stream' },
    });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toBe('text/event-stream');
    const events = sseEvents(stream.body!);

    // Another tenant's registration changes nothing this caller sees: no message for it.
    const other = await localToken(gateway, { tenant: uniqueTenant(), roles: ['admin'] });
    await rest(gateway, other, 'POST', '/api/v1/servers', { name: 'fixture', url: fixture.url });
    const updated = await rest(gateway, admin, 'PATCH', `/api/v1/servers/${created.body.server.id}`, {
      toolRoles: {},
    });
    expect(updated.status).toBe(200);

    expect(await events.nextMessage()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    await sdkNotified;
    expect((await user.listTools()).tools.map((tool) => tool.name)).toContain('fixture__add');
    await events.close();

    const refused = await fetch(`${gateway.url}/federated/mcp`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    expect(refused.status).toBe(406);
  });
  it('resumes the list-changed stream: a client back with Last-Event-ID hears what changed while it was away', async () => {
    const tenant = uniqueTenant();
    const admin = await localToken(gateway, { tenant, roles: ['admin'] });
    const token = await localToken(gateway, {
      tenant,
      user: 'rosa',
      roles: ['user'],
      resource: `${gateway.url}/federated/mcp`,
    });
    const open = (lastEventId?: string) =>
      fetch(`${gateway.url}/federated/mcp`, {
        headers: {
          authorization: `Bearer ${token}`,
          accept: 'text/event-stream',
          'mcp-protocol-version': '2025-11-25',
          ...(lastEventId ? { 'last-event-id': lastEventId } : {}),
        },
      });
    const first = sseEvents((await open()).body!);
    const position = (await first.next())!.id!;
    await first.close();

    // While the client is away, a server it may use appears: tools (and resources) it sees change.
    expect(
      (await rest(gateway, admin, 'POST', '/api/v1/servers', { name: 'fixture', url: fixture.url })).status,
    ).toBe(201);
    const resumed = sseEvents((await open(position)).body!);
    const priming = await resumed.next();
    expect(priming!.id).not.toBe(position);
    expect(await resumed.nextMessage()).toEqual({
      jsonrpc: '2.0',
      method: 'notifications/tools/list_changed',
    });
    await resumed.close();

    // Back from the position it now has (or with an id that is not ours): nothing to tell.
    for (const lastEventId of [priming!.id!, 'not-a-position']) {
      const again = sseEvents((await open(lastEventId)).body!);
      expect((await again.next())!.data).toBe('');
      const nothing = await Promise.race([
        again.next(),
        new Promise((resolve) => setTimeout(() => resolve('quiet'), 200)),
      ]);
      expect(nothing).toBe('quiet');
      await again.close();
    }
  });
});
