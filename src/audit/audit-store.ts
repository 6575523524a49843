import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import { link } from './audit-chain.js';
import type { ChainedAuditEvent, PendingAuditEvent } from './audit.types.js';

/** Columns in insert order, and the record type `jsonb_to_recordset` reads each event as. */
const RECORD_TYPE = `
  event_id uuid, occurred_at timestamptz, tenant_id uuid, chain_seq bigint, actor_oid text, actor_name text,
  roles text[], client_id text, surface text, action text, server_id uuid, tool text, request_id text,
  session_hash text, outcome text, status integer, error_code text, duration_ms integer, bytes integer,
  params jsonb, ip text, user_agent text, prev_hash text, hash text`;
const COLUMNS = RECORD_TYPE.split(',').map((column) => column.trim().split(' ')[0]);

/**
 * Writes batches of events onto their tenants' hash chains. One transaction per batch: events already stored (a
 * replayed spill file) are skipped by event id, each tenant's chain head is locked (`FOR UPDATE`, in tenant order, so
 * writers on several replicas queue instead of forking the chain or deadlocking), the events are linked in the
 * order given and inserted in one statement, and the heads move.
 */
@Injectable()
export class AuditStore {
  constructor(private readonly dataSource: DataSource) {}

  /** Appends the events (one transaction); `timeoutMs` bounds every statement of it, lock waits included. */
  async append(events: readonly PendingAuditEvent[], timeoutMs?: number): Promise<number> {
    if (events.length === 0) return 0;
    return this.dataSource.transaction(async (manager) => {
      if (timeoutMs) await manager.query(`SET LOCAL statement_timeout = ${Math.trunc(timeoutMs)}`);
      const fresh = await this.withoutStored(manager, events);
      if (fresh.length === 0) return 0;
      const heads = await this.lockHeads(manager, [...new Set(fresh.map((event) => event.tenantId))].sort());
      const byTenant = new Map<string, PendingAuditEvent[]>();
      for (const event of fresh)
        byTenant.set(event.tenantId, [...(byTenant.get(event.tenantId) ?? []), event]);
      const chained: ChainedAuditEvent[] = [];
      for (const [tenantId, tenantEvents] of byTenant) {
        const linked = link(tenantEvents, heads.get(tenantId) ?? { seq: 0, hash: '' });
        chained.push(...linked);
        heads.set(tenantId, { seq: linked.at(-1)!.chainSeq, hash: linked.at(-1)!.hash });
      }
      await manager.query(
        `INSERT INTO audit_events (${COLUMNS.join(', ')})
         SELECT ${COLUMNS.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS e(${RECORD_TYPE})`,
        [JSON.stringify(chained.map(toRecord))],
      );
      await manager.query(
        `UPDATE audit_chain_heads h SET seq = v.seq, hash = v.hash
         FROM jsonb_to_recordset($1::jsonb) AS v(tenant_id uuid, seq bigint, hash text)
         WHERE h.tenant_id = v.tenant_id`,
        [JSON.stringify([...heads].map(([tenant_id, head]) => ({ tenant_id, ...head })))],
      );
      return chained.length;
    });
  }

  /** Resolves when PostgreSQL answers at all: a cheap probe before replaying a spill file. */
  async ping(): Promise<void> {
    await this.dataSource.query('SELECT 1');
  }

  private async withoutStored(
    manager: EntityManager,
    events: readonly PendingAuditEvent[],
  ): Promise<PendingAuditEvent[]> {
    const rows: { event_id: string }[] = await manager.query(
      `SELECT event_id FROM audit_events WHERE event_id = ANY($1::uuid[])`,
      [events.map((event) => event.eventId)],
    );
    if (rows.length === 0) return [...events];
    const stored = new Set(rows.map((row) => row.event_id));
    return events.filter((event) => !stored.has(event.eventId));
  }

  private async lockHeads(
    manager: EntityManager,
    tenantIds: string[],
  ): Promise<Map<string, { seq: number; hash: string }>> {
    await manager.query(
      `INSERT INTO audit_chain_heads (tenant_id, seq, hash)
       SELECT t, 0, '' FROM unnest($1::uuid[]) AS t ORDER BY t ON CONFLICT (tenant_id) DO NOTHING`,
      [tenantIds],
    );
    const rows: { tenant_id: string; seq: string; hash: string }[] = await manager.query(
      `SELECT tenant_id, seq, hash FROM audit_chain_heads WHERE tenant_id = ANY($1::uuid[])
       ORDER BY tenant_id FOR UPDATE`,
      [tenantIds],
    );
    return new Map(rows.map((row) => [row.tenant_id, { seq: Number(row.seq), hash: row.hash }]));
  }
}

function toRecord(event: ChainedAuditEvent): Record<string, unknown> {
  return {
    event_id: event.eventId,
    occurred_at: event.occurredAt,
    tenant_id: event.tenantId,
    chain_seq: event.chainSeq,
    actor_oid: event.actorOid,
    actor_name: event.actorName,
    roles: event.roles,
    client_id: event.clientId,
    surface: event.surface,
    action: event.action,
    server_id: event.serverId,
    tool: event.tool,
    request_id: event.requestId,
    session_hash: event.sessionHash,
    outcome: event.outcome,
    status: event.status,
    error_code: event.errorCode,
    duration_ms: event.durationMs,
    bytes: event.bytes,
    params: event.params ?? null,
    ip: event.ip,
    user_agent: event.userAgent,
    prev_hash: event.prevHash,
    hash: event.hash,
  };
}
