import type { GatewayApp } from '../../src/app/gateway-app.js';
import { ENTRA_CLIENT_ID, ENTRA_TID, startEntraGateway } from '../support/entra-gateway.js';
import { FakeEntra } from '../support/fake-entra.js';
import { FixtureMcpServer } from '../support/fixture-mcp-server.js';
import { rest } from '../support/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

const ALLOWED = 'api://inventory/.default';

/**
 * Who may make the gateway send users' Entra tokens where (security review): entra_obo is an admin's setting, its
 * scope never the gateway's own app and, with MREG_ENTRA_OBO_ALLOWED_SCOPES, one of the listed scopes.
 */
describe('registry: entra_obo upstream auth policy (e2e)', () => {
  let entra: FakeEntra;
  let gateway: GatewayApp;
  let fixture: FixtureMcpServer;
  let other: FixtureMcpServer;
  // Its own database: the Entra tenant key is shared with other specs, so their servers stay out of this one's.
  let database: TestDatabase;
  let admin: string;
  let owner: string;

  beforeAll(async () => {
    entra = await FakeEntra.start(ENTRA_CLIENT_ID);
    [fixture, other] = await Promise.all([new FixtureMcpServer().start(), new FixtureMcpServer().start()]);
    database = await createTestDatabase('obo_policy');
    gateway = await startEntraGateway(entra, {
      MREG_DATABASE_URL: database.url,
      MREG_ALLOW_PRIVATE_UPSTREAMS: 'true',
      MREG_HEALTH_CHECKS_ENABLED: 'false',
      MREG_ENTRA_OBO_ALLOWED_SCOPES: `${ALLOWED},https://graph.microsoft.com/User.Read`,
    });
    admin = await entra.token({ tid: ENTRA_TID, roles: ['Gateway.Admin'] });
    owner = await entra.token({ tid: ENTRA_TID, roles: ['Gateway.ServerOwner'] });
  });
  afterAll(async () => {
    await gateway?.stop();
    await fixture?.stop();
    await other?.stop();
    await entra?.stop();
    await database?.drop();
  });

  const register = (token: string, name: string, scope: string) =>
    rest(gateway, token, 'POST', '/api/v1/servers', {
      name,
      url: fixture.url,
      discover: false,
      upstreamAuth: { type: 'entra_obo', scope },
    });

  it("refuses a server_owner's entra_obo registration (403), even with an allowed scope", async () => {
    const refused = await register(owner, 'harvest', ALLOWED);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('INSUFFICIENT_ROLE');
    const hr = await register(owner, 'harvest-hr', 'api://hr-api/.default');
    expect(hr.status).toBe(403);
  });

  it("refuses an admin's scope outside MREG_ENTRA_OBO_ALLOWED_SCOPES (400 UPSTREAM_SCOPE_REFUSED)", async () => {
    const refused = await register(admin, 'hr', 'api://hr-api/.default');
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({
      code: 'UPSTREAM_SCOPE_REFUSED',
      details: { scope: 'api://hr-api/.default' },
    });
    expect(refused.body.message).toMatch(/MREG_ENTRA_OBO_ALLOWED_SCOPES/);
  });

  it("refuses the gateway's own client id as scope, in any form", async () => {
    for (const scope of [`api://${ENTRA_CLIENT_ID}/.default`, `${ENTRA_CLIENT_ID}/.default`]) {
      const refused = await register(admin, 'self', scope);
      expect(refused.status).toBe(400);
      expect(refused.body.code).toBe('UPSTREAM_SCOPE_REFUSED');
      expect(refused.body.message).toMatch(/gateway's own app/);
    }
  });

  it('stores none of the refused servers; an admin registers an allowed scope', async () => {
    const created = await register(admin, 'inventory', ALLOWED);
    expect(created.status).toBe(201);
    expect(created.body.server.upstreamAuth).toEqual({ type: 'entra_obo', scope: ALLOWED, hasSecret: false });
    const listed = await rest(gateway, admin, 'GET', '/api/v1/servers');
    const names = (listed.body as { items: { name: string }[] }).items.map((server) => server.name);
    expect(names).toEqual(['inventory']);
  });

  it('re-pointing an entra_obo server takes an admin re-stating upstreamAuth; a server_owner cannot', async () => {
    // The server_owner owns this one; the admin set its on-behalf-of auth afterwards.
    const ownerId = (
      await rest(gateway, owner, 'POST', '/api/v1/servers', {
        name: 'owned',
        url: fixture.url,
        discover: false,
      })
    ).body.server.id as string;
    expect(
      (
        await rest(gateway, admin, 'PATCH', `/api/v1/servers/${ownerId}`, {
          upstreamAuth: { type: 'entra_obo', scope: ALLOWED },
        })
      ).status,
    ).toBe(200);

    const moved = await rest(gateway, owner, 'PATCH', `/api/v1/servers/${ownerId}`, { url: other.url });
    expect(moved.status).toBe(422);
    expect(moved.body.code).toBe('INVALID_SERVER');
    const restated = await rest(gateway, owner, 'PATCH', `/api/v1/servers/${ownerId}`, {
      url: other.url,
      upstreamAuth: { type: 'entra_obo', scope: ALLOWED },
    });
    expect(restated.status).toBe(403);
    const rescoped = await rest(gateway, owner, 'PATCH', `/api/v1/servers/${ownerId}`, {
      upstreamAuth: { type: 'entra_obo', scope: 'https://graph.microsoft.com/User.Read' },
    });
    expect(rescoped.status).toBe(403);
    const unchanged = await rest(gateway, owner, 'GET', `/api/v1/servers/${ownerId}`);
    expect(unchanged.body).toMatchObject({
      endpoints: [{ url: fixture.url }],
      upstreamAuth: { type: 'entra_obo', scope: ALLOWED },
    });

    const byAdmin = await rest(gateway, admin, 'PATCH', `/api/v1/servers/${ownerId}`, {
      url: other.url,
      upstreamAuth: { type: 'entra_obo', scope: ALLOWED },
    });
    expect(byAdmin.status).toBe(200);
    expect(byAdmin.body.endpoints).toEqual([expect.objectContaining({ url: other.url })]);
  });
});
