import { appendFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AuditChainVerifier } from '../../src/audit/audit-chain-verifier.js';
import { AuditStore } from '../../src/audit/audit-store.js';
import type { PendingAuditEvent } from '../../src/audit/audit.types.js';
import { SpillFile } from '../../src/audit/spill-file.js';
import { createDataSource } from '../../src/database/data-source.factory.js';
import {
  AuditHarness,
  auditConfig,
  auditTenant,
  pendingEvent,
  storedNumbers,
} from '../support/audit-harness.js';
import { TcpRelay } from '../support/tcp-relay.js';
import { createMigratedTestDatabase, type MigratedTestDatabase } from '../support/test-database.js';

/**
 * The audit writer under a PostgreSQL that is slow or stalls instead of refusing: memory stays bounded (the queue
 * moves to the spill file, and a spill file is replayed a batch at a time) and nothing is lost, duplicated or
 * reordered when the database is back.
 */
describe('audit writer back-pressure on the real PostgreSQL', () => {
  let database: MigratedTestDatabase;
  let db: DataSource;
  const harness = new AuditHarness();

  beforeAll(async () => {
    database = await createMigratedTestDatabase('audit_pressure', 2);
    db = database.db;
  });
  afterAll(async () => {
    await harness.shutdown();
    await database?.close();
  });

  const spillOf = (dataDir: string) => join(dataDir, 'audit-spill.ndjson');

  it('gives up on a write PostgreSQL never answers, spills instead, and replays it all once it answers again', async () => {
    const tenantId = await auditTenant(db);
    const url = new URL(database.url);
    const relay = await new TcpRelay(url.hostname, Number(url.port)).start();
    url.host = `127.0.0.1:${relay.port}`;
    const source = createDataSource({ target: { url: url.toString() }, poolSize: 2 });
    await source.initialize();
    try {
      const { writer, auditor, appConfig } = await harness.writerOn(
        source,
        auditConfig({ writeTimeoutMs: 1_000 }),
      );
      const record = (n: number) =>
        auditor.record({ surface: 'rest', action: 'probe', outcome: 'success', tenantId, params: { n } });
      record(0);
      await writer.flush();

      relay.stall();
      for (let n = 1; n <= 20; n++) record(n);
      // Without a deadline this flush would wait forever and the queue would grow without end.
      await writer.flush();
      expect(writer.healthy).toBe(false);
      expect(existsSync(spillOf(appConfig.dataDir))).toBe(true);

      relay.unstall();
      for (let n = 21; n <= 25; n++) record(n);
      await writer.flush();
      expect(writer.healthy).toBe(true);
      expect(existsSync(spillOf(appConfig.dataDir))).toBe(false);
      // The stalled batch may have committed after all once the bytes flowed again: replay skipped it then.
      expect(await storedNumbers(db, tenantId)).toEqual(Array.from({ length: 26 }, (_, n) => n));
      expect((await new AuditChainVerifier(db).verify(tenantId)).ok).toBe(true);
    } finally {
      await source.destroy().catch(() => undefined);
      await relay.stop();
    }
  }, 30_000);

  it('counts the batch being written in the queue-depth gauge: what a crash would lose', async () => {
    const tenantId = await auditTenant(db);
    const store = new GatedStore(db);
    const { writer, auditor, metrics } = await harness.writerOn(db, auditConfig(), store);
    const depth = async () =>
      (await metrics.registry.getSingleMetric('mcp_gateway_audit_queue_depth')?.get())?.values[0]?.value;
    const record = (n: number) =>
      auditor.record({ surface: 'rest', action: 'probe', outcome: 'success', tenantId, params: { n } });
    for (let n = 0; n < 5; n++) record(n);
    const flushed = writer.flush();
    await store.entered;
    // 5 in the batch PostgreSQL has not committed yet, 3 queued behind it: a kill -9 now loses all 8.
    for (let n = 5; n < 8; n++) record(n);
    expect(await depth()).toBe(8);
    store.open();
    await flushed;
    await writer.flush();
    expect(await depth()).toBe(0);
    expect(await storedNumbers(db, tenantId)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('moves a queue longer than the cap to the spill file rather than holding it in memory', async () => {
    const tenantId = await auditTenant(db);
    const { writer, auditor, appConfig, metrics } = await harness.writerOn(
      db,
      auditConfig({ queueMax: 1_000 }),
    );
    // 1,500 events in one go: more than the writer may hold, before it gets to write any.
    for (let n = 0; n < 1_500; n++)
      auditor.record({ surface: 'rest', action: 'probe', outcome: 'success', tenantId, params: { n } });
    await new Promise((resolve) => setImmediate(resolve));
    await writer.flush();
    const spilled = (await metrics.registry.getSingleMetric('mcp_gateway_audit_events_spilled_total')?.get())
      ?.values[0]?.value;
    expect(spilled).toBe(1_500);

    await writer.flush();
    expect(existsSync(spillOf(appConfig.dataDir))).toBe(false);
    expect(await storedNumbers(db, tenantId)).toEqual(Array.from({ length: 1_500 }, (_, n) => n));
  });
  it('replays a spill file of many batches in order, exactly once, across a replay interrupted and redone', async () => {
    const tenantId = await auditTenant(db);
    const appConfig = auditConfig();
    // What a long outage leaves behind, and a crash in the middle of it: a torn line between two appends.
    const spill = new SpillFile(appConfig.dataDir);
    await spill.append(Array.from({ length: 10_000 }, (_, n) => pendingEvent(tenantId, n)));
    appendFileSync(spill.path, '{"eventId":"0b0e'); // the process died here
    await spill.append(Array.from({ length: 10_000 }, (_, n) => pendingEvent(tenantId, 10_000 + n)));

    // PostgreSQL goes away again during the replay, just after committing the 9th batch: the writer never hears
    // that it was stored, so the redone replay meets it (and the 8 before it) again.
    const store = new FlakyStore(db, 9);
    const { writer, metrics } = await harness.writerOn(db, appConfig, store);
    await writer.flush();
    expect(writer.healthy).toBe(false);
    expect(existsSync(spill.path)).toBe(true);
    expect(await storedNumbers(db, tenantId)).toEqual(Array.from({ length: 4_500 }, (_, n) => n));

    await writer.flush();
    expect(writer.healthy).toBe(true);
    expect(existsSync(spill.path)).toBe(false);
    expect(await storedNumbers(db, tenantId)).toEqual(Array.from({ length: 20_000 }, (_, n) => n));
    expect((await new AuditChainVerifier(db).verify(tenantId)).ok).toBe(true);
    // Every write was one batch at most, and the torn line counted once although the file was read twice.
    expect(Math.max(...store.sizes)).toBe(500);
    const dropped = (await metrics.registry.getSingleMetric('mcp_gateway_audit_events_dropped_total')?.get())
      ?.values[0]?.value;
    expect(dropped).toBe(1);
  }, 60_000);
  it('pauses a long replay when new events pile up past the cap, and they follow the file in order', async () => {
    const tenantId = await auditTenant(db);
    const appConfig = auditConfig({ queueMax: 1_000 });
    const spill = new SpillFile(appConfig.dataDir);
    await spill.append(Array.from({ length: 3_000 }, (_, n) => pendingEvent(tenantId, n)));
    // Each replayed batch lets 700 new events arrive: after the second the queue is past the cap.
    const store = new ArrivingStore(db, () => {
      for (let n = 0; n < 700; n++) writer.enqueue(pendingEvent(tenantId, 10_000 + arrived++));
    });
    let arrived = 0;
    const { writer } = await harness.writerOn(db, appConfig, store);
    await writer.flush();
    expect(await storedNumbers(db, tenantId)).toEqual(Array.from({ length: 1_000 }, (_, n) => n));
    expect(writer.healthy).toBe(false);

    store.arrive = () => undefined;
    await writer.flush();
    expect(writer.healthy).toBe(true);
    expect(await storedNumbers(db, tenantId)).toEqual([
      ...Array.from({ length: 3_000 }, (_, n) => n),
      ...Array.from({ length: 1_400 }, (_, n) => 10_000 + n),
    ]);
  }, 60_000);
});

/** The real store, except that its `failAfter`-th append commits and then reports a lost connection. */
/** The real store, whose first append waits until `open()`: a write in flight, held there. */
class GatedStore extends AuditStore {
  private release!: () => void;
  private readonly gate = new Promise<void>((resolve) => (this.release = resolve));
  private reached!: () => void;
  readonly entered = new Promise<void>((resolve) => (this.reached = resolve));

  open(): void {
    this.release();
  }

  override async append(events: readonly PendingAuditEvent[], timeoutMs?: number): Promise<number> {
    this.reached();
    await this.gate;
    return super.append(events, timeoutMs);
  }
}

class FlakyStore extends AuditStore {
  readonly sizes: number[] = [];

  constructor(
    db: DataSource,
    private failAfter: number,
  ) {
    super(db);
  }

  override async append(events: readonly PendingAuditEvent[], timeoutMs?: number): Promise<number> {
    this.sizes.push(events.length);
    const stored = await super.append(events, timeoutMs);
    if (--this.failAfter === 0) throw new Error('Connection terminated unexpectedly');
    return stored;
  }
}

/** The real store, and `arrive` after each append: new events reaching the writer while it replays. */
class ArrivingStore extends AuditStore {
  constructor(
    db: DataSource,
    public arrive: () => void,
  ) {
    super(db);
  }

  override async append(events: readonly PendingAuditEvent[], timeoutMs?: number): Promise<number> {
    const stored = await super.append(events, timeoutMs);
    this.arrive();
    return stored;
  }
}
