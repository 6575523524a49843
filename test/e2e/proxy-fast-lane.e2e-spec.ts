import { DataSource } from 'typeorm';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * `/servers/{id}/mcp` is served by the proxy's fast lane ahead of Express's router, except requests it leaves to the
 * ordinary pipeline (a body that is not JSON). Both paths must answer alike: same refusals, same error bodies, same
 * correlation ids and the same metrics.
 */
describe('proxy fast lane (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  let url: string;
  let token: string;
  let serverId: string;
  let tenant: string;

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway({ MREG_BODY_LIMIT: '2048' });
    tenant = uniqueTenant();
    serverId = await registerAs(gateway, tenant, { name: 'fixture', url: fixture.url });
    url = `${gateway.url}/servers/${serverId}/mcp`;
    token = await localToken(gateway, { tenant, user: 'lane', resource: url });
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  const post = (body: string, headers: Record<string, string>) =>
    fetch(url, {
      method: 'POST',
      body,
      headers: { accept: 'application/json, text/event-stream', ...headers },
    });
  /** A JSON-RPC error body (the shape of every MCP route's errors) without its correlation id, to compare two. */
  const withoutId = (body: any) => ({
    ...body,
    error: { ...body.error, data: { ...body.error?.data, correlationId: undefined } },
  });

  it('refuses a request without a token exactly as the ordinary pipeline does', async () => {
    const viaLane = await post('{}', { 'content-type': 'application/json' });
    const viaExpress = await post('{}', { 'content-type': 'text/plain' });
    expect(viaLane.status).toBe(401);
    expect(viaExpress.status).toBe(401);
    expect(viaLane.headers.get('www-authenticate')).toBe(viaExpress.headers.get('www-authenticate'));
    const laneBody = (await viaLane.json()) as any;
    expect(laneBody).toMatchObject({
      jsonrpc: '2.0',
      error: { data: { code: expect.any(String), statusCode: 401 } },
    });
    expect(withoutId(laneBody)).toEqual(withoutId(await viaExpress.json()));
    expect(laneBody.error.data.correlationId).toBe(viaLane.headers.get('x-request-id'));
  });

  it('records a refused token in the audit trail with the server it was meant for, as the ordinary pipeline does', async () => {
    const elsewhere = await localToken(gateway, { tenant, user: 'lane' });
    const refused = await post('{"jsonrpc":"2.0","id":1,"method":"tools/list"}', {
      'content-type': 'application/json',
      authorization: `Bearer ${elsewhere}`,
    });
    expect(refused.status).toBe(401);
    // It says which resource the token was for, which this is, and how to get the right one.
    expect(((await refused.json()) as { error: { message: string } }).error.message).toContain(
      `not ${url}; get a token for ${url} (local mode: mcp-gateway token --resource ${url})`,
    );
    await gateway.app.get(AuditWriter).flush();
    const rows = await gateway.app
      .get(DataSource)
      .query<{ server_id: string; status: number }[]>(
        'SELECT server_id, status FROM audit_events WHERE request_id = $1',
        [refused.headers.get('x-request-id')],
      );
    expect(rows).toEqual([{ server_id: serverId, status: 401 }]);
  });

  it('leaves a body that is not JSON to the ordinary pipeline, which reads it under the body limit', async () => {
    const auth = { authorization: `Bearer ${token}` };
    const large = 'x'.repeat(4096);
    for (const type of ['application/jsonx', 'text/plain']) {
      expect((await post(large, { ...auth, 'content-type': type })).status).toBe(413);
    }
  });

  it('answers malformed and oversized JSON with a JSON-RPC error carrying the common fields', async () => {
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const malformed = await post('{"jsonrpc":', auth);
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { data: { code: 'MALFORMED_JSON', statusCode: 400, correlationId: expect.any(String) } },
    });
    const oversized = await post(JSON.stringify({ padding: 'x'.repeat(4096) }), auth);
    expect(oversized.status).toBe(413);
    expect(await oversized.json()).toMatchObject({ error: { data: { statusCode: 413 } } });
  });

  it('labels proxied calls with the route template in the HTTP metrics', async () => {
    const auth = { 'content-type': 'application/json', authorization: `Bearer ${token}` };
    const initialized = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 1,
        method: 'initialize',
        params: {
          protocolVersion: '2025-11-25',
          capabilities: {},
          clientInfo: { name: 'lane', version: '1' },
        },
      }),
      auth,
    );
    expect(initialized.status).toBe(200);
    await initialized.text();
    const metrics = await (await fetch(`${gateway.url}/metrics`)).text();
    expect(metrics).toMatch(
      /mcp_gateway_http_request_duration_seconds_count\{method="POST",route="\/servers\/:serverId\/mcp",status_code="200"\} [1-9]/,
    );
  });
});
