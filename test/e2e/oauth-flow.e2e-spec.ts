import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { startGateway } from '../support/gateway.js';
import { json } from '../support/http.js';
import {
  consentInBrowser,
  startOAuthLogin,
  TestOAuthClient,
  refreshTokens,
  tokenRequest,
} from '../support/oauth-client.js';

/**
 * The whole login of an MCP client through the gateway's authorization server, driven by the official SDK:
 * 401 → protected resource metadata → AS metadata → dynamic registration → authorize → consent → code → tokens.
 */
describe('OAuth login of an MCP client (local identity mode)', () => {
  let gateway: GatewayApp;

  beforeAll(async () => {
    gateway = await startGateway();
  });

  afterAll(async () => {
    await gateway?.stop();
  });

  const mcpUrl = () => new URL('/mcp', gateway.url);

  async function signIn(
    provider: TestOAuthClient,
    fields: Record<string, string> = { tenant: 'acme', user: 'carol', roles: 'admin' },
  ) {
    const transport = await startOAuthLogin(mcpUrl(), provider);
    expect(provider.information?.client_id).toMatch(/^mcp_/);
    expect(provider.authorizationUrl?.searchParams.get('code_challenge_method')).toBe('S256');
    const callback = await consentInBrowser(provider.authorizationUrl as URL, {
      ...fields,
      decision: 'approve',
    });
    return { transport, callback };
  }

  it('signs in, then lists and calls tools as the signed-in user', async () => {
    const provider = new TestOAuthClient();
    const { transport, callback } = await signIn(provider);
    expect(callback.origin + callback.pathname).toBe(provider.redirect);
    expect(callback.searchParams.get('iss')).toBe(gateway.url);
    expect(callback.searchParams.get('state')).toBe(provider.authorizationUrl?.searchParams.get('state'));
    await transport.finishAuth(callback.searchParams);
    expect(provider.stored?.access_token).toBeDefined();
    expect(provider.stored?.refresh_token).toBeDefined();

    const client = new Client({ name: 'e2e', version: '1' });
    await client.connect(new StreamableHTTPClientTransport(mcpUrl(), { authProvider: provider }));
    try {
      expect((await client.listTools()).tools.map((tool) => tool.name)).toEqual(
        expect.arrayContaining(['whoami', 'list_tenants']),
      );
      const whoami = await client.callTool({ name: 'whoami', arguments: {} });
      expect(whoami.structuredContent).toMatchObject({
        tenantKey: 'local:acme',
        name: 'carol',
        roles: ['admin', 'server_owner', 'user'],
        clientId: provider.information?.client_id,
      });
    } finally {
      await client.close();
    }
  });

  it('binds the token to the requested resource: not accepted by the REST API', async () => {
    const provider = new TestOAuthClient();
    const { transport, callback } = await signIn(provider);
    await transport.finishAuth(callback.searchParams);
    const res = await fetch(new URL('/oauth/userinfo', gateway.url), {
      headers: { authorization: `Bearer ${provider.stored?.access_token}` },
    });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/another resource/);
  });

  it('refuses a replayed code and a wrong PKCE verifier', async () => {
    const provider = new TestOAuthClient();
    const { callback } = await signIn(provider);
    const code = callback.searchParams.get('code') as string;
    const exchange = (verifier: string) =>
      tokenRequest(gateway.url, {
        grant_type: 'authorization_code',
        code,
        code_verifier: verifier,
        redirect_uri: provider.redirect,
        client_id: provider.information?.client_id as string,
      });
    const wrong = await exchange('x'.repeat(43));
    expect(wrong.status).toBe(400);
    expect(await json(wrong)).toEqual({
      error: 'invalid_grant',
      error_description: 'PKCE verification failed',
    });
    // The failed attempt used the code up: a second presentation, even with the right verifier, is a replay.
    const replay = await exchange(provider.codeVerifier());
    expect(replay.status).toBe(400);
    expect(await json(replay)).toMatchObject({ error: 'invalid_grant' });
  });

  it('rotates refresh tokens and revokes the family when an old one is reused', async () => {
    const provider = new TestOAuthClient();
    const { transport, callback } = await signIn(provider);
    await transport.finishAuth(callback.searchParams);
    const refresh = (token: string) =>
      refreshTokens(gateway.url, provider.information?.client_id as string, token);
    const first = provider.stored?.refresh_token as string;
    const rotated = await refresh(first);
    expect(rotated.status).toBe(200);
    expect(rotated.headers.get('cache-control')).toBe('no-store');
    const second = (await json(rotated)) as { access_token: string; refresh_token: string };
    expect(second.refresh_token).not.toBe(first);
    const whoami = await fetch(new URL('/mcp', gateway.url), {
      method: 'POST',
      headers: {
        authorization: `Bearer ${second.access_token}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        'mcp-protocol-version': '2025-06-18',
      },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(whoami.status).toBe(200);

    expect((await refresh(first)).status).toBe(400); // reuse of a rotated-away token...
    const afterReuse = await refresh(second.refresh_token);
    expect(afterReuse.status).toBe(400); // ...revoked the whole family, the newest token included
    expect(await json(afterReuse)).toMatchObject({ error: 'invalid_grant' });
  });

  it('sends a denial back to the client as access_denied with state and iss', async () => {
    const provider = new TestOAuthClient();
    await startOAuthLogin(mcpUrl(), provider);
    const callback = await consentInBrowser(provider.authorizationUrl as URL, { decision: 'deny' });
    expect(callback.searchParams.get('error')).toBe('access_denied');
    expect(callback.searchParams.get('iss')).toBe(gateway.url);
    expect(callback.searchParams.get('code')).toBeNull();
  });

  it('refuses a consent from another browser or without the page CSRF token', async () => {
    for (const tamper of [{ dropCookie: true }, { tamperCsrf: true }]) {
      const provider = new TestOAuthClient();
      await startOAuthLogin(mcpUrl(), provider);
      await expect(
        consentInBrowser(provider.authorizationUrl as URL, { decision: 'approve' }, tamper),
      ).rejects.toMatchObject({ status: 403 });
    }
  });

  it('signs an admin into a browser session for Swagger UI and REST, and out again', async () => {
    const login = new URL('/oauth/login?return_to=/docs', gateway.url);
    const back = await consentInBrowser(
      login,
      { tenant: 'acme', user: 'root', roles: 'admin', decision: 'approve' },
      { captureCookies: true },
    );
    expect(back.location.toString()).toBe(`${gateway.url}/docs`);
    const session = back.cookies.find((cookie) => cookie.startsWith('mreg_session='));
    expect(session).toMatch(/HttpOnly/i);
    expect(session).toMatch(/SameSite=Strict/i);
    const cookie = (session as string).split(';')[0];

    const userinfo = await fetch(new URL('/oauth/userinfo', gateway.url), { headers: { cookie } });
    expect(userinfo.status).toBe(200);
    expect(await json(userinfo)).toMatchObject({
      tenantKey: 'local:acme',
      name: 'root',
      roles: ['admin', 'server_owner', 'user'],
    });
    expect((await fetch(new URL('/api/v1/tenants', gateway.url), { headers: { cookie } })).status).toBe(200);
    // MCP endpoints take bearer tokens only.
    expect(
      (
        await fetch(new URL('/mcp', gateway.url), {
          method: 'POST',
          headers: { cookie, 'content-type': 'application/json' },
          body: '{}',
        })
      ).status,
    ).toBe(401);
    // A state-changing request carrying the cookie from another site's page is refused.
    const crossSite = await fetch(new URL('/oauth/userinfo', gateway.url), {
      method: 'POST',
      headers: { cookie, origin: 'https://evil.example' },
    });
    expect(crossSite.status).toBe(401);

    // Sign-out is a POST from the gateway's own pages: a link, or another site's form, signs nobody out.
    const byLink = await fetch(new URL('/oauth/logout', gateway.url), {
      redirect: 'manual',
      headers: { cookie },
    });
    expect(byLink.status).toBe(405);
    expect(byLink.headers.get('set-cookie')).toBeNull();
    const forgeries: Record<string, string>[] = [
      { origin: 'https://evil.example' },
      { 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of forgeries) {
      const forged = await fetch(new URL('/oauth/logout', gateway.url), {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie, ...headers },
      });
      expect(forged.status).toBe(403);
      expect(forged.headers.get('set-cookie')).toBeNull();
    }
    const logout = await fetch(new URL('/oauth/logout', gateway.url), {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie, origin: gateway.url, 'sec-fetch-site': 'same-origin' },
    });
    expect(logout.status).toBe(303);
    expect(logout.headers.get('set-cookie')).toMatch(/mreg_session=;/);
  });

  it('never redirects a session login off the gateway', async () => {
    const back = await consentInBrowser(
      new URL('/oauth/login?return_to=//evil.example/x', gateway.url),
      { decision: 'approve' },
      { captureCookies: true },
    );
    expect(back.location.origin).toBe(gateway.url);
  });

  it('publishes metadata strict MCP clients require', async () => {
    const metadata = await json(await fetch(new URL('/.well-known/oauth-authorization-server', gateway.url)));
    expect(metadata).toMatchObject({
      issuer: gateway.url,
      code_challenge_methods_supported: ['S256'],
      registration_endpoint: `${gateway.url}/oauth/register`,
      client_id_metadata_document_supported: true,
      authorization_response_iss_parameter_supported: true,
    });
    const jwks = await json(await fetch(new URL('/oauth/jwks', gateway.url)));
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });
    expect(jwks.keys[0].d).toBeUndefined();
  });
});
