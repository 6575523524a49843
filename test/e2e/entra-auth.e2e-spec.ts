import { createHmac, randomUUID } from 'node:crypto';
import type { Client } from '@modelcontextprotocol/client';
import { GatewayTokens } from '../../src/auth/gateway-tokens.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import {
  ENTRA_CLIENT_ID as CLIENT_ID,
  ENTRA_TID as TID,
  OTHER_TID,
  startEntraGateway,
} from '../support/entra-gateway.js';
import { FakeEntra } from '../support/fake-entra.js';
import { call, connectMcpClient } from '../support/gateway.js';
import { json } from '../support/http.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('Entra ID bearer authentication', () => {
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

  const userinfo = (token?: string, path = '/oauth/userinfo') => call(gateway, path, token);

  async function expectRejected(res: Response, description: RegExp) {
    expect(res.status).toBe(401);
    const challenge = res.headers.get('www-authenticate') ?? '';
    expect(challenge).toContain(`resource_metadata="${gateway.url}/.well-known/oauth-protected-resource"`);
    expect(challenge).toContain('error="invalid_token"');
    expect(challenge).toMatch(description);
    expect(await json(res)).toMatchObject({
      statusCode: 401,
      code: expect.any(String),
      correlationId: expect.any(String),
    });
  }

  it('refuses to start a replica whose encryption key cannot open the shared signing keys, and leaks nothing', async () => {
    // The first gateway above created the shared key; this one has another MREG_ENCRYPTION_KEY. An open pool left
    // behind by the failed start would keep this test file from finishing.
    await expect(startEntraGateway(entra, { MREG_ENCRYPTION_KEY: 'f'.repeat(64) })).rejects.toThrow(
      /sealed with another MREG_ENCRYPTION_KEY/,
    );
  });

  it('accepts a valid v2 access token and maps app roles to gateway roles', async () => {
    const res = await userinfo(await entra.token({ tid: TID, roles: ['Gateway.Admin'], name: 'Ada' }));
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({
      tenantKey: TID,
      name: 'Ada',
      roles: ['admin', 'server_owner', 'user'],
      scopes: ['access_as_user'],
      tokenKind: 'entra',
      authMode: 'entra',
    });
  });

  it('answers 401 with only the metadata pointer when no token is sent', async () => {
    const res = await userinfo();
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${gateway.url}/.well-known/oauth-protected-resource"`,
    );
  });

  it.each<[string, () => Promise<string>, RegExp]>([
    ['garbage', () => Promise.resolve('not.a.jwt'), /malformed/],
    [
      'alg none',
      async () => {
        const valid = await entra.token({ tid: TID });
        const [, payload] = valid.split('.');
        return `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`;
      },
      /algorithm not allowed/,
    ],
    [
      'HS256 signed with the public key',
      async () => {
        const valid = await entra.token({ tid: TID });
        const [, payload] = valid.split('.');
        const header = b64({ alg: 'HS256', typ: 'JWT', kid: entra.currentKey.kid });
        const secret = JSON.stringify(entra.currentKey.publicJwk);
        const signature = createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
        return `${header}.${payload}.${signature}`;
      },
      /algorithm not allowed/,
    ],
    ['a wrong audience', () => entra.token({ tid: TID, aud: randomUUID() }), /claim .aud. is not valid/],
    [
      'a foreign issuer',
      () => entra.token({ tid: TID, iss: `https://evil.example/${TID}/v2.0` }),
      /issuer is not trusted/,
    ],
    ['a tenant not allowed', () => entra.token({ tid: OTHER_TID }), /tenant is not allowed/],
    [
      'an issuer of another tenant than tid',
      () => entra.token({ tid: TID, iss: entra.issuer(OTHER_TID) }),
      /issuer does not match/,
    ],
    [
      'an expired token (beyond 5 min skew)',
      () => entra.token({ tid: TID }, { expiresInSeconds: -600 }),
      /expired/,
    ],
    [
      'nbf in the future (beyond 5 min skew)',
      () => entra.token({ tid: TID }, { notBeforeOffsetSeconds: 600 }),
      /claim .nbf. is not valid/,
    ],
    [
      'a v1 token while v1 is off',
      () => entra.token({ tid: TID }, { version: 'v1' }),
      /issuer is not trusted|issuer does not match/,
    ],
    ['an id_token (no azp/appid)', () => entra.token({ tid: TID, azp: undefined }), /not an access token/],
    [
      'a delegated token without our API scope',
      () => entra.token({ tid: TID, scp: 'User.Read' }),
      /lacks the access_as_user scope/,
    ],
    [
      'an app-only token without a role',
      () => entra.token({ tid: TID, scp: undefined }),
      /without an assigned gateway role/,
    ],
    [
      'a signature that does not match',
      async () => (await entra.token({ tid: TID })).slice(0, -4) + 'AAAA',
      /signature/,
    ],
  ])('refuses %s with 401 invalid_token', async (_case, makeToken, description) => {
    await expectRejected(await userinfo(await makeToken()), description);
  });

  it('accepts an app-only token that has an assigned gateway role', async () => {
    const res = await userinfo(
      await entra.token({ tid: TID, scp: undefined, roles: ['Gateway.ServerOwner'] }),
    );
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ roles: ['server_owner', 'user'], scopes: [] });
  });

  it('refuses a token in the query string even with a valid header token', async () => {
    const token = await entra.token({ tid: TID });
    const res = await userinfo(token, `/oauth/userinfo?access_token=${token}`);
    await expectRejected(res, /query strings/);
  });

  it('refuses a gateway token issued for another resource, and accepts it on its own', async () => {
    const tokens = gateway.app.get(GatewayTokens);
    const issue = (audience: string) =>
      tokens.issue({
        tenantKey: TID,
        oid: randomUUID(),
        sub: 's',
        roles: ['user'],
        kind: 'gateway',
        audience,
        ttlSeconds: 300,
      });
    const forServer = await issue(`${gateway.url}/servers/123/mcp`);
    const forMcp = await issue(`${gateway.url}/mcp`);
    await expectRejected(await call(gateway, '/oauth/userinfo', forServer), /another resource/);
    await expectRejected(await call(gateway, '/oauth/userinfo', forMcp), /another resource/);
    const client = await connectMcpClient(gateway, forMcp);
    const result = await client.callTool({ name: 'whoami', arguments: {} });
    expect(result.structuredContent).toMatchObject({ tokenKind: 'gateway', tenantKey: TID });
    await client.close();
    await expect(connectMcpClient(gateway, forServer)).rejects.toThrow();
    // A token for the gateway as a whole (REST) is not a token for an MCP endpoint, whatever case or slash is used.
    const forGateway = await issue(gateway.url);
    expect((await call(gateway, '/oauth/userinfo', forGateway)).status).toBe(200);
    for (const path of ['/mcp', '/MCP', '/mcp/']) {
      const res = await call(gateway, path, forGateway, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{}',
      });
      expect([path, res.status]).toEqual([path, 401]);
    }
  });

  it('refuses development tokens and gateway tokens of tenants no longer allowed', async () => {
    const tokens = gateway.app.get(GatewayTokens);
    const base = {
      oid: randomUUID(),
      sub: 's',
      roles: ['admin'] as const,
      audience: gateway.url,
      ttlSeconds: 300,
    };
    const local = await tokens.issue({ ...base, roles: ['admin'], tenantKey: 'local:acme', kind: 'local' });
    await expectRejected(
      await call(gateway, '/oauth/userinfo', local),
      /development tokens are not accepted/,
    );
    const foreign = await tokens.issue({ ...base, roles: ['admin'], tenantKey: OTHER_TID, kind: 'gateway' });
    await expectRejected(await call(gateway, '/oauth/userinfo', foreign), /tenant is not allowed/);
  });

  describe('signing keys', () => {
    afterEach(() => jest.useRealTimers());

    // jose re-fetches the key set on an unknown kid at most every 30 s; only the clock is moved, timers stay real.
    // The offset grows so the clock never goes back behind the last fetch jose remembers.
    let offset = 0;
    const skipJwksCooldown = () => {
      offset += 31_000;
      jest.useFakeTimers({
        doNotFake: [
          'nextTick',
          'setImmediate',
          'clearImmediate',
          'setTimeout',
          'clearTimeout',
          'setInterval',
          'clearInterval',
          'queueMicrotask',
          'hrtime',
          'performance',
        ],
      });
      jest.setSystemTime(Date.now() + offset);
    };

    it('re-fetches the key set once for an unknown kid, then refuses the token', async () => {
      expect((await userinfo(await entra.token({ tid: TID }))).status).toBe(200);
      skipJwksCooldown();
      const before = entra.jwksFetches;
      const rogue = await FakeEntra.newKey();
      await expectRejected(await userinfo(await entra.token({ tid: TID }, { key: rogue })), /unknown key/);
      expect(entra.jwksFetches).toBe(before + 1);
    });

    it('accepts tokens signed with a rotated-in key', async () => {
      await entra.rotate();
      skipJwksCooldown();
      expect((await userinfo(await entra.token({ tid: TID }))).status).toBe(200);
    });
  });

  describe('roles', () => {
    let userToken: string;
    let adminToken: string;

    beforeAll(async () => {
      userToken = await entra.token({ tid: TID });
      adminToken = await entra.token({ tid: TID, roles: ['Gateway.Admin'] });
    });

    it('admin REST route: 403 insufficient_scope for a user, 200 for an admin', async () => {
      const denied = await call(gateway, '/api/v1/tenants', userToken);
      expect(denied.status).toBe(403);
      expect(denied.headers.get('www-authenticate')).toMatch(
        /^Bearer error="insufficient_scope", error_description="requires role admin"/,
      );
      expect(await json(denied)).toMatchObject({ code: 'INSUFFICIENT_ROLE' });
      const allowed = await call(gateway, '/api/v1/tenants', adminToken);
      expect(allowed.status).toBe(200);
      expect(await json(allowed)).toEqual([expect.objectContaining({ key: TID, status: 'active' })]);
    });

    it('admin MCP tool: hidden from and refused to a user, listed and callable for an admin', async () => {
      let user: Client | undefined;
      let admin: Client | undefined;
      try {
        user = await connectMcpClient(gateway, userToken);
        admin = await connectMcpClient(gateway, adminToken);
        expect((await user.listTools()).tools.map((t) => t.name)).not.toContain('list_tenants');
        const refused = await user
          .callTool({ name: 'list_tenants', arguments: {} })
          .catch((error: Error) => error);
        expect(refused instanceof Error ? refused.message : JSON.stringify(refused)).toMatch(
          /requires .*admin/,
        );
        expect((await admin.listTools()).tools.map((t) => t.name)).toContain('list_tenants');
        const result = await admin.callTool({ name: 'list_tenants', arguments: {} });
        expect(result.structuredContent).toEqual({ tenants: [expect.objectContaining({ key: TID })] });
      } finally {
        await user?.close();
        await admin?.close();
      }
    });
  });
});

describe('Entra v1 tokens when enabled', () => {
  it('accepts a v1 token with the api:// audience', async () => {
    const entra = await FakeEntra.start(CLIENT_ID);
    const gateway = await startEntraGateway(entra, { MREG_ENTRA_ACCEPT_V1_TOKENS: 'true' });
    try {
      const res = await call(gateway, '/oauth/userinfo', await entra.token({ tid: TID }, { version: 'v1' }));
      expect(res.status).toBe(200);
    } finally {
      await gateway.stop();
      await entra.stop();
    }
  });
});
