import type { Client } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { EverythingServer } from '../support/everything-server.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, tool, toolError, uniqueTenant } from '../support/registry.js';

/** proxy_request, health_check and get_router_metrics on /mcp, and their REST equivalents. */
describe('router tools (e2e)', () => {
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

  async function mcpAs(tenant: string, roles: ('admin' | 'user')[]) {
    const client = await connectMcpClient(gateway, await localToken(gateway, { tenant, roles }));
    clients.push(client);
    return client;
  }

  it('proxy_request calls a tool on a named server, routes by tool name, and applies the tool policy', async () => {
    const fixture = await new FixtureMcpServer().start();
    try {
      const tenant = uniqueTenant();
      const admin = await mcpAs(tenant, ['admin']);
      await tool(admin, 'register_server', { name: 'everything', url: everything.url });
      await tool(admin, 'register_server', {
        name: 'fixture',
        url: fixture.url,
        toolRoles: { add: ['admin'] },
      });
      const user = await mcpAs(tenant, ['user']);

      const named = await tool(user, 'proxy_request', {
        server: 'everything',
        method: 'tools/call',
        params: { name: 'echo', arguments: { message: 'via tool' } },
      });
      expect(named).toMatchObject({ success: true, error_message: null });
      expect(named.response_data.content).toEqual([{ type: 'text', text: 'Echo: via tool' }]);
      expect(named.execution_time_ms).toBeGreaterThanOrEqual(0);

      const routed = await tool(user, 'proxy_request', {
        method: 'tools/call',
        params: { name: 'get-sum', arguments: { a: 2, b: 3 } },
      });
      expect(routed).toMatchObject({ success: true });
      expect(JSON.stringify(routed.response_data)).toContain('5');

      const listed = await tool(user, 'proxy_request', { server: 'fixture', method: 'tools/list' });
      expect((listed.response_data.tools as { name: string }[]).map((t) => t.name)).toEqual(['echo']);
      const refused = await toolError(user, 'proxy_request', {
        server: 'fixture',
        method: 'tools/call',
        params: { name: 'add', arguments: {} },
      });
      expect(refused.data).toMatchObject({ code: 'TOOL_NOT_ALLOWED', statusCode: 403 });
      expect(fixture.invocations.get('add')).toBeUndefined();

      const outsider = await mcpAs(uniqueTenant(), ['admin']);
      const hidden = await toolError(outsider, 'proxy_request', { server: 'everything', method: 'ping' });
      expect(hidden.data.code).toBe('SERVER_NOT_FOUND');

      const viaRest = await rest(
        gateway,
        await localToken(gateway, { tenant, roles: ['user'] }),
        'POST',
        '/api/v1/router/request',
        {
          server: 'everything',
          method: 'ping',
        },
      );
      expect(viaRest).toMatchObject({ status: 200, body: { success: true } });

      // A server in maintenance is refused with its own status and code, not as an internal error.
      await tool(admin, 'update_server', { server: 'fixture', maintenance: true });
      const down = await toolError(user, 'proxy_request', { server: 'fixture', method: 'ping' });
      expect(down.data).toMatchObject({ code: 'SERVER_UNAVAILABLE', statusCode: 503 });
    } finally {
      await fixture.stop();
    }
  });

  it('health_check probes live, and get_router_metrics reports traffic and breakers to admins', async () => {
    const fixture = await new FixtureMcpServer().start();
    const tenant = uniqueTenant();
    const admin = await mcpAs(tenant, ['admin']);
    await tool(admin, 'register_server', { name: 'fixture', url: fixture.url });
    await tool(admin, 'proxy_request', {
      server: 'fixture',
      method: 'tools/call',
      params: { name: 'echo', arguments: {} },
    });

    const healthy = await tool(admin, 'health_check', {});
    expect(healthy.servers).toEqual([
      expect.objectContaining({ name: 'fixture', status: 'healthy', error: null }),
    ]);
    await fixture.stop();
    const down = await tool(admin, 'health_check', { server: 'fixture' });
    expect(down.servers[0]).toMatchObject({ status: 'unhealthy', error: expect.any(String) });

    const metrics = await tool(admin, 'get_router_metrics', {});
    expect(metrics.servers).toEqual([
      expect.objectContaining({
        name: 'fixture',
        requests: 1,
        errors: 0,
        breakers: [{ url: fixture.url, state: 'closed' }],
      }),
    ]);
    const user = await mcpAs(tenant, ['user']);
    expect((await toolError(user, 'get_router_metrics', {})).data.code).toBe('INSUFFICIENT_ROLE');
    const restMetrics = await rest(
      gateway,
      await localToken(gateway, { tenant, roles: ['admin'] }),
      'GET',
      '/api/v1/router/metrics',
    );
    expect(restMetrics.body.servers[0].requests).toBe(1);
  });
});
