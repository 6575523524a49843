import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager, type SelectQueryBuilder } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity.js';
import type { Principal } from '../common/principal.js';
import { inTenantScope } from '../database/tenant-scope.js';
import { McpServerEntity } from './mcp-server.entity.js';
import { nameTaken } from './registry.errors.js';
import { CHECK_LEASE_MARGIN_SECONDS, MAX_PROBE_TIMEOUT_MS } from './health/check-timing.js';
import {
  DEFAULT_HEALTH_CHECK,
  DEFAULT_TIMEOUTS,
  type ServerStatus,
  type Transport,
} from './registry.types.js';

export interface ServerFilters {
  status?: ServerStatus;
  tag?: string;
  transport?: Transport;
  q?: string;
}

export type PageRequest = { after?: { name: string; id: string }; offset?: number; limit: number };

export interface StatsRow {
  tenant_id: string;
  status: string;
  transport: string;
  count: string;
}

const UNIQUE_VIOLATION = '23505';

/** Columns a change may set; identity and tenancy never change. */
export type ServerPatch = Partial<
  Omit<McpServerEntity, 'id' | 'tenantId' | 'tenant' | 'createdAt' | 'updatedAt'>
>;

// TypeORM's deep-partial type cannot follow our typed jsonb columns; the patch type above is the real contract.
const asUpdate = (patch: ServerPatch) => patch as QueryDeepPartialEntity<McpServerEntity>;

const escapeLike = (text: string) => text.replace(/[\\%_]/g, (c) => `\\${c}`);

/** A server's check interval in seconds (default `$2`), spread ±10% so checks of many servers do not bunch up. */
const JITTERED_INTERVAL_SECONDS = `greatest(coalesce((health_check->>'intervalSeconds')::int, $2), 1) * (0.9 + random() * 0.2)`;

/** A failed check's count and status, from the row's own values (see `stateAfterCheck` for the rules). */
const COUNT_FAILURE = {
  consecutiveFailures: () => 'consecutive_failures + 1',
  status: () => `CASE
      WHEN consecutive_failures + 1 >= coalesce((health_check->>'unhealthyThreshold')::int, :defaultThreshold)
        THEN 'unhealthy'
      WHEN status = 'healthy' THEN 'degraded'
      ELSE status END`,
} as QueryDeepPartialEntity<McpServerEntity>;

/**
 * All SQL about registered servers. Methods that act for a caller run in that caller's tenant scope (Row-Level
 * Security) and filter by tenant as well; the `system*` methods are for cross-tenant background work only.
 */
@Injectable()
export class RegistryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(
    server: Partial<McpServerEntity> & { tenantId: string; name: string },
  ): Promise<McpServerEntity> {
    try {
      return await inTenantScope(this.dataSource, server.tenantId, (manager) =>
        manager.getRepository(McpServerEntity).save(manager.create(McpServerEntity, server)),
      );
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw nameTaken(server.name);
      throw error;
    }
  }

  /** A server of the caller's tenant, or a global one; null when it does not exist or is not theirs to see. */
  findVisible(principal: Principal, id: string): Promise<McpServerEntity | null> {
    return inTenantScope(this.dataSource, principal.tenantId, (manager) =>
      this.visibleTo(manager, principal).andWhere('s.id = :id', { id }).getOne(),
    );
  }

  findVisibleByName(principal: Principal, name: string): Promise<McpServerEntity | null> {
    return inTenantScope(this.dataSource, principal.tenantId, (manager) =>
      this.visibleTo(manager, principal)
        .andWhere('s.name = :name', { name })
        // The caller's own tenant wins over a global server of the same name.
        .orderBy(`(s.tenant_id = :tenantId)`, 'DESC')
        .getOne(),
    );
  }

  list(
    principal: Principal,
    filters: ServerFilters,
    page: PageRequest,
  ): Promise<{ items: McpServerEntity[]; total: number }> {
    return inTenantScope(this.dataSource, principal.tenantId, async (manager) => {
      const query = this.visibleTo(manager, principal);
      if (filters.status) query.andWhere('s.status = :status', { status: filters.status });
      if (filters.transport) query.andWhere('s.transport = :transport', { transport: filters.transport });
      if (filters.tag) query.andWhere(':tag = ANY(s.tags)', { tag: filters.tag });
      if (filters.q) {
        query.andWhere(
          "(s.name ILIKE :q ESCAPE '\\' OR s.title ILIKE :q ESCAPE '\\' OR s.description ILIKE :q ESCAPE '\\')",
          { q: `%${escapeLike(filters.q)}%` },
        );
      }
      const total = await query.clone().getCount();
      if (page.after) {
        query.andWhere('(s.name, s.id) > (:afterName, :afterId)', {
          afterName: page.after.name,
          afterId: page.after.id,
        });
      }
      query.orderBy('s.name', 'ASC').addOrderBy('s.id', 'ASC').take(page.limit);
      if (page.offset) query.skip(page.offset);
      return { items: await query.getMany(), total };
    });
  }

  /** Applies `patch` to a server of the caller's tenant; false when there is no such row in that tenant. */
  async update(principal: Principal, id: string, patch: ServerPatch): Promise<boolean> {
    try {
      return await inTenantScope(this.dataSource, principal.tenantId, async (manager) => {
        const result = await manager
          .getRepository(McpServerEntity)
          .update({ id, tenantId: principal.tenantId }, asUpdate(patch));
        return (result.affected ?? 0) > 0;
      });
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw nameTaken(patch.name ?? '');
      throw error;
    }
  }

  delete(principal: Principal, id: string): Promise<boolean> {
    return inTenantScope(this.dataSource, principal.tenantId, async (manager) => {
      const result = await manager
        .getRepository(McpServerEntity)
        .delete({ id, tenantId: principal.tenantId });
      return (result.affected ?? 0) > 0;
    });
  }

  countByTenant(tenantId: string): Promise<number> {
    return inTenantScope(this.dataSource, tenantId, (manager) =>
      manager.getRepository(McpServerEntity).countBy({ tenantId }),
    );
  }

  /** Counts by tenant, status and transport: the caller's tenant, or every tenant for platform administrators. */
  async stats(principal: Principal): Promise<StatsRow[]> {
    const sql = `SELECT tenant_id, status, transport, count(*) AS count FROM mcp_servers
      WHERE ($1::uuid IS NULL OR tenant_id = $1::uuid) GROUP BY tenant_id, status, transport`;
    if (principal.superadmin) return this.dataSource.query<StatsRow[]>(sql, [null]);
    return inTenantScope(this.dataSource, principal.tenantId, (manager) =>
      manager.query<StatsRow[]>(sql, [principal.tenantId]),
    );
  }

  // ---- cross-tenant background work (runs as the table owner, outside Row-Level Security) ----

  systemFindById(id: string): Promise<McpServerEntity | null> {
    return this.dataSource.getRepository(McpServerEntity).findOneBy({ id });
  }

  systemFindAll(): Promise<McpServerEntity[]> {
    return this.dataSource.getRepository(McpServerEntity).find();
  }

  /**
   * Claims servers whose check is due and leases each for as long as its check may take: one (jittered) interval,
   * or, when longer, its probe timeout (as `probeTimeoutMs` computes it) plus a margin, so a server that never
   * answers is not claimed again while its first probe still waits. A finished check brings the next one to an
   * interval after it (`systemScheduleNextCheck`). `FOR UPDATE SKIP LOCKED` makes concurrent replicas take disjoint
   * rows, so each server is checked once per interval across the cluster; `running` are checks still in flight on
   * this replica, never claimed twice whatever their lease says.
   */
  async systemClaimDueChecks(limit: number, running: readonly string[] = []): Promise<string[]> {
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH claimed AS (UPDATE mcp_servers SET next_check_at = now() + make_interval(secs => greatest(
          ${JITTERED_INTERVAL_SECONDS},
          least(greatest(coalesce((health_check->>'timeoutMs')::int, $3), coalesce((timeouts->>'requestMs')::int, $4)),
                $5) / 1000.0 + $6)::float8)
        WHERE id IN (SELECT id FROM mcp_servers WHERE next_check_at <= now() AND status <> 'maintenance'
                     AND NOT (id = ANY($7::uuid[]))
                     ORDER BY next_check_at LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING id)
      SELECT id FROM claimed`,
      [
        limit,
        DEFAULT_HEALTH_CHECK.intervalSeconds,
        DEFAULT_HEALTH_CHECK.timeoutMs,
        DEFAULT_TIMEOUTS.requestMs,
        MAX_PROBE_TIMEOUT_MS,
        CHECK_LEASE_MARGIN_SECONDS,
        running,
      ],
    );
    return rows.map((row) => row.id);
  }

  /** A scheduled check is over (whatever its outcome): the next one is due one (jittered) interval from now. */
  async systemScheduleNextCheck(id: string): Promise<void> {
    await this.dataSource.query(
      // Only while the claim's lease still stands: an update made during the check (re-pointed endpoints, maintenance
      // lifted) asked for a check now, and must not be pushed back an interval by the check it made obsolete.
      `UPDATE mcp_servers SET next_check_at = now() + make_interval(secs => ${JITTERED_INTERVAL_SECONDS})
        WHERE id = $1 AND next_check_at > now()`,
      [id, DEFAULT_HEALTH_CHECK.intervalSeconds],
    );
  }

  /**
   * Stores a health check's outcome unless the server changed underneath the check (it can take minutes): put in
   * maintenance or repointed meanwhile, the outcome is stale and dropped; the next check starts from the new state.
   * A `failed` check counts its failure from the stored count, in the statement, so checks that overlap never
   * write the same count twice, and the status follows that count as `stateAfterCheck` would.
   */
  async systemRecordCheck(
    server: { id: string; endpoints: unknown },
    patch: ServerPatch,
    { failed = false }: { failed?: boolean } = {},
  ): Promise<boolean> {
    const result = await this.dataSource
      .createQueryBuilder()
      .update(McpServerEntity)
      .set(failed ? { ...asUpdate(patch), ...COUNT_FAILURE } : asUpdate(patch))
      .where('id = :id', { id: server.id })
      .andWhere("status <> 'maintenance'")
      .andWhere('endpoints = CAST(:endpoints AS jsonb)', { endpoints: JSON.stringify(server.endpoints) })
      .setParameter('defaultThreshold', DEFAULT_HEALTH_CHECK.unhealthyThreshold)
      .execute();
    return (result.affected ?? 0) > 0;
  }

  async notify(channel: string, payload: string): Promise<void> {
    await this.dataSource.query('SELECT pg_notify($1, $2)', [channel, payload]);
  }

  /** Servers the principal may see: its tenant's (those whose required roles it has, all for admins) and global ones. */
  private visibleTo(manager: EntityManager, principal: Principal): SelectQueryBuilder<McpServerEntity> {
    const query = manager
      .getRepository(McpServerEntity)
      .createQueryBuilder('s')
      .where("(s.tenant_id = :tenantId OR s.visibility = 'global')", { tenantId: principal.tenantId });
    if (!principal.roles.includes('admin')) {
      query.andWhere(
        "(s.required_roles = '{}' OR s.required_roles && :roles::text[] OR s.owner_oid = :oid)",
        {
          roles: [...principal.roles],
          oid: principal.oid,
        },
      );
    }
    return query;
  }
}
