import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { chainHash, GENESIS_HASH } from './audit-chain.js';
import { type AuditRow, eventOf } from './audit-rows.js';

export const RETENTION_ACTION = 'audit.retention';
const PAGE = 1000;

export interface BrokenLink {
  chainSeq: number;
  id: string | null;
  reason: string;
}

export interface TenantChainReport {
  tenantId: string;
  events: number;
  ok: boolean;
  brokenAt?: BrokenLink;
}

export interface ChainReport {
  ok: boolean;
  tenants: TenantChainReport[];
}

/**
 * Walks each tenant's chain in order and recomputes every hash from the stored row: an edited row, a row deleted from
 * the middle, or rows cut from the end (the chain head remembers the last link) is reported at the first link that
 * does not hold. A chain that starts after seq 1 must start exactly where a retention checkpoint says deletion ended.
 */
@Injectable()
export class AuditChainVerifier {
  constructor(private readonly dataSource: DataSource) {}

  async verify(tenantId?: string): Promise<ChainReport> {
    const tenants = tenantId
      ? [tenantId]
      : (
          await this.dataSource.query<{ tenant_id: string }[]>(
            `SELECT tenant_id FROM audit_chain_heads ORDER BY tenant_id`,
          )
        ).map((row) => row.tenant_id);
    const reports: TenantChainReport[] = [];
    for (const tenant of tenants) reports.push(await this.verifyTenant(tenant));
    return { ok: reports.every((report) => report.ok), tenants: reports };
  }

  private async verifyTenant(tenantId: string): Promise<TenantChainReport> {
    const heads: { seq: string; hash: string }[] = await this.dataSource.query(
      `SELECT seq, hash FROM audit_chain_heads WHERE tenant_id = $1`,
      [tenantId],
    );
    const head = heads[0]
      ? { seq: Number(heads[0].seq), hash: heads[0].hash }
      : { seq: 0, hash: GENESIS_HASH };
    let events = 0;
    let previous: { seq: number; hash: string } | undefined;
    const broken = (chainSeq: number, id: string | null, reason: string): TenantChainReport => ({
      tenantId,
      events,
      ok: false,
      brokenAt: { chainSeq, id, reason },
    });
    for (;;) {
      // Up to the head read above: events appended while the walk runs belong to a later verify, not to this one.
      const rows: AuditRow[] = await this.dataSource.query(
        `SELECT * FROM audit_events WHERE tenant_id = $1 AND chain_seq > $2 AND chain_seq <= $3
         ORDER BY chain_seq LIMIT ${PAGE}`,
        [tenantId, previous?.seq ?? 0, head.seq],
      );
      for (const row of rows) {
        const seq = Number(row.chain_seq);
        if (!previous) {
          const anchor = seq === 1 ? GENESIS_HASH : await this.retentionAnchor(tenantId, seq - 1);
          if (anchor === undefined)
            return broken(
              seq,
              row.id,
              `events before seq ${seq} are missing and no retention checkpoint covers them`,
            );
          previous = { seq: seq - 1, hash: anchor };
        }
        if (seq !== previous.seq + 1) return broken(previous.seq + 1, null, 'event missing from the chain');
        if (row.prev_hash !== previous.hash)
          return broken(seq, row.id, 'prev_hash does not match the previous event');
        if (chainHash(row.prev_hash, eventOf(row), seq) !== row.hash)
          return broken(seq, row.id, 'event content does not match its hash');
        previous = { seq, hash: row.hash };
        events += 1;
      }
      if (rows.length < PAGE) break;
    }
    const last = previous ?? { seq: head.seq === 0 ? 0 : -1, hash: GENESIS_HASH };
    if (last.seq !== head.seq || (head.seq > 0 && last.hash !== head.hash)) {
      return broken(
        head.seq,
        null,
        `the chain ends at seq ${last.seq} but its head says ${head.seq}: events were removed`,
      );
    }
    return { tenantId, events, ok: true };
  }

  /** The hash a retention checkpoint recorded for the last event it deleted. */
  private async retentionAnchor(tenantId: string, throughSeq: number): Promise<string | undefined> {
    const rows: { anchor: string }[] = await this.dataSource.query(
      `SELECT params->>'anchorHash' AS anchor FROM audit_events
       WHERE tenant_id = $1 AND action = $2 AND (params->>'throughSeq')::bigint = $3 LIMIT 1`,
      [tenantId, RETENTION_ACTION, throughSeq],
    );
    return rows[0]?.anchor;
  }
}
