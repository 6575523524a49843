import type { Client } from '@modelcontextprotocol/client';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { EverythingServer } from '../support/everything-server.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, tool, toolError, uniqueTenant } from '../support/registry.js';

/**
 * The "done when": an admin in local mode registers the everything-server through /mcp, finds its tools
 * through search_tools, the capabilities route and /v0.1/servers; a second tenant sees none of it.
 */
describe('registry (e2e, local mode, real upstreams)', () => {
  let gateway: GatewayApp;
  let everything: EverythingServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    everything = await new EverythingServer().start();
    gateway = await startRegistryGateway();
  });

  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await gateway?.stop();
    await everything?.stop();
  });

  async function mcpAs(tenant: string, user: string, roles: ('admin' | 'server_owner' | 'user')[]) {
    const client = await connectMcpClient(gateway, await localToken(gateway, { tenant, user, roles }));
    clients.push(client);
    return client;
  }

  it('registers the everything-server through /mcp and serves its tools to the tenant only', async () => {
    const tenant = uniqueTenant('acme');
    const admin = await mcpAs(tenant, 'alice', ['admin']);
    const token = await localToken(gateway, { tenant, user: 'alice', roles: ['admin'] });

    const registered = await tool(admin, 'register_server', {
      name: 'everything',
      url: everything.url,
      healthCheck: { degradedLatencyMs: 60_000 },
    });
    expect(registered).toMatchObject({ success: true, message: expect.stringContaining('everything') });
    expect(registered.registered_capabilities.tools).toEqual(expect.arrayContaining(['echo', 'get-sum']));
    const id = registered.server_id as string;

    const found = await tool(admin, 'search_tools', { q: 'echo' });
    expect(found.tools).toEqual([
      expect.objectContaining({ name: 'echo', server: expect.objectContaining({ id }) }),
    ]);

    const capabilities = await rest(gateway, token, 'GET', `/api/v1/servers/${id}/capabilities`);
    expect(capabilities.status).toBe(200);
    const approvedTools = capabilities.body.approved.tools as { name: string }[];
    expect(approvedTools.map((t) => t.name)).toContain('echo');
    expect(capabilities.body.approved.prompts.length).toBeGreaterThan(0);
    expect(capabilities.body.protocolVersion).toMatch(/^\d{4}-\d{2}-\d{2}$/);

    const official = await rest(gateway, token, 'GET', '/v0.1/servers');
    expect(official.status).toBe(200);
    expect(official.body.servers).toEqual([
      expect.objectContaining({
        server: expect.objectContaining({
          name: 'everything',
          remotes: [{ type: 'streamable-http', url: `${gateway.url}/servers/${id}/mcp` }],
        }),
      }),
    ]);
    const latest = await rest(gateway, token, 'GET', '/v0.1/servers/everything/versions/latest');
    expect(latest.body.server.name).toBe('everything');

    const listed = await tool(admin, 'list_servers');
    expect(listed).toMatchObject({
      total_count: 1,
      user_context: { roles: ['admin', 'server_owner', 'user'] },
    });
    expect(listed.servers[0]).toMatchObject({ id, status: 'healthy', toolCount: expect.any(Number) });

    // A second tenant, even as admin, sees none of it: lists are empty and the id answers 404 everywhere.
    const other = uniqueTenant('globex');
    const otherAdmin = await mcpAs(other, 'bob', ['admin']);
    const otherToken = await localToken(gateway, { tenant: other, user: 'bob', roles: ['admin'] });
    expect((await tool(otherAdmin, 'list_servers')).total_count).toBe(0);
    expect((await tool(otherAdmin, 'search_tools', { q: 'echo' })).tools).toEqual([]);
    expect((await rest(gateway, otherToken, 'GET', '/v0.1/servers')).body.servers).toEqual([]);
    for (const [method, path] of [
      ['GET', `/api/v1/servers/${id}`],
      ['PATCH', `/api/v1/servers/${id}`],
      ['DELETE', `/api/v1/servers/${id}`],
      ['POST', `/api/v1/servers/${id}/health`],
      ['GET', `/api/v1/servers/${id}/capabilities`],
      ['POST', `/api/v1/servers/${id}/approve-changes`],
      ['GET', '/v0.1/servers/everything/versions/latest'],
    ]) {
      const response = await rest(
        gateway,
        otherToken,
        method,
        path,
        method === 'PATCH' ? { title: 'x' } : {},
      );
      expect({ method, path, status: response.status, code: response.body.code }).toEqual({
        method,
        path,
        status: 404,
        code: 'SERVER_NOT_FOUND',
      });
    }
    for (const name of ['get_server', 'update_server', 'unregister_server', 'approve_server_changes']) {
      const error = await toolError(otherAdmin, name, {
        server: id,
        ...(name === 'update_server' ? { title: 'x' } : {}),
      });
      expect({ name, code: error.data?.code }).toEqual({ name, code: 'SERVER_NOT_FOUND' });
    }
    // The owner's tenant still has it, untouched.
    expect((await rest(gateway, token, 'GET', `/api/v1/servers/${id}`)).body.title).toBeNull();
  });

  it('applies the role matrix on REST and MCP with the same codes', async () => {
    const fixture = await new FixtureMcpServer().start();
    try {
      const tenant = uniqueTenant();
      const owner = await localToken(gateway, { tenant, user: 'olive', roles: ['server_owner'] });
      const otherOwner = await localToken(gateway, { tenant, user: 'oscar', roles: ['server_owner'] });
      const user = await localToken(gateway, { tenant, user: 'ursula', roles: ['user'] });
      const userMcp = await mcpAs(tenant, 'ursula', ['user']);

      const denied = await rest(gateway, user, 'POST', '/api/v1/servers', { name: 'nope', url: fixture.url });
      expect(denied).toMatchObject({ status: 403, body: { code: 'INSUFFICIENT_ROLE' } });
      const deniedMcp = await toolError(userMcp, 'register_server', { name: 'nope', url: fixture.url });
      expect(deniedMcp.data).toMatchObject({ code: 'INSUFFICIENT_ROLE', statusCode: 403 });

      const created = await rest(gateway, owner, 'POST', '/api/v1/servers', {
        name: 'fixture',
        url: fixture.url,
        tags: ['dev'],
      });
      expect(created.status).toBe(201);
      const id = created.body.server.id as string;
      expect(created.body.discovered.tools).toEqual(['add', 'echo']);

      const secret = await rest(gateway, owner, 'POST', '/api/v1/servers', {
        name: 'admins-only',
        url: fixture.url,
        requiredRoles: ['admin'],
        discover: false,
      });
      expect(secret.status).toBe(201);

      // A user sees the open server, not the admins-only one; reads work, changes do not.
      const listed = await rest(gateway, user, 'GET', '/api/v1/servers');
      expect((listed.body.items as { name: string }[]).map((s) => s.name)).toEqual(['fixture']);
      expect((await rest(gateway, user, 'GET', `/api/v1/servers/${secret.body.server.id}`)).status).toBe(404);
      expect((await rest(gateway, user, 'PATCH', `/api/v1/servers/${id}`, { title: 'x' })).body.code).toBe(
        'NOT_SERVER_OWNER',
      );
      // On MCP the tool is not even listed to a user; called anyway, it answers for the missing role.
      const userUpdate = await toolError(userMcp, 'update_server', { server: id, title: 'x' });
      expect(userUpdate.data).toMatchObject({ code: 'INSUFFICIENT_ROLE', statusCode: 403 });
      const userTools = (await userMcp.listTools()).tools.map((t) => t.name);
      for (const hidden of [
        'register_server',
        'update_server',
        'unregister_server',
        'approve_server_changes',
        'get_router_metrics',
        'query_audit_log',
        'list_tenants',
      ]) {
        expect(userTools).not.toContain(hidden);
      }
      expect(userTools).toEqual(expect.arrayContaining(['whoami', 'list_servers', 'proxy_request']));
      const ownerTools = (await mcpAs(tenant, 'olive', ['server_owner']).then((c) => c.listTools())).tools;
      expect(ownerTools.map((t) => t.name)).toEqual(
        expect.arrayContaining(['register_server', 'update_server', 'unregister_server']),
      );
      expect(ownerTools.map((t) => t.name)).not.toContain('approve_server_changes');
      // A hidden tool refused by the role rule is refused the same way everywhere, and audited as a denial.
      const auditRefused = await toolError(userMcp, 'query_audit_log', {});
      expect(auditRefused.data).toMatchObject({ code: 'INSUFFICIENT_ROLE', statusCode: 403 });
      await gateway.app.get(AuditWriter).flush();
      const admin = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
      const denials = await rest(gateway, admin, 'GET', '/api/v1/audit?tool=query_audit_log&outcome=denied');
      expect(denials.body.events).toEqual([
        expect.objectContaining({ actorName: 'ursula', errorCode: 'INSUFFICIENT_ROLE' }),
      ]);

      // Another server_owner cannot change it; its owner can.
      expect((await rest(gateway, otherOwner, 'DELETE', `/api/v1/servers/${id}`)).status).toBe(403);
      const renamed = await rest(gateway, owner, 'PATCH', `/api/v1/servers/${id}`, { title: 'Fixture' });
      expect(renamed).toMatchObject({ status: 200, body: { title: 'Fixture' } });

      // Only admins approve drift.
      expect((await rest(gateway, owner, 'POST', `/api/v1/servers/${id}/approve-changes`, {})).status).toBe(
        403,
      );

      expect((await rest(gateway, owner, 'DELETE', `/api/v1/servers/${id}`)).status).toBe(204);
      expect((await rest(gateway, user, 'GET', `/api/v1/servers/${id}`)).status).toBe(404);
    } finally {
      await fixture.stop();
    }
  });

  it('validates input, refuses private and metadata upstreams, names taken, and never returns secrets', async () => {
    const fixture = await new FixtureMcpServer().start();
    try {
      const tenant = uniqueTenant();
      const admin = await localToken(gateway, { tenant, roles: ['admin'] });
      const post = (body: unknown) => rest(gateway, admin, 'POST', '/api/v1/servers', body);

      expect(await post({ name: 'Bad Name', url: fixture.url })).toMatchObject({
        status: 400,
        body: { code: 'VALIDATION_FAILED' },
      });
      expect((await post({ name: 'x', url: fixture.url, surprise: 1 })).status).toBe(400);
      expect((await post({ name: 'x', url: 'ftp://example.com/mcp' })).body.code).toBe(
        'UPSTREAM_URL_REFUSED',
      );
      expect((await post({ name: 'x', url: 'http://169.254.169.254/latest' })).body.code).toBe(
        'UPSTREAM_URL_REFUSED',
      );
      expect((await post({ name: 'x', url: 'http://user:pw@example.com/mcp' })).status).toBe(422);
      expect((await post({ name: 'x' })).body.code).toBe('INVALID_SERVER');

      const created = await post({
        name: 'with-secret',
        url: fixture.url,
        upstreamAuth: { type: 'static', headerName: 'Authorization', value: 'Bearer upstream-s3cret' },
      });
      expect(created.status).toBe(201);
      expect(JSON.stringify(created.body)).not.toContain('upstream-s3cret');
      expect(created.body.server.upstreamAuth).toEqual({
        type: 'static',
        headerName: 'Authorization',
        hasSecret: true,
      });
      // Discovery used the upstream credential, not the caller's token.
      expect(fixture.authorizations).toContain('Bearer upstream-s3cret');
      expect(fixture.authorizations.every((value) => value === 'Bearer upstream-s3cret')).toBe(true);

      // The stored secret never follows the server to a new host unless it is given again.
      const id = created.body.server.id as string;
      const moved = await rest(gateway, admin, 'PATCH', `/api/v1/servers/${id}`, {
        url: 'http://127.0.0.2:9/mcp',
      });
      expect(moved).toMatchObject({ status: 422, body: { code: 'INVALID_SERVER' } });
      const sameHost = await rest(gateway, admin, 'PATCH', `/api/v1/servers/${id}`, {
        url: `${fixture.url}?v=2`,
      });
      expect(sameHost.status).toBe(200);
      const resupplied = await rest(gateway, admin, 'PATCH', `/api/v1/servers/${id}`, {
        url: 'http://127.0.0.2:9/mcp',
        upstreamAuth: { type: 'static', value: 'Bearer for-the-new-host' },
      });
      expect(resupplied.status).toBe(200);

      const again = await post({ name: 'with-secret', url: fixture.url, discover: false });
      expect(again).toMatchObject({ status: 409, body: { code: 'SERVER_NAME_TAKEN' } });

      const down = await post({ name: 'down', url: 'http://127.0.0.1:9/mcp' });
      expect(down).toMatchObject({ status: 502, body: { code: 'DISCOVERY_FAILED' } });
      const list = await rest(gateway, admin, 'GET', '/api/v1/servers?q=down');
      expect(list.body.total).toBe(0);
    } finally {
      await fixture.stop();
    }
  });

  it('shows each caller, in the capabilities view, only the tools tools/list shows them; admins see all', async () => {
    const fixture = await new FixtureMcpServer().start();
    try {
      const tenant = uniqueTenant();
      const admin = await localToken(gateway, { tenant, roles: ['admin'] });
      const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
        name: 'roles',
        url: fixture.url,
        toolRoles: { add: ['admin'] },
      });
      const path = `/api/v1/servers/${created.body.server.id}/capabilities`;
      const toolsSeenBy = async (token: string) =>
        ((await rest(gateway, token, 'GET', path)).body.approved.tools as { name: string }[]).map(
          (t) => t.name,
        );
      expect(await toolsSeenBy(admin)).toEqual(['add', 'echo']);
      const user = await localToken(gateway, { tenant, user: 'ursula', roles: ['user'] });
      const shown = await toolsSeenBy(user);
      expect(shown).toEqual(['echo']);
      // The same set a user's tools/list through the proxy gets.
      const proxyPath = `/servers/${created.body.server.id}/mcp`;
      const client = await connectMcpClient(
        gateway,
        await localToken(gateway, {
          tenant,
          user: 'ursula',
          roles: ['user'],
          resource: `${gateway.url}${proxyPath}`,
        }),
        proxyPath,
      );
      clients.push(client);
      expect((await client.listTools()).tools.map((t) => t.name)).toEqual(shown);
    } finally {
      await fixture.stop();
    }
  });

  it('imports an official server.json', async () => {
    const fixture = await new FixtureMcpServer().start();
    try {
      const admin = await localToken(gateway, { tenant: uniqueTenant(), roles: ['admin'] });
      const imported = await rest(gateway, admin, 'POST', '/api/v1/servers/import', {
        $schema: 'https://static.modelcontextprotocol.io/schemas/2025-10-17/server.schema.json',
        name: 'io.github.acme/Weather_Server',
        description: 'Weather',
        version: '1.2.3',
        remotes: [{ type: 'streamable-http', url: fixture.url }],
      });
      expect(imported.status).toBe(201);
      expect(imported.body.server).toMatchObject({
        name: 'weather-server',
        version: '1.2.3',
        description: 'Weather',
      });
      expect(imported.body.discovered.tools).toEqual(['add', 'echo']);
      // A mapped server.json passes the same validation as a direct registration.
      const badHeader = await rest(gateway, admin, 'POST', '/api/v1/servers/import?name=bad-header', {
        name: 'io.github.acme/other',
        description: 'Other',
        version: '1.0.0',
        remotes: [
          { type: 'streamable-http', url: fixture.url, headers: [{ name: 'X Api Key', value: 'k' }] },
        ],
      });
      expect(badHeader).toMatchObject({ status: 400, body: { code: 'VALIDATION_FAILED' } });
    } finally {
      await fixture.stop();
    }
  });
});
