import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { postJsonRpc, registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * Every MCP route answers errors in the JSON-RPC shape, whichever part of the gateway refused: the surface decides
 * the shape, not the thrower. The REST API keeps its common body.
 */
describe('error shape on MCP routes (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  let tenant: string;
  let url: string;

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway();
    tenant = uniqueTenant();
    url = `${gateway.url}/servers/${await registerAs(gateway, tenant, { name: 'fixture', url: fixture.url })}/mcp`;
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  const shape = (body: any) => ({
    jsonrpc: body.jsonrpc,
    id: body.id,
    code: typeof body.error?.code,
    message: typeof body.error?.message,
    data: Object.keys(body.error?.data ?? {}).sort(),
  });

  it('answers an unknown server and an unknown session on /servers/{id}/mcp with the same JSON-RPC fields', async () => {
    const unknownUrl = `${gateway.url}/servers/00000000-0000-4000-8000-000000000000/mcp`;
    const unknownServer = await postJsonRpc(
      unknownUrl,
      await localToken(gateway, { tenant, resource: unknownUrl }),
      'tools/list',
    );
    const unknownSession = await postJsonRpc(
      url,
      await localToken(gateway, { tenant, resource: url }),
      'tools/list',
      undefined,
      {
        headers: { 'mcp-session-id': 'forged', 'mcp-protocol-version': '2025-11-25' },
      },
    );
    expect([unknownServer.status, unknownSession.status]).toEqual([404, 404]);
    const [server, session] = [await unknownServer.json(), await unknownSession.json()];
    expect(server).toMatchObject({
      jsonrpc: '2.0',
      error: { data: { code: 'SERVER_NOT_FOUND', statusCode: 404 } },
    });
    expect(session).toMatchObject({
      jsonrpc: '2.0',
      error: { data: { code: 'SESSION_NOT_FOUND', statusCode: 404 } },
    });
    expect(shape(server)).toEqual(shape(session));
  });

  it('answers a missing token on every MCP route as JSON-RPC with the challenge header, and the REST API as before', async () => {
    for (const path of ['/mcp', new URL(url).pathname, '/federated/mcp']) {
      const response = await fetch(`${gateway.url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/list' }),
      });
      expect({ path, status: response.status }).toEqual({ path, status: 401 });
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      expect(await response.json()).toMatchObject({
        jsonrpc: '2.0',
        id: 7,
        error: { data: { statusCode: 401 } },
      });
    }
    const rest = await fetch(`${gateway.url}/api/v1/servers`);
    expect(rest.status).toBe(401);
    expect(await rest.json()).toMatchObject({ statusCode: 401, code: expect.any(String) });
  });
});
