import type { GatewayApp } from '../../src/app/gateway-app.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { localToken } from '../support/gateway.js';
import { registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

const INITIALIZE = {
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'origin-e2e', version: '1' },
  },
};

/**
 * Origin validation on every MCP endpoint and the OAuth pages (the transport's MUST, and the DNS-rebinding defence of
 * a gateway on a developer's machine): a hostile Origin gets 403 with the common error body; loopback origins (local
 * mode) and requests without an Origin pass.
 */
describe('Origin validation (e2e)', () => {
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  let serverId: string;
  let tenant: string;

  beforeAll(async () => {
    fixture = await new FixtureMcpServer().start();
    gateway = await startRegistryGateway();
    tenant = uniqueTenant();
    serverId = await registerAs(gateway, tenant, { name: 'fixture', url: fixture.url });
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
  });

  async function initialize(path: string, origin?: string): Promise<Response> {
    const token = await localToken(gateway, { tenant, resource: `${gateway.url}${path}` });
    return fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...(origin ? { origin } : {}),
      },
      body: JSON.stringify(INITIALIZE),
    });
  }

  it('answers 403 ORIGIN_NOT_ALLOWED to a hostile Origin on /mcp, /servers/{id}/mcp, /federated/mcp and the consent page', async () => {
    for (const path of ['/mcp', `/servers/${serverId}/mcp`, '/federated/mcp']) {
      const refused = await initialize(path, 'http://evil.example.com');
      expect(refused.status).toBe(403);
      // An MCP route answers in JSON-RPC, with the common body's fields in error.data.
      expect(await refused.json()).toMatchObject({
        jsonrpc: '2.0',
        error: {
          message: expect.stringContaining('MREG_ALLOWED_ORIGINS'),
          data: {
            statusCode: 403,
            code: 'ORIGIN_NOT_ALLOWED',
            correlationId: refused.headers.get('x-request-id'),
          },
        },
      });
    }
    const consent = await fetch(`${gateway.url}/oauth/authorize?response_type=code`, {
      headers: { origin: 'http://evil.example.com' },
    });
    expect(consent.status).toBe(403);
    expect(await consent.json()).toMatchObject({ code: 'ORIGIN_NOT_ALLOWED' });
  });

  it('serves loopback origins and requests without an Origin', async () => {
    for (const path of ['/mcp', `/servers/${serverId}/mcp`, '/federated/mcp']) {
      for (const origin of [undefined, gateway.url, 'http://localhost:6274']) {
        const answered = await initialize(path, origin);
        expect({ path, origin, status: answered.status }).toEqual({ path, origin, status: 200 });
        await answered.text();
      }
    }
  });
});
