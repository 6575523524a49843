import { Client } from 'pg';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import type { GatewayApp } from '../../src/app/gateway-app.js';
import { call, connectMcpClient, localToken } from '../support/gateway.js';
import { rest, startRegistryGateway, tool, toolError, uniqueTenant } from '../support/registry.js';
import { ADMIN_DATABASE_URL, createTestDatabase, type TestDatabase } from '../support/test-database.js';

/**
 * MREG_AUDIT_FAIL_CLOSED and shutdown: admin changes (REST and MCP tools) wait for their record, and nothing queued
 * is lost on SIGTERM.
 */
describe('audit durability (e2e)', () => {
  let database: TestDatabase;
  let gateway: GatewayApp | undefined;
  let admin: Client;

  beforeAll(async () => {
    database = await createTestDatabase('auditdur');
    admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
  });
  afterAll(async () => {
    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`).catch(() => undefined);
    await admin.end();
    await gateway?.stop();
    await database?.drop();
  });

  async function auditRows(sql: string, values: unknown[]): Promise<any[]> {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      return (await client.query(sql, values)).rows;
    } finally {
      await client.end();
    }
  }

  it('with fail-closed on, a mutation answers after its record is stored, and is refused while it cannot be', async () => {
    gateway = await startRegistryGateway({ MREG_DATABASE_URL: database.url, MREG_AUDIT_FAIL_CLOSED: 'true' });
    const tenant = uniqueTenant();
    const token = await localToken(gateway, { tenant, user: 'ada', roles: ['admin'] });
    const server = { url: 'http://127.0.0.1:9/mcp', discover: false };
    expect((await rest(gateway, token, 'POST', '/api/v1/servers', { name: 'one', ...server })).status).toBe(
      201,
    );
    // No flush: the record was stored before the answer.
    expect(
      await auditRows(`SELECT outcome FROM audit_events WHERE action = 'registry.register'`, []),
    ).toEqual([{ outcome: 'success' }]);

    // The outage: the writer finds out on its next batch (an anonymous refusal is recorded too).
    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS false`);
    await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1`, [
      database.name,
    ]);
    expect((await call(gateway, '/api/v1/servers', undefined, { method: 'POST' })).status).toBe(401);
    await gateway.app.get(AuditWriter).flush();
    const refused = await rest(gateway, token, 'POST', '/api/v1/servers', { name: 'two', ...server });
    expect(refused.status).toBe(503);
    expect(refused.body.code).toBe('AUDIT_UNAVAILABLE');

    await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`);
    await gateway.app.get(AuditWriter).flush();
    expect((await rest(gateway, token, 'POST', '/api/v1/servers', { name: 'two', ...server })).status).toBe(
      201,
    );
    const actions = await auditRows(
      `SELECT action, outcome, status FROM audit_events WHERE action <> 'audit.query' ORDER BY id`,
      [],
    );
    // The spilled refusal was replayed, in order, before the second registration.
    expect(actions).toEqual([
      { action: 'registry.register', outcome: 'success', status: 201 },
      { action: 'POST /api/v1/servers', outcome: 'denied', status: 401 },
      { action: 'registry.register', outcome: 'success', status: 201 },
    ]);
  });

  it('with fail-closed on, a mutating MCP tool is refused while its record cannot be stored; read-only tools still answer', async () => {
    await gateway?.stop();
    gateway = await startRegistryGateway({
      MREG_DATABASE_URL: database.url,
      MREG_AUDIT_FAIL_CLOSED: 'true',
      MREG_AUDIT_WRITE_TIMEOUT_MS: '1000',
    });
    const writer = gateway.app.get(AuditWriter);
    const token = await localToken(gateway, { tenant: uniqueTenant('mcp'), user: 'grace', roles: ['admin'] });
    const client = await connectMcpClient(gateway, token);
    const server = { url: 'http://127.0.0.1:9/mcp', discover: false };
    const toolEvents = (name: string) =>
      auditRows(
        `SELECT outcome, status, error_code FROM audit_events
         WHERE action = 'tools/call' AND tool = $1 AND actor_name = 'grace' ORDER BY id`,
        [name],
      );
    // Only the audit trail is out: its chain heads are locked, so its writes stall and time out, while the
    // registry works. A refusal then comes from fail-closed alone; otherwise the tool would run and succeed.
    const locker = new Client({ connectionString: database.url });
    await locker.connect();
    try {
      await tool(client, 'register_server', { name: 'one', ...server });
      // No flush: the record was stored before the answer.
      expect(await toolEvents('register_server')).toEqual([
        { outcome: 'success', status: 200, error_code: null },
      ]);

      await locker.query('BEGIN');
      await locker.query('LOCK TABLE audit_chain_heads IN EXCLUSIVE MODE');
      await tool(client, 'gateway_info'); // its event is the write that finds out
      await writer.flush();
      expect(writer.healthy).toBe(false);

      const refused = await toolError(client, 'register_server', { name: 'two', ...server });
      expect(refused.data).toMatchObject({ code: 'AUDIT_UNAVAILABLE', statusCode: 503 });
      expect(await tool(client, 'whoami')).toMatchObject({ name: 'grace' });
      const listed = (await tool(client, 'list_servers')) as { servers: { name: string }[] };
      expect(listed.servers.map((s) => s.name)).toEqual(['one']); // 'two' was not made

      await locker.query('ROLLBACK');
      await writer.flush();
      expect(writer.healthy).toBe(true);
      await tool(client, 'register_server', { name: 'two', ...server });
      expect(await toolEvents('register_server')).toEqual([
        { outcome: 'success', status: 200, error_code: null },
        { outcome: 'error', status: 503, error_code: 'AUDIT_UNAVAILABLE' }, // spilled, replayed in order
        { outcome: 'success', status: 200, error_code: null },
      ]);
    } finally {
      await locker.end();
      await client.close();
    }
  });

  it('flushes the queue on shutdown: events of the last moment are stored', async () => {
    await gateway?.stop();
    gateway = await startRegistryGateway({ MREG_DATABASE_URL: database.url });
    const tenant = uniqueTenant('last');
    const token = await localToken(gateway, { tenant, user: 'ada', roles: ['user'] });
    const denied = await Promise.all(
      Array.from({ length: 10 }, () => rest(gateway!, token, 'POST', '/api/v1/servers', { name: 'x' })),
    );
    expect(denied.every((response) => response.status === 403)).toBe(true);
    await gateway.stop();
    gateway = undefined;
    const rows = await auditRows(
      `SELECT count(*)::int AS n FROM audit_events WHERE actor_name = 'ada' AND status = 403`,
      [],
    );
    expect(rows[0].n).toBe(10);
  });
});
