import { randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import { createDataSource } from '../../src/database/data-source.factory.js';
import { inTenantScope } from '../../src/database/tenant-scope.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { RegistryCache } from '../../src/registry/registry-cache.js';
import { RegistryRepository } from '../../src/registry/registry.repository.js';
import { localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, uniqueTenant } from '../support/registry.js';
import { runDatabaseUrl } from '../support/test-config.js';

/** Row-Level Security, cross-process cache invalidation and cluster-wide health-check claiming on real PostgreSQL. */
describe('registry on the real PostgreSQL', () => {
  const sources: DataSource[] = [];

  async function connect(poolSize = 4): Promise<DataSource> {
    const dataSource = createDataSource({ target: { url: runDatabaseUrl() }, poolSize });
    await dataSource.initialize();
    sources.push(dataSource);
    return dataSource;
  }

  afterAll(async () => {
    await Promise.all(sources.map((source) => source.destroy()));
  });

  async function seed(db: DataSource): Promise<{ tenantA: string; tenantB: string; serverB: string }> {
    const [a, b] = [uniqueTenant('rls-a'), uniqueTenant('rls-b')];
    const rows = await db.query<{ id: string }[]>(
      `INSERT INTO tenants (entra_tenant_id, name) VALUES ($1, $1), ($2, $2) RETURNING id`,
      [a, b],
    );
    const [tenantA, tenantB] = rows.map((row) => row.id);
    const insert = `INSERT INTO mcp_servers (id, tenant_id, name, endpoints, transport, owner_oid, next_check_at)
      VALUES ($1, $2, $3, '[{"url":"http://example.com/mcp","weight":1}]', 'streamable-http', 'o', now() + interval '1 hour')`;
    const serverB = randomUUID();
    await db.query(insert, [randomUUID(), tenantA, 'a-server']);
    await db.query(insert, [serverB, tenantB, 'b-server']);
    return { tenantA, tenantB, serverB };
  }

  it('the application role sees no rows without a tenant, only its tenant with one, and cannot write across', async () => {
    // One connection: the final check must run on the very connection the scoped transactions used.
    const db = await connect(1);
    const { tenantA, tenantB, serverB } = await seed(db);

    // A query that "forgot" the tenant: Row-Level Security answers with nothing at all.
    const unscoped = await db.transaction(async (manager) => {
      await manager.query(`SET LOCAL ROLE mreg_app`);
      return manager.query<{ count: string }[]>(`SELECT count(*) FROM mcp_servers`);
    });
    expect(unscoped[0].count).toBe('0');

    const visible = await inTenantScope(db, tenantA, (manager) =>
      manager.query<{ tenant_id: string }[]>(`SELECT tenant_id FROM mcp_servers`),
    );
    expect(visible.length).toBeGreaterThan(0);
    expect(new Set(visible.map((row) => row.tenant_id))).toEqual(new Set([tenantA]));

    const updated = await inTenantScope(db, tenantA, (manager) =>
      manager.query(`UPDATE mcp_servers SET title = 'pwned' WHERE id = $1`, [serverB]),
    );
    expect(updated[1]).toBe(0);
    await expect(
      inTenantScope(db, tenantA, (manager) =>
        manager.query(
          `INSERT INTO mcp_servers (tenant_id, name, endpoints, transport, owner_oid) VALUES ($1, 'x', '[]', 'sse', 'o')`,
          [tenantB],
        ),
      ),
    ).rejects.toThrow(/row-level security/);
    const untouched = await db.query<{ title: string | null }[]>(
      `SELECT title FROM mcp_servers WHERE id = $1`,
      [serverB],
    );
    expect(untouched[0].title).toBeNull();
    // Nothing leaked to the pooled connection after the transactions.
    const role = await db.query<{ current_user: string }[]>(`SELECT current_user`);
    expect(role[0].current_user).toBe('postgres');
  });

  it('claims due health checks once across concurrent replicas', async () => {
    const [one, two] = [await connect(), await connect()];
    const { tenantA } = await seed(one);
    const due = `INSERT INTO mcp_servers (tenant_id, name, endpoints, transport, owner_oid, next_check_at)
      SELECT $1, 'due-' || g, '[]', 'streamable-http', 'o', now() - interval '1 minute' FROM generate_series(1, 12) g`;
    await one.query(due, [tenantA]);
    const claim = (db: DataSource) => new RegistryRepository(db).systemClaimDueChecks(100);
    const [first, second] = await Promise.all([claim(one), claim(two)]);
    const overlap = first.filter((id) => second.includes(id));
    expect(overlap).toEqual([]);
    const ours = await one.query<{ id: string }[]>(
      `SELECT id FROM mcp_servers WHERE tenant_id = $1 AND name LIKE 'due-%'`,
      [tenantA],
    );
    const claimed = new Set([...first, ...second]);
    expect(ours.every((row) => claimed.has(row.id))).toBe(true);
    // Claimed rows are pushed one interval ahead: nobody claims them again now.
    const again = await claim(one);
    expect(ours.some((row) => again.includes(row.id))).toBe(false);
  });

  it('drops a health-check outcome when the server was put in maintenance or repointed during the check', async () => {
    const db = await connect();
    const { serverB } = await seed(db);
    const repository = new RegistryRepository(db);
    const endpoints = [{ url: 'http://example.com/mcp', weight: 1 }];
    await db.query(`UPDATE mcp_servers SET status = 'maintenance' WHERE id = $1`, [serverB]);
    expect(await repository.systemRecordCheck({ id: serverB, endpoints }, { status: 'healthy' })).toBe(false);
    await db.query(`UPDATE mcp_servers SET status = 'unknown' WHERE id = $1`, [serverB]);
    const moved = [{ url: 'http://example.org/mcp', weight: 1 }];
    expect(await repository.systemRecordCheck({ id: serverB, endpoints: moved }, { status: 'healthy' })).toBe(
      false,
    );
    expect(await repository.systemRecordCheck({ id: serverB, endpoints }, { status: 'healthy' })).toBe(true);
    const [row] = await db.query<{ status: string }[]>(`SELECT status FROM mcp_servers WHERE id = $1`, [
      serverB,
    ]);
    expect(row.status).toBe('healthy');
  });

  describe('two gateway processes on one database', () => {
    let left: GatewayApp;
    let right: GatewayApp;

    beforeAll(async () => {
      [left, right] = await Promise.all([startRegistryGateway(), startRegistryGateway()]);
    });
    afterAll(async () => {
      await Promise.all([left?.stop(), right?.stop()]);
    });

    async function seenBy(
      gateway: GatewayApp,
      id: string,
      check: (title: string | null | undefined) => boolean,
    ) {
      const started = Date.now();
      while (!check(gateway.app.get(RegistryCache).get(id)?.title)) {
        if (Date.now() - started > 1000)
          throw new Error('the other process did not see the change within 1 s');
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    }

    it('agree within a second on registrations, changes and removals (LISTEN/NOTIFY)', async () => {
      const admin = await localToken(left, { tenant: uniqueTenant(), roles: ['admin'] });
      const created = await rest(left, admin, 'POST', '/api/v1/servers', {
        name: 'shared',
        url: 'http://127.0.0.1:9/mcp',
        title: 'v1',
        discover: false,
      });
      const id = created.body.server.id as string;
      await seenBy(right, id, (title) => title === 'v1');

      await rest(left, admin, 'PATCH', `/api/v1/servers/${id}`, { title: 'v2' });
      await seenBy(right, id, (title) => title === 'v2');

      await rest(left, admin, 'DELETE', `/api/v1/servers/${id}`);
      await seenBy(right, id, (title) => title === undefined);
    });
  });
});
