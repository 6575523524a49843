import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { postJsonRpc, registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

/**
 * The surface decides the shape of an error, not the thrower: every MCP route answers JSON-RPC, the OAuth protocol
 * endpoints RFC 6749's `{ error, error_description }`, the REST API its common body.
 */
describe('error shape by surface (e2e)', () => {
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

  it('answers errors of the OAuth protocol endpoints in RFC 6749 shape, whichever part of the gateway refused', async () => {
    // Refused by the body parser, before any OAuth code runs.
    const malformed = await fetch(`${gateway.url}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"client_name":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: 'invalid_request',
      error_description: 'Request body is not valid JSON',
      code: 'MALFORMED_JSON',
      correlationId: malformed.headers.get('x-request-id'),
    });
    // Refused by the OAuth code itself (no client authenticated): exactly RFC 6749's two members.
    const unknownClient = await fetch(`${gateway.url}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'r', client_id: 'nobody' }),
    });
    expect(unknownClient.status).toBe(401);
    expect(await unknownClient.json()).toEqual({
      error: 'invalid_client',
      error_description: expect.any(String),
    });
    // A bearer-protected resource beside them keeps the common body.
    const userinfo = await fetch(`${gateway.url}/oauth/userinfo`);
    expect(userinfo.status).toBe(401);
    expect(await userinfo.json()).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
  });
});
