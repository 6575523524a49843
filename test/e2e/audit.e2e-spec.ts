import type { Client } from '@modelcontextprotocol/client';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { localOid } from '../../src/auth/oauth/dev-sign-in.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { call, connectMcpClient, localToken } from '../support/gateway.js';
import {
  postJsonRpc,
  rest,
  startRegistryGateway,
  tool,
  toolError,
  uniqueTenant,
} from '../support/registry.js';

/** Every surface leaves its audit event, read back through the audit API like an admin would. */
describe('audit trail (e2e)', () => {
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

  /** The tenant's events matching `query`, after everything queued so far is written. */
  async function events(tenant: string, query: Record<string, string> = {}): Promise<any[]> {
    await gateway.app.get(AuditWriter).flush();
    const admin = await localToken(gateway, { tenant, user: 'auditor', roles: ['admin'] });
    const found = await rest(
      gateway,
      admin,
      'GET',
      `/api/v1/audit?${new URLSearchParams({ limit: '1000', ...query }).toString()}`,
    );
    expect(found.status).toBe(200);
    return found.body.events;
  }

  async function registerFixture(tenant: string, extra: Record<string, unknown> = {}): Promise<string> {
    const admin = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
      name: 'fixture',
      url: fixture.url,
      ...extra,
    });
    expect(created.status).toBe(201);
    return created.body.server.id as string;
  }

  it('records REST mutations with actor, server, status and redacted body, and refusals as denied', async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant, {
      upstreamAuth: { type: 'static', headerName: 'X-Api-Key', value: 'super-secret' },
    });
    const user = await localToken(gateway, { tenant, user: 'ursula', roles: ['user'] });
    expect((await rest(gateway, user, 'DELETE', `/api/v1/servers/${id}`)).status).toBe(403);
    expect(
      (await rest(gateway, user, 'POST', '/api/v1/servers', { name: 'x', url: fixture.url })).status,
    ).toBe(403);

    const [registered] = await events(tenant, { action: 'registry.register' });
    expect(registered).toMatchObject({
      surface: 'rest',
      outcome: 'success',
      status: 201,
      actorOid: localOid(tenant, 'ada'),
      actorName: 'ada',
      roles: ['admin', 'server_owner', 'user'],
      // The registration names the server it created (the id is not in the request).
      serverId: id,
      params: {
        body: {
          name: 'fixture',
          upstreamAuth: { type: 'static', headerName: 'X-Api-Key', value: '[REDACTED]' },
        },
      },
    });
    expect(JSON.stringify(registered)).not.toContain('super-secret');
    expect(registered.requestId).toEqual(expect.any(String));
    expect(registered.hash).toMatch(/^[0-9a-f]{64}$/);

    // Refused by the handler (ownership) and by the roles guard, before any handler ran.
    const refused = await events(tenant, { outcome: 'denied' });
    expect(refused).toEqual([
      expect.objectContaining({
        surface: 'rest',
        action: 'POST /api/v1/servers',
        status: 403,
        errorCode: 'INSUFFICIENT_ROLE',
        actorOid: localOid(tenant, 'ursula'),
      }),
      expect.objectContaining({
        action: 'registry.remove',
        serverId: id,
        status: 403,
        errorCode: 'NOT_SERVER_OWNER',
        actorOid: localOid(tenant, 'ursula'),
      }),
    ]);
  });

  it('records every call of the gateway MCP tools with its outcome', async () => {
    const tenant = uniqueTenant();
    const client = await connectMcpClient(gateway, await localToken(gateway, { tenant, user: 'ursula' }));
    clients.push(client);
    await tool(client, 'list_servers', {});
    expect((await toolError(client, 'register_server', { name: 'x', url: fixture.url })).data.code).toBe(
      'INSUFFICIENT_ROLE',
    );

    const calls = await events(tenant, { surface: 'mcp' });
    expect(calls).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ action: 'tools/call', tool: 'list_servers', outcome: 'success' }),
        expect.objectContaining({
          action: 'tools/call',
          tool: 'register_server',
          outcome: 'denied',
          errorCode: 'INSUFFICIENT_ROLE',
        }),
      ]),
    );
  });

  it('records proxied tools/call per message: allowed, refused by policy, with per-server redaction', async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant, { toolRoles: { add: ['admin'] }, auditRedactKeys: ['text'] });
    const resource = `${gateway.url}/servers/${id}/mcp`;
    const token = await localToken(gateway, { tenant, user: 'ursula', resource });
    const ok = await postJsonRpc(resource, token, 'tools/call', {
      name: 'echo',
      arguments: { text: 'private', password: 'p' },
    });
    expect(ok.status).toBe(200);
    await ok.text();
    const refused = await postJsonRpc(resource, token, 'tools/call', { name: 'add', arguments: {} });
    const answer = (await refused.json()) as { error: { data: { code: string } } };
    expect(answer.error.data.code).toBe('TOOL_NOT_ALLOWED');
    const listed = await postJsonRpc(resource, token, 'tools/list');
    await listed.text();

    const proxied = await events(tenant, { surface: 'proxy' });
    expect(proxied).toHaveLength(2);
    expect(proxied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          action: 'tools/call',
          tool: 'echo',
          serverId: id,
          outcome: 'success',
          status: 200,
          params: { text: '[REDACTED]', password: '[REDACTED]' },
        }),
        expect.objectContaining({
          tool: 'add',
          outcome: 'denied',
          errorCode: 'TOOL_NOT_ALLOWED',
          serverId: id,
        }),
      ]),
    );

    // The same hook feeds the MCP call metrics; a refused call's tool name is not a label.
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toContain(
      `mcp_gateway_mcp_calls_total{surface="proxy",method="tools/call",tool="echo",server_id="${id}",outcome="success"} 1`,
    );
    expect(metrics).toMatch(
      /mcp_gateway_mcp_calls_total\{surface="proxy",method="tools\/call",tool="",server_id="",outcome="denied"\} \d+/,
    );
    expect(metrics).not.toContain('tool="add"');
  });

  it('federated calls use the server as it is now: a redaction key added after the first call applies to the next', async () => {
    const tenant = uniqueTenant();
    const id = await registerFixture(tenant);
    const resource = `${gateway.url}/federated/mcp`;
    const client = await connectMcpClient(
      gateway,
      await localToken(gateway, { tenant, user: 'ursula', resource }),
      '/federated/mcp',
    );
    clients.push(client);
    await client.callTool({ name: 'fixture__echo', arguments: { text: 'first' } });
    const admin = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    expect(
      (await rest(gateway, admin, 'PATCH', `/api/v1/servers/${id}`, { auditRedactKeys: ['text'] })).status,
    ).toBe(200);
    await client.callTool({ name: 'fixture__echo', arguments: { text: 'second' } });

    // Recorded under the upstream's own tool name, as transparent calls are (the federated name is the client's).
    const calls = await events(tenant, { surface: 'proxy', serverId: id, tool: 'echo' });
    expect(calls.map((event) => event.params)).toEqual([{ text: '[REDACTED]' }, { text: 'first' }]);
  });

  it('answers the same through query_audit_log and as CSV, and never across tenants', async () => {
    const tenant = uniqueTenant();
    await registerFixture(tenant);
    const admin = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    await gateway.app.get(AuditWriter).flush();

    const client = await connectMcpClient(gateway, admin);
    clients.push(client);
    const viaTool = await tool(client, 'query_audit_log', { action: 'registry.register' });
    expect(viaTool.events).toHaveLength(1);
    expect(viaTool.events[0].actorName).toBe('ada');

    const csv = await call(gateway, '/api/v1/audit?format=csv&action=registry.register', admin);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toMatch(/^occurredAt,id,chainSeq,tenantId,actorOid/);
    expect(lines).toHaveLength(2);

    expect(await events(uniqueTenant(), { action: 'registry.register' })).toEqual([]);
    const user = await localToken(gateway, { tenant, user: 'ursula', roles: ['user'] });
    expect((await rest(gateway, user, 'GET', '/api/v1/audit')).status).toBe(403);

    const verified = await rest(gateway, admin, 'GET', '/api/v1/audit/verify');
    expect(verified.body).toMatchObject({ ok: true, tenants: [{ ok: true }] });
  });

  it('records OAuth client registration and refused token requests', async () => {
    const registered = await fetch(`${gateway.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'audit-e2e',
        redirect_uris: ['http://127.0.0.1:9/cb'],
        token_endpoint_auth_method: 'none',
      }),
    });
    expect(registered.status).toBe(201);
    const { client_id: clientId } = (await registered.json()) as { client_id: string };
    const token = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: 'forged',
        client_id: clientId,
        code_verifier: 'v',
      }),
    });
    expect(token.status).toBe(400);
    await gateway.app.get(AuditWriter).flush();

    // Nobody is signed in on these endpoints: the events belong to no tenant, and only the database shows them.
    const { DataSource } = await import('typeorm');
    const rows = await gateway.app
      .get(DataSource)
      .query(`SELECT action, outcome, client_id, params FROM audit_events WHERE client_id = $1 ORDER BY id`, [
        clientId,
      ]);
    expect(rows).toEqual([
      expect.objectContaining({
        action: 'oauth.token',
        outcome: 'denied',
        params: expect.objectContaining({
          body: expect.objectContaining({ code: '[REDACTED]', code_verifier: '[REDACTED]' }),
        }),
      }),
    ]);
    const registration = await gateway.app
      .get(DataSource)
      .query(
        `SELECT outcome FROM audit_events WHERE action = 'oauth.client_registered' AND params->'body'->>'client_name' = 'audit-e2e'`,
      );
    expect(registration).toEqual([{ outcome: 'success' }]);
  });
});
