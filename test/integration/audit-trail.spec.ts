import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditChainVerifier } from '../../src/audit/audit-chain-verifier.js';
import { AuditQueryService } from '../../src/audit/audit-query.service.js';
import { AuditRetention } from '../../src/audit/audit-retention.js';
import { TenantsService } from '../../src/tenancy/tenants.service.js';
import type { AuditWriter } from '../../src/audit/audit-writer.js';
import type { PendingAuditEvent } from '../../src/audit/audit.types.js';
import { Auditor } from '../../src/audit/auditor.js';
import { CallMetrics } from '../../src/audit/call-metrics.js';
import type { Principal } from '../../src/common/principal.js';
import { createDataSource } from '../../src/database/data-source.factory.js';
import { MetricsService } from '../../src/observability/metrics.service.js';
import { AuditHarness, auditConfig, auditTenant, storedNumbers } from '../support/audit-harness.js';
import {
  ADMIN_DATABASE_URL,
  createMigratedTestDatabase,
  type MigratedTestDatabase,
} from '../support/test-database.js';

/** The audit trail on the real PostgreSQL: batching under load, spill and replay across an outage, tamper evidence, retention. */
describe('audit trail on the real PostgreSQL', () => {
  let database: MigratedTestDatabase;
  let db: DataSource;

  const harness = new AuditHarness();
  const config = auditConfig;
  const writerOn = (source: DataSource, appConfig = config()) => harness.writerOn(source, appConfig);
  const tenant = () => auditTenant(db);

  /** An event exactly as the auditor would queue it, taken from a spy on the writer. */
  function builtEvent(tenantId: string): PendingAuditEvent {
    const probe = { enqueue: (event: PendingAuditEvent) => (captured = event) } as unknown as AuditWriter;
    let captured: PendingAuditEvent | undefined;
    new Auditor(config(), probe, new CallMetrics(new MetricsService())).record({
      surface: 'rest',
      action: 'probe',
      outcome: 'success',
      tenantId,
    });
    return captured!;
  }

  const count = async (tenantId: string) =>
    Number(
      (
        await db.query<{ n: string }[]>(`SELECT count(*) AS n FROM audit_events WHERE tenant_id = $1`, [
          tenantId,
        ])
      )[0].n,
    );

  beforeAll(async () => {
    database = await createMigratedTestDatabase('audit', 4);
    db = database.db;
  });

  afterAll(async () => {
    await harness.shutdown();
    await database?.close();
  });

  it('stores 5,000 events/s for 5 s without losing one, in order, on a valid chain', async () => {
    const tenantId = await tenant();
    const { writer, auditor } = await writerOn(db);
    const total = 25_000;
    let sent = 0;
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => {
        for (let i = 0; i < 50 && sent < total; i++) {
          auditor.record({
            surface: 'proxy',
            action: 'tools/call',
            outcome: 'success',
            tenantId,
            tool: 'echo',
            params: { n: sent++ },
          });
        }
        if (sent >= total) {
          clearInterval(timer);
          resolve();
        }
      }, 10);
    });
    await writer.flush();
    expect(await count(tenantId)).toBe(total);
    const order = await db.query<{ ok: boolean }[]>(
      `SELECT bool_and((params->>'n')::int = chain_seq - 1) AS ok FROM audit_events WHERE tenant_id = $1`,
      [tenantId],
    );
    expect(order[0].ok).toBe(true);
    expect(await new AuditChainVerifier(db).verify(tenantId)).toEqual({
      ok: true,
      tenants: [{ tenantId, events: total, ok: true }],
    });
  }, 60_000);

  it('two writers (two replicas) appending to one tenant at once keep a single valid chain', async () => {
    const tenantId = await tenant();
    const other = createDataSource({ target: { url: database.url }, poolSize: 2 });
    await other.initialize();
    try {
      const [a, b] = [await writerOn(db), await writerOn(other)];
      for (let n = 0; n < 2000; n++) {
        a.auditor.record({
          surface: 'proxy',
          action: 'tools/call',
          outcome: 'success',
          tenantId,
          params: { w: 'a', n },
        });
        b.auditor.record({
          surface: 'proxy',
          action: 'tools/call',
          outcome: 'success',
          tenantId,
          params: { w: 'b', n },
        });
      }
      await Promise.all([a.writer.flush(), b.writer.flush()]);
      expect(await count(tenantId)).toBe(4000);
      expect((await new AuditChainVerifier(db).verify(tenantId)).tenants[0]).toEqual({
        tenantId,
        events: 4000,
        ok: true,
      });
      await b.writer.beforeApplicationShutdown();
    } finally {
      await other.destroy();
    }
  }, 30_000);

  it('a waiter for an event PostgreSQL refuses hears so, while the rest of its batch is stored', async () => {
    const tenantId = await tenant();
    const { writer, auditor } = await writerOn(db);
    auditor.record({ surface: 'rest', action: 'kept', outcome: 'success', tenantId });
    // Only a bug could make such an event (the auditor validates); the writer must still not call it durable.
    const malformed = { ...builtEvent(tenantId), tenantId: 'not-a-uuid' };
    const refused = writer.enqueueDurably(malformed);
    await writer.flush();
    await expect(refused).rejects.toThrow(/refused/);
    expect(await count(tenantId)).toBe(1);
  });

  it('verifies a tenant that is being written to without crying tampering', async () => {
    const tenantId = await tenant();
    const { writer, auditor } = await writerOn(db);
    const verifier = new AuditChainVerifier(db);
    const reports = [];
    for (let round = 0; round < 10; round++) {
      for (let n = 0; n < 200; n++)
        auditor.record({ surface: 'proxy', action: 'tools/call', outcome: 'success', tenantId });
      const [report] = await Promise.all([verifier.verify(tenantId), writer.flush()]);
      reports.push(report.ok);
    }
    expect(reports.every(Boolean)).toBe(true);
  });

  it('spills to disk while PostgreSQL refuses connections and replays every event once, in order, when it is back', async () => {
    const tenantId = await tenant();
    const source = createDataSource({ target: { url: database.url }, poolSize: 2 });
    await source.initialize();
    const { writer, auditor, appConfig } = await writerOn(source);
    const record = (n: number) =>
      auditor.record({
        surface: 'rest',
        action: 'registry.register',
        outcome: 'success',
        tenantId,
        params: { n },
      });
    record(0);
    await writer.flush();

    const admin = new Client({ connectionString: ADMIN_DATABASE_URL });
    await admin.connect();
    try {
      // The outage: no new connections, and the writer's pooled ones are cut.
      await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS false`);
      await admin.query(
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`,
        [database.name],
      );
      for (let n = 1; n <= 30; n++) record(n);
      await writer.flush();
      expect(writer.healthy).toBe(false);
      expect(existsSync(join(appConfig.dataDir, 'audit-spill.ndjson'))).toBe(true);
      for (let n = 31; n <= 40; n++) record(n);
      await writer.flush();
    } finally {
      await admin.query(`ALTER DATABASE "${database.name}" ALLOW_CONNECTIONS true`);
      await admin.end();
    }
    for (let n = 41; n <= 50; n++) record(n);
    await writer.flush();

    expect(writer.healthy).toBe(true);
    expect(existsSync(join(appConfig.dataDir, 'audit-spill.ndjson'))).toBe(false);
    expect(await storedNumbers(db, tenantId)).toEqual(Array.from({ length: 51 }, (_, n) => n));
    expect((await new AuditChainVerifier(db).verify(tenantId)).ok).toBe(true);
    await writer.beforeApplicationShutdown();
    await source.destroy();
  }, 60_000);

  it('refuses changes to stored events, and verify finds an edit or a deletion made around that at the right link', async () => {
    const tenantId = await tenant();
    const { writer, auditor } = await writerOn(db);
    for (let n = 0; n < 5; n++)
      auditor.record({ surface: 'mcp', action: 'tools/call', outcome: 'success', tenantId, params: { n } });
    await writer.flush();

    await expect(
      db.query(`UPDATE audit_events SET outcome = 'error' WHERE tenant_id = $1`, [tenantId]),
    ).rejects.toThrow(/append-only/);
    await expect(db.query(`DELETE FROM audit_events WHERE tenant_id = $1`, [tenantId])).rejects.toThrow(
      /append-only/,
    );

    // A superuser can switch triggers off; the chain still tells.
    const tamper = (sql: string) =>
      db.transaction(async (manager) => {
        await manager.query(`SET LOCAL session_replication_role = replica`);
        await manager.query(sql, [tenantId]);
      });
    await tamper(`UPDATE audit_events SET params = '{"n": 99}' WHERE tenant_id = $1 AND chain_seq = 3`);
    const edited = await new AuditChainVerifier(db).verify(tenantId);
    expect(edited.ok).toBe(false);
    expect(edited.tenants[0].brokenAt).toMatchObject({
      chainSeq: 3,
      reason: 'event content does not match its hash',
    });

    await tamper(`DELETE FROM audit_events WHERE tenant_id = $1 AND chain_seq >= 3`);
    const cut = await new AuditChainVerifier(db).verify(tenantId);
    expect(cut.tenants[0].brokenAt?.reason).toMatch(/events were removed/);
  });

  it('redacts secrets (nested, any case), truncates large params, and keeps a malformed server id out of uuid columns', async () => {
    const tenantId = await tenant();
    const { writer, auditor } = await writerOn(db, config({ maxParamsBytes: 300, redactKeys: ['ssn'] }));
    auditor.record({
      surface: 'proxy',
      action: 'tools/call',
      outcome: 'success',
      tenantId,
      serverId: 'not-a-uuid',
      redactKeys: ['iban'],
      params: {
        Authorization: 'Bearer x',
        nested: [{ api_key: 'k', client_secret: 's', SSN: '1', iban: 'DE', ok: 'fine\u0000' }],
      },
    });
    auditor.record({
      surface: 'proxy',
      action: 'tools/call',
      outcome: 'success',
      tenantId,
      params: { blob: 'x'.repeat(1000) },
    });
    await writer.flush();
    const rows = await db.query<{ params: any; server_id: string | null }[]>(
      `SELECT params, server_id FROM audit_events WHERE tenant_id = $1 ORDER BY chain_seq`,
      [tenantId],
    );
    expect(rows[0].server_id).toBeNull();
    expect(rows[0].params).toEqual({
      Authorization: '[REDACTED]',
      nested: [
        {
          api_key: '[REDACTED]',
          client_secret: '[REDACTED]',
          SSN: '[REDACTED]',
          iban: '[REDACTED]',
          ok: 'fine\uFFFD',
        },
      ],
      serverRef: 'not-a-uuid',
    });
    expect(rows[1].params).toMatchObject({ '[TRUNCATED]': true, bytes: expect.any(Number) });
    expect(rows[1].params.preview.length).toBeLessThanOrEqual(300);
  });

  it('retention deletes old events in chain order and leaves a checkpoint that keeps the chain verifiable', async () => {
    const tenantId = await tenant();
    await db.query(`UPDATE tenants SET settings = '{"auditRetentionDays": 1}' WHERE id = $1`, [tenantId]);
    const { writer, auditor, appConfig } = await writerOn(db);
    for (let n = 0; n < 6; n++)
      auditor.record({ surface: 'rest', action: 'x', outcome: 'success', tenantId, params: { n } });
    await writer.flush();
    // Events 1-4 happened two days ago (moved with triggers off, as only a test may; retention deletes them, so
    // their now-stale hashes are never checked: the checkpoint carries the last one).
    await db.transaction(async (manager) => {
      await manager.query(`SET LOCAL session_replication_role = replica`);
      await manager.query(
        `UPDATE audit_events SET occurred_at = now() - interval '2 days' WHERE tenant_id = $1 AND chain_seq <= 4`,
        [tenantId],
      );
    });
    const results = await new AuditRetention(appConfig, db, auditor, TenantsService.on(db)).runOnce();
    await writer.flush();
    expect(results).toContainEqual({ tenantId, deleted: 4, throughSeq: 4 });
    const left = await db.query<{ chain_seq: string; action: string }[]>(
      `SELECT chain_seq, action FROM audit_events WHERE tenant_id = $1 ORDER BY chain_seq`,
      [tenantId],
    );
    expect(left.map((row) => [Number(row.chain_seq), row.action])).toEqual([
      [5, 'x'],
      [6, 'x'],
      [7, 'audit.retention'],
    ]);
    expect((await new AuditChainVerifier(db).verify(tenantId)).ok).toBe(true);
  });

  it('an admin reads only their own tenant, newest first, page by page', async () => {
    const [mine, theirs] = [await tenant(), await tenant()];
    const { writer, auditor } = await writerOn(db);
    for (let n = 0; n < 5; n++)
      auditor.record({
        surface: 'rest',
        action: 'a',
        outcome: 'success',
        tenantId: mine,
        actorOid: 'me',
        params: { n },
      });
    auditor.record({ surface: 'rest', action: 'a', outcome: 'success', tenantId: theirs, actorOid: 'them' });
    await writer.flush();
    const service = new AuditQueryService(db);
    const admin = { tenantId: mine, oid: 'me', roles: ['admin'], superadmin: false } as unknown as Principal;
    const first = await service.query(admin, { limit: 3 });
    const second = await service.query(admin, { limit: 3, cursor: first.nextCursor! });
    const all = [...first.events, ...second.events];
    expect(all.map((event) => (event.params as { n: number }).n)).toEqual([4, 3, 2, 1, 0]);
    expect(second.nextCursor).toBeNull();
    await expect(service.query(admin, { tenantId: theirs })).rejects.toMatchObject({
      code: 'CROSS_TENANT_DENIED',
    });
    // Whatever the route or tool checks (tool role checks can be switched off), the service reads for admins only.
    const user = { ...admin, roles: ['user'] } as Principal;
    await expect(service.query(user, {})).rejects.toMatchObject({ code: 'INSUFFICIENT_ROLE' });
  });
});
