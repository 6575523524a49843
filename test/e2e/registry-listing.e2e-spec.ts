import type { GatewayApp } from '../../src/app/gateway-app.js';
import type { Principal } from '../../src/common/principal.js';
import { RegistryService } from '../../src/registry/registry.service.js';
import { TenantsService } from '../../src/tenancy/tenants.service.js';
import { EverythingServer } from '../support/everything-server.js';
import { localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';

/** Listing and pagination, legacy SSE upstreams and platform-wide (global) servers. */
describe('registry listing, SSE upstreams and global servers (e2e)', () => {
  let gateway: GatewayApp;
  // Its own database: a global server is visible to every tenant, so it must not appear in other specs' lists.
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase('listing');
    gateway = await startRegistryGateway({
      MREG_DATABASE_URL: database.url,
    });
  });
  afterAll(async () => {
    await gateway?.stop();
    await database?.drop();
  });

  it('pages by cursor and by page+limit in name order, with filters', async () => {
    const admin = await localToken(gateway, { tenant: uniqueTenant(), roles: ['admin'] });
    for (const name of ['echo', 'alpha', 'delta', 'bravo', 'charlie']) {
      const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
        name,
        url: `http://127.0.0.1:9/${name}`,
        tags: name === 'delta' ? ['x'] : [],
        discover: false,
      });
      expect(created.status).toBe(201);
    }
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page = await rest(gateway, admin, 'GET', `/api/v1/servers?limit=2${query}`);
      expect(page.body.total).toBe(5);
      names.push(...(page.body.items as { name: string }[]).map((s) => s.name));
      cursor = page.body.nextCursor;
    } while (cursor);
    expect(names).toEqual(['alpha', 'bravo', 'charlie', 'delta', 'echo']);

    const second = await rest(gateway, admin, 'GET', '/api/v1/servers?page=2&limit=2');
    expect((second.body.items as { name: string }[]).map((s) => s.name)).toEqual(['charlie', 'delta']);
    const tagged = await rest(gateway, admin, 'GET', '/api/v1/servers?tag=x');
    expect(tagged.body).toMatchObject({ total: 1, items: [{ name: 'delta' }] });
    expect((await rest(gateway, admin, 'GET', '/api/v1/servers?q=har')).body.total).toBe(1);
    expect((await rest(gateway, admin, 'GET', '/api/v1/servers?q=%25')).body.total).toBe(0);
    expect((await rest(gateway, admin, 'GET', '/api/v1/servers?limit=101')).status).toBe(400);
    expect((await rest(gateway, admin, 'GET', '/api/v1/servers?cursor=bogus')).body.code).toBe(
      'INVALID_CURSOR',
    );
    const official = await rest(gateway, admin, 'GET', '/v0.1/servers?limit=2');
    expect(official.body.metadata).toMatchObject({ count: 2, nextCursor: expect.any(String) });
  });

  it('discovers a legacy HTTP+SSE upstream', async () => {
    const sse = await new EverythingServer('sse').start();
    try {
      const admin = await localToken(gateway, { tenant: uniqueTenant(), roles: ['admin'] });
      const created = await rest(gateway, admin, 'POST', '/api/v1/servers', {
        name: 'legacy',
        url: sse.url,
        transport: 'sse',
      });
      expect(created.status).toBe(201);
      expect(created.body.server.transport).toBe('sse');
      expect(created.body.discovered.tools).toContain('echo');
    } finally {
      await sse.stop();
    }
  });

  it('shows a global server to every tenant, which can read but not change it', async () => {
    const platformName = uniqueTenant('platform');
    const platform = await gateway.app.get(TenantsService).resolve(`local:${platformName}`);
    const superadmin: Principal = {
      tenantId: platform.id,
      tenantKey: platform.entraTenantId,
      oid: 'platform-admin',
      sub: 'platform-admin',
      roles: ['admin', 'server_owner', 'user'],
      scopes: [],
      tokenKind: 'entra',
      superadmin: true,
      expiresAt: Math.floor(Date.now() / 1000) + 600,
    };
    const registry = gateway.app.get(RegistryService);
    const name = uniqueTenant('shared');
    const { server } = await registry.register(superadmin, {
      name,
      url: 'http://127.0.0.1:9/mcp',
      visibility: 'global',
      discover: false,
    });

    const otherAdmin = await localToken(gateway, { tenant: uniqueTenant(), roles: ['admin'] });
    const seen = await rest(gateway, otherAdmin, 'GET', `/api/v1/servers/${server.id}`);
    expect(seen.body).toMatchObject({ name, visibility: 'global' });
    const changed = await rest(gateway, otherAdmin, 'PATCH', `/api/v1/servers/${server.id}`, {
      title: 'mine',
    });
    expect(changed).toMatchObject({ status: 403, body: { code: 'NOT_SERVER_OWNER' } });

    // Even an admin of the tenant that owns it cannot repoint what every tenant uses: platform administrators only.
    const ownTenantAdmin = await localToken(gateway, { tenant: platformName, roles: ['admin'] });
    const repointed = await rest(gateway, ownTenantAdmin, 'PATCH', `/api/v1/servers/${server.id}`, {
      url: 'http://127.0.0.2:9/mcp',
    });
    expect(repointed).toMatchObject({ status: 403, body: { code: 'NOT_SERVER_OWNER' } });
    expect((await rest(gateway, ownTenantAdmin, 'DELETE', `/api/v1/servers/${server.id}`)).status).toBe(403);

    // Only platform administrators may publish globally.
    const refused = await rest(gateway, otherAdmin, 'POST', '/api/v1/servers', {
      name: 'everywhere',
      url: 'http://127.0.0.1:9/mcp',
      visibility: 'global',
      discover: false,
    });
    expect(refused).toMatchObject({ status: 403, body: { code: 'INSUFFICIENT_ROLE' } });
    await registry.unregister(superadmin, server.id);
  });
});
