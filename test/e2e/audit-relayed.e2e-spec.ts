import type { Client } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { connectMcpClient, localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, tool, uniqueTenant } from '../support/registry.js';

interface AuditRow {
  surface: string;
  action: string;
  serverId: string | null;
  tool: string | null;
  outcome: string;
  errorCode: string | null;
  params: Record<string, unknown> | null;
}

/**
 * Every path to an upstream tool leaves an event with the resolved server and the upstream tool in the same fields:
 * the transparent proxy, `proxy_request` by server and by capability, and `POST /api/v1/router/request`. Filters by
 * server and tool find them all; registrations carry the id of the server they created.
 */
describe('audit rows of relayed calls (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  const clients: Client[] = [];

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway();
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await gateway?.stop();
    await fixture?.stop();
  });

  async function audit(token: string, query: Record<string, string>): Promise<AuditRow[]> {
    await gateway.app.get(AuditWriter).flush();
    const search = new URLSearchParams({ limit: '1000', ...query }).toString();
    const found = await rest(gateway, token, 'GET', `/api/v1/audit?${search}`);
    expect(found.status).toBe(200);
    return found.body.events as AuditRow[];
  }

  it('records the server and upstream tool of every path to a tool, and the registration its new id', async () => {
    const tenant = uniqueTenant();
    const adminToken = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    const created = await rest(gateway, adminToken, 'POST', '/api/v1/servers', {
      name: 'fixture',
      url: fixture.url,
    });
    const id = created.body.server.id as string;

    const [registration] = await audit(adminToken, { action: 'registry.register' });
    expect(registration).toMatchObject({ serverId: id, outcome: 'success' });
    expect(JSON.stringify(registration.params)).not.toContain('serverRef');

    const path = `/servers/${id}/mcp`;
    const transparent = await connectMcpClient(
      gateway,
      await localToken(gateway, { tenant, roles: ['admin'], resource: `${gateway.url}${path}` }),
      path,
    );
    const gatewayMcp = await connectMcpClient(gateway, adminToken);
    clients.push(transparent, gatewayMcp);
    await transparent.callTool({ name: 'echo', arguments: { text: 'transparent' } });
    const federated = await connectMcpClient(
      gateway,
      await localToken(gateway, { tenant, roles: ['admin'], resource: `${gateway.url}/federated/mcp` }),
      '/federated/mcp',
    );
    clients.push(federated);
    await federated.callTool({ name: 'fixture__echo', arguments: { text: 'federated' } });
    const echo = { name: 'echo', arguments: { text: 'relayed' } };
    expect(
      await tool(gatewayMcp, 'proxy_request', { server: id, method: 'tools/call', params: echo }),
    ).toMatchObject({ success: true });
    const routed = await tool(gatewayMcp, 'proxy_request', {
      method: 'tools/call',
      params: { name: 'add', arguments: { text: 'routed' } },
    });
    expect(routed).toMatchObject({ success: true, server_id: id });
    const viaRest = await rest(gateway, adminToken, 'POST', '/api/v1/router/request', {
      server: 'fixture',
      method: 'tools/call',
      params: echo,
    });
    expect(viaRest.body).toMatchObject({ success: true });

    const echoes = await audit(adminToken, { serverId: id, tool: 'echo' });
    // Transparent and federated (both 'proxy'), proxy_request ('mcp') and the router ('rest').
    expect(echoes.map((row) => row.surface).sort()).toEqual(['mcp', 'proxy', 'proxy', 'rest']);
    expect(echoes.every((row) => row.outcome === 'success')).toBe(true);
    const relayedByTool = echoes.find((row) => row.surface === 'mcp')!;
    expect(relayedByTool).toMatchObject({ action: 'tools/call', tool: 'echo' });
    expect(relayedByTool.params).toMatchObject({ via: 'proxy_request', method: 'tools/call' });
    expect(echoes.find((row) => row.surface === 'rest')!.params).toMatchObject({ via: 'router.request' });
    const adds = await audit(adminToken, { serverId: id, tool: 'add' });
    expect(adds).toEqual([expect.objectContaining({ surface: 'mcp', serverId: id, tool: 'add' })]);
  });

  it('records a relayed call whose upstream failed as an error with its code', async () => {
    const tenant = uniqueTenant();
    const adminToken = await localToken(gateway, { tenant, roles: ['admin'] });
    const down = await new FixtureMcpServer().start();
    const created = await rest(gateway, adminToken, 'POST', '/api/v1/servers', {
      name: 'down',
      url: down.url,
    });
    const id = created.body.server.id as string;
    await down.stop();

    const answer = await rest(gateway, adminToken, 'POST', '/api/v1/router/request', {
      server: id,
      method: 'tools/call',
      params: { name: 'echo', arguments: {} },
    });
    expect(answer.body).toMatchObject({ success: false });
    const [row] = await audit(adminToken, { serverId: id, tool: 'echo' });
    expect(row).toMatchObject({ surface: 'rest', outcome: 'error', errorCode: 'UPSTREAM_UNAVAILABLE' });
  });
});
