import type { GatewayApp } from '../../src/app/gateway-app.js';
import { localToken } from '../support/gateway.js';
import { ResumableMcpServer } from '../support/resumable-mcp-server.js';
import { postJsonRpc, registerAs, startRegistryGateway, uniqueTenant } from '../support/registry.js';

const INITIALIZE = {
  protocolVersion: '2025-11-25',
  capabilities: {},
  clientInfo: { name: 'transport-musts', version: '1.0.0' },
};

/**
 * The streamable HTTP transport's header rules on every MCP endpoint of the gateway, as the spec states them for
 * servers: an unsupported MCP-Protocol-Version is 400, an unknown session 404, and a GET stream where none is offered
 * 405. Through `/servers/{id}/mcp` the upstream is a stateful official-SDK server, so its rules are the ones relayed.
 */
describe('transport MUSTs on /mcp, /servers/{id}/mcp and /federated/mcp (e2e)', () => {
  let gateway: GatewayApp;
  let upstream: ResumableMcpServer;
  const endpoints: Record<string, { url: string; token: string }> = {};

  beforeAll(async () => {
    upstream = await new ResumableMcpServer().start();
    gateway = await startRegistryGateway();
    const tenant = uniqueTenant();
    const id = await registerAs(gateway, tenant, { name: 'stateful', url: upstream.url });
    for (const path of ['/mcp', `/servers/${id}/mcp`, '/federated/mcp']) {
      const url = `${gateway.url}${path}`;
      const resource = path === '/mcp' ? undefined : url;
      endpoints[path.startsWith('/servers/') ? 'proxy' : path] = {
        url,
        token: await localToken(gateway, { tenant, roles: ['admin'], resource }),
      };
    }
  });
  afterAll(async () => {
    await gateway?.stop();
    await upstream?.stop();
  });

  /** Initializes and returns the session id the endpoint handed out, if it keeps sessions. */
  async function initialize(name: string): Promise<string | undefined> {
    const { url, token } = endpoints[name];
    const response = await postJsonRpc(url, token, 'initialize', INITIALIZE);
    expect(response.status).toBe(200);
    await response.text();
    return response.headers.get('mcp-session-id') ?? undefined;
  }

  it.each(['/mcp', 'proxy', '/federated/mcp'])(
    'answers 400 to a request with an unsupported MCP-Protocol-Version on %s',
    async (name) => {
      const session = await initialize(name);
      const { url, token } = endpoints[name];
      const response = await postJsonRpc(url, token, 'tools/list', undefined, {
        headers: { 'mcp-protocol-version': '1999-01-01', ...(session ? { 'mcp-session-id': session } : {}) },
      });
      expect(response.status).toBe(400);
      expect(await response.text()).toContain('Unsupported protocol version');
    },
  );

  it('answers 404 to an unknown session on the proxy, and 200 with the session it handed out', async () => {
    const session = await initialize('proxy');
    expect(session).toEqual(expect.any(String));
    const { url, token } = endpoints.proxy;
    const headers = (id: string) => ({ 'mcp-protocol-version': '2025-11-25', 'mcp-session-id': id });
    const known = await postJsonRpc(url, token, 'tools/list', undefined, { headers: headers(session!) });
    expect(known.status).toBe(200);
    await known.text();
    const unknown = await postJsonRpc(url, token, 'tools/list', undefined, {
      headers: headers('not-a-session'),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: { data: { code: 'SESSION_NOT_FOUND' } } });
  });

  it('answers 405 to a GET stream on the stateless /mcp, and to DELETE on the sessionless /federated/mcp', async () => {
    const get = await fetch(endpoints['/mcp'].url, {
      headers: {
        authorization: `Bearer ${endpoints['/mcp'].token}`,
        accept: 'text/event-stream',
        'mcp-protocol-version': '2025-11-25',
      },
    });
    expect(get.status).toBe(405);
    await get.text();
    const del = await fetch(endpoints['/federated/mcp'].url, {
      method: 'DELETE',
      headers: {
        authorization: `Bearer ${endpoints['/federated/mcp'].token}`,
        'mcp-protocol-version': '2025-11-25',
      },
    });
    expect(del.status).toBe(405);
    await del.text();
  });
});
