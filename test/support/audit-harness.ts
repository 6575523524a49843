import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { AuditStore } from '../../src/audit/audit-store.js';
import { AuditWriter } from '../../src/audit/audit-writer.js';
import { Auditor } from '../../src/audit/auditor.js';
import { CallMetrics } from '../../src/audit/call-metrics.js';
import type { PendingAuditEvent } from '../../src/audit/audit.types.js';
import type { AppConfig } from '../../src/config/app-config.js';
import { MetricsService } from '../../src/observability/metrics.service.js';

/** Audit settings as the gateway's defaults have them, each writer with a data directory (spill file) of its own. */
export const auditConfig = (overrides: Partial<AppConfig['audit']> = {}) =>
  ({
    dataDir: mkdtempSync(join(tmpdir(), 'mreg-audit-')),
    audit: {
      enabled: true,
      failClosed: false,
      retentionDays: 365,
      maxParamsBytes: 4096,
      writeTimeoutMs: 10_000,
      queueMax: 50_000,
      redactKeys: [],
      ...overrides,
    },
  }) as unknown as AppConfig;

/**
 * Audit writers on real databases for integration specs: each started like the app starts it, and all shut down
 * (flushed) by `shutdown()`.
 */
export class AuditHarness {
  private readonly writers: AuditWriter[] = [];

  /** `store`: a stand-in for the real one, to make PostgreSQL fail at a chosen moment. */
  async writerOn(source: DataSource, appConfig = auditConfig(), store = new AuditStore(source)) {
    const metrics = new MetricsService();
    const writer = new AuditWriter(appConfig, store, metrics);
    await writer.onApplicationBootstrap();
    this.writers.push(writer);
    return { writer, auditor: new Auditor(appConfig, writer, new CallMetrics(metrics)), appConfig, metrics };
  }

  async shutdown(): Promise<void> {
    for (const writer of this.writers) await writer.beforeApplicationShutdown().catch(() => undefined);
  }
}

/** A fresh tenant row, so no spec sees another's events. */
export async function auditTenant(db: DataSource): Promise<string> {
  const [row] = await db.query<{ id: string }[]>(
    `INSERT INTO tenants (entra_tenant_id, name) VALUES ($1, $1) RETURNING id`,
    [`audit-${randomUUID()}`],
  );
  return row.id;
}

/** The tenant's stored events' `params.n`, in chain order. */
export async function storedNumbers(db: DataSource, tenantId: string): Promise<number[]> {
  const rows = await db.query<{ n: number }[]>(
    `SELECT (params->>'n')::int AS n FROM audit_events WHERE tenant_id = $1 ORDER BY chain_seq`,
    [tenantId],
  );
  return rows.map((row) => row.n);
}

/** An event as the writer spills it (final, redacted), numbered `params.n` for `storedNumbers`. */
export function pendingEvent(tenantId: string, n: number): PendingAuditEvent {
  return {
    eventId: randomUUID(),
    occurredAt: new Date(Date.UTC(2026, 0, 1) + n).toISOString(),
    tenantId,
    actorOid: null,
    actorName: null,
    roles: [],
    clientId: null,
    surface: 'rest',
    action: 'probe',
    serverId: null,
    tool: null,
    requestId: null,
    sessionHash: null,
    outcome: 'success',
    status: 200,
    errorCode: null,
    durationMs: null,
    bytes: null,
    params: { n },
    ip: null,
    userAgent: null,
  };
}
