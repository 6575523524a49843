import type { GatewayApp } from '../../src/app/gateway-app.js';
import { call, connectMcpClient, localToken, startGateway } from '../support/gateway.js';
import { json } from '../support/http.js';
import { consentInBrowser } from '../support/oauth-client.js';
import { pkceChallenge } from '../../src/auth/oauth/oauth-crypto.js';

const SECRET = 'static-client-secret-0123456789';
const REDIRECT = 'http://127.0.0.1:45555/callback';

describe('pre-registered OAuth clients (MREG_OAUTH_CLIENTS)', () => {
  let gateway: GatewayApp;

  beforeAll(async () => {
    gateway = await startGateway({
      MREG_OAUTH_CLIENTS: JSON.stringify([
        {
          client_id: 'ops-console',
          client_name: 'Ops Console',
          redirect_uris: [REDIRECT],
          client_secret: SECRET,
        },
      ]),
    });
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  it('authorizes a confidential configured client that authenticates with client_secret_basic', async () => {
    const verifier = 'v'.repeat(64);
    const authorize = new URL('/oauth/authorize', gateway.url);
    authorize.search = new URLSearchParams({
      client_id: 'ops-console',
      redirect_uri: REDIRECT,
      response_type: 'code',
      code_challenge: pkceChallenge(verifier),
      code_challenge_method: 'S256',
      state: 's1',
      resource: `${gateway.url}/mcp`,
      scope: 'root:everything',
    }).toString();
    const callback = await consentInBrowser(authorize, {
      tenant: 'ops',
      user: 'olga',
      roles: 'user',
      decision: 'approve',
    });
    const token = (secret: string) =>
      fetch(new URL('/oauth/token', gateway.url), {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization: `Basic ${Buffer.from(`ops-console:${secret}`).toString('base64')}`,
        },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          code: callback.searchParams.get('code') as string,
          code_verifier: verifier,
          redirect_uri: REDIRECT,
        }).toString(),
      });
    const refused = await token('wrong-secret-0123456789');
    expect(refused.status).toBe(401);
    expect(await json(refused)).toMatchObject({ error: 'invalid_client' });
    const issued = await token(SECRET);
    expect(issued.status).toBe(200);
    const { access_token: accessToken } = (await json(issued)) as { access_token: string };
    const client = await connectMcpClient(gateway, accessToken);
    expect((await client.callTool({ name: 'whoami', arguments: {} })).structuredContent).toMatchObject({
      clientId: 'ops-console',
      name: 'olga',
      scopes: [],
    });
    await client.close();
  });
});

describe('MREG_FASTMCP_ENABLE_TOOL_ACCESS_CONTROL=false', () => {
  it('drops per-tool role checks on MCP tools but keeps authentication and REST roles', async () => {
    const gateway = await startGateway({ MREG_FASTMCP_ENABLE_TOOL_ACCESS_CONTROL: 'false' });
    try {
      const token = await localToken(gateway, { roles: ['user'] });
      const client = await connectMcpClient(gateway, token);
      expect((await client.listTools()).tools.map((tool) => tool.name)).toContain('list_tenants');
      expect((await client.callTool({ name: 'list_tenants', arguments: {} })).isError).toBeFalsy();
      await client.close();
      expect((await call(gateway, '/api/v1/tenants', token)).status).toBe(403);
      expect((await call(gateway, '/mcp', undefined, { method: 'POST', body: '{}' })).status).toBe(401);
    } finally {
      await gateway.stop();
    }
  });
});
