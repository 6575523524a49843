import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { RETENTION_ACTION } from './audit-chain-verifier.js';
import { runPeriodically } from '../common/periodic.js';
import { Auditor } from './auditor.js';
import { TenantsService } from '../tenancy/index.js';

const RUN_EVERY_MS = 60 * 60_000;
const FIRST_RUN_AFTER_MS = 60_000;
const DELETE_BATCH = 5_000;
const DAY_MS = 24 * 3600_000;
/** pg_try_advisory_xact_lock key: one replica prunes a tenant at a time. */
const LOCK_KEY = 0x6d726567;

export interface RetentionResult {
  tenantId: string;
  deleted: number;
  throughSeq: number;
}

/**
 * Deletes audit events older than MREG_AUDIT_RETENTION_DAYS (or the tenant's `settings.auditRetentionDays`), oldest
 * first, in batches, under a transaction-local switch the append-only trigger honours. Before deleting, each run
 * appends a checkpoint event to the tenant's chain recording the last link it will delete (`throughSeq`,
 * `anchorHash`), so `audit verify` still proves the rest of the chain. Nothing is deleted while audit is off.
 */
@Injectable()
export class AuditRetention implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('AuditRetention');
  private stopTimers: () => void = () => undefined;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly auditor: Auditor,
    private readonly tenants: TenantsService,
  ) {}

  onApplicationBootstrap(): void {
    this.stopTimers = runPeriodically({
      name: 'Audit retention',
      firstAfterMs: FIRST_RUN_AFTER_MS,
      everyMs: RUN_EVERY_MS,
      run: () => this.runOnce(),
      logger: this.logger,
    });
  }

  onApplicationShutdown(): void {
    this.stopTimers();
  }

  async runOnce(now = new Date()): Promise<RetentionResult[]> {
    // Without the audit trail there is no checkpoint to write, and deleting without one would break the chain.
    if (!this.auditor.enabled) return [];
    const chains: { tenant_id: string }[] = await this.dataSource.query(
      `SELECT tenant_id FROM audit_chain_heads`,
    );
    const results: RetentionResult[] = [];
    for (const { tenant_id: tenantId } of chains) {
      // The tenant's own setting, through tenancy (its table, its rule), else the gateway's default.
      const days = (await this.tenants.auditRetentionDaysOf(tenantId)) ?? this.config.audit.retentionDays;
      const result = await this.pruneTenant(tenantId, new Date(now.getTime() - days * DAY_MS));
      if (result) results.push(result);
    }
    return results;
  }

  private async pruneTenant(tenantId: string, cutoff: Date): Promise<RetentionResult | undefined> {
    // The newest expired event bounds the deletion; everything up to it in chain order goes, so the chain stays whole.
    const bound: { seq: string; hash: string }[] = await this.dataSource.query(
      `SELECT chain_seq AS seq, hash FROM audit_events
       WHERE tenant_id = $1 AND occurred_at < $2 ORDER BY chain_seq DESC LIMIT 1`,
      [tenantId, cutoff],
    );
    if (!bound[0]) return undefined;
    const throughSeq = Number(bound[0].seq);
    // The checkpoint is stored before anything is deleted: a run cut short (crash, lost lock) leaves a chain that
    // still verifies once the next run finishes the deletion, never a deletion nobody recorded.
    await this.auditor.recordDurably({
      surface: 'cli',
      action: RETENTION_ACTION,
      outcome: 'success',
      tenantId,
      actorName: 'retention job',
      params: { throughSeq, anchorHash: bound[0].hash, cutoff: cutoff.toISOString() },
    });
    let deleted = 0;
    for (;;) {
      const count = await this.dataSource.transaction(async (manager) => {
        const [{ locked }] = await manager.query<{ locked: boolean }[]>(
          `SELECT pg_try_advisory_xact_lock($1, hashtext($2)) AS locked`,
          [LOCK_KEY, tenantId],
        );
        if (!locked) return -1;
        await manager.query(`SELECT set_config('mreg.audit_retention', 'on', true)`);
        const [{ n }] = await manager.query<{ n: number }[]>(
          `WITH gone AS (
             DELETE FROM audit_events WHERE id IN (
               SELECT id FROM audit_events WHERE tenant_id = $1 AND chain_seq <= $2
               ORDER BY chain_seq LIMIT ${DELETE_BATCH}
             ) RETURNING 1
           ) SELECT count(*)::int AS n FROM gone`,
          [tenantId, throughSeq],
        );
        return n;
      });
      if (count < 0) return undefined;
      deleted += count;
      if (count < DELETE_BATCH) break;
    }
    if (deleted === 0) return undefined;
    this.logger.log(
      `Deleted ${deleted} audit events of tenant ${tenantId} older than ${cutoff.toISOString()}`,
    );
    return { tenantId, deleted, throughSeq };
  }
}
