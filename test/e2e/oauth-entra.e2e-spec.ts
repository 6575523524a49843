import { randomUUID } from 'node:crypto';
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import {
  ENTRA_CLIENT_ID as CLIENT_ID,
  ENTRA_TID as TID,
  startEntraGateway,
} from '../support/entra-gateway.js';
import { FakeEntra } from '../support/fake-entra.js';
import { connectMcpClient } from '../support/gateway.js';
import { json } from '../support/http.js';
import {
  consentInBrowser,
  startOAuthLogin,
  TestOAuthClient,
  refreshTokens,
} from '../support/oauth-client.js';

describe('OAuth login of an MCP client through Entra ID', () => {
  let entra: FakeEntra;
  let gateway: GatewayApp;

  beforeAll(async () => {
    entra = await FakeEntra.start(CLIENT_ID);
    gateway = await startEntraGateway(entra);
  });

  afterAll(async () => {
    await gateway?.stop();
    await entra?.stop();
  });

  it('signs in through Entra (consent, our own PKCE, no resource), then calls tools with a gateway token', async () => {
    // Its own object id: other specs sign Entra users of the same tenant into the same database.
    const oid = randomUUID();
    entra.nextUser = { tid: TID, oid, name: 'Dana', roles: ['Gateway.ServerOwner'] };
    const provider = new TestOAuthClient();
    const mcpUrl = new URL('/mcp', gateway.url);
    const transport = await startOAuthLogin(mcpUrl, provider);
    const callback = await consentInBrowser(
      provider.authorizationUrl as URL,
      { decision: 'approve' },
      { clientRedirect: provider.redirect },
    );
    expect(callback.searchParams.get('error')).toBeNull();
    await transport.finishAuth(callback.searchParams);

    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider }));
    try {
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(whoami.structuredContent).toMatchObject({
        tenantKey: TID,
        name: 'Dana',
        roles: ['server_owner', 'user'],
        tokenKind: 'gateway',
        scopes: ['access_as_user'],
      });
    } finally {
      await client.close();
    }

    const authorize = entra.received.find((request) => request.endpoint === 'authorize')?.params;
    expect(authorize).toMatchObject({
      client_id: CLIENT_ID,
      code_challenge_method: 'S256',
      redirect_uri: `${gateway.url}/oauth/callback`,
      scope: `api://${CLIENT_ID}/access_as_user openid profile email offline_access`,
    });
    // Our own PKCE pair towards Entra, not the client's.
    expect(authorize?.code_challenge).not.toBe(provider.authorizationUrl?.searchParams.get('code_challenge'));
    expect(entra.received.every((request) => request.params.resource === undefined)).toBe(true);

    // The user's Entra tokens are kept for on-behalf-of calls, sealed: the raw token is nowhere in the row.
    const { DataSource } = await import('typeorm');
    const rows = await gateway.app
      .get(DataSource)
      .query(`SELECT access_token, refresh_token FROM upstream_tokens WHERE tenant_key = $1 AND oid = $2`, [
        TID,
        oid,
      ]);
    expect(rows).toHaveLength(1);
    expect(rows[0].access_token).toMatch(/^v1\./);
    expect(rows[0].refresh_token).not.toMatch(/^rt-/);
  });

  it('re-validates the user with Entra on every refresh: new roles apply, a disabled account ends the family', async () => {
    const user = {
      tid: TID,
      oid: randomUUID(),
      name: 'Finn',
      roles: ['Gateway.User'] as string[],
      disabled: false,
    };
    entra.nextUser = user;
    const provider = new TestOAuthClient();
    const transport = await startOAuthLogin(new URL('/mcp', gateway.url), provider);
    const callback = await consentInBrowser(
      provider.authorizationUrl as URL,
      { decision: 'approve' },
      { clientRedirect: provider.redirect },
    );
    await transport.finishAuth(callback.searchParams);
    const refresh = (token: string) =>
      refreshTokens(gateway.url, provider.information?.client_id as string, token);
    const rolesOf = async (accessToken: string) => {
      const client = await connectMcpClient(gateway, accessToken);
      try {
        return (
          (await client.callTool({ name: 'whoami', arguments: {} })).structuredContent as { roles: string[] }
        ).roles;
      } finally {
        await client.close();
      }
    };
    expect(await rolesOf(provider.stored?.access_token as string)).toEqual(['user']);

    user.roles = ['Gateway.Admin'];
    const promoted = await refresh(provider.stored?.refresh_token as string);
    expect(promoted.status).toBe(200);
    const next = (await json(promoted)) as { access_token: string; refresh_token: string };
    expect(await rolesOf(next.access_token)).toEqual(['admin', 'server_owner', 'user']);

    user.disabled = true;
    const refused = await refresh(next.refresh_token);
    expect(refused.status).toBe(400);
    expect(await json(refused)).toMatchObject({
      error: 'invalid_grant',
      error_description: expect.stringMatching(/sign in again/),
    });
  });

  it('refuses an Entra callback replayed or opened in another browser', async () => {
    entra.nextUser = { tid: TID, name: 'Eve' };
    const provider = new TestOAuthClient();
    await startOAuthLogin(new URL('/mcp', gateway.url), provider);
    // Stop at the gateway's callback URL to replay it without the browser's cookie.
    const atCallback = await consentInBrowser(
      provider.authorizationUrl as URL,
      { decision: 'approve' },
      { clientRedirect: `${gateway.url}/oauth/callback` },
    );
    const foreign = await fetch(atCallback, { redirect: 'manual' });
    expect(foreign.status).toBe(403);
    expect(await json(foreign)).toMatchObject({ error: 'access_denied' });
  });
});
