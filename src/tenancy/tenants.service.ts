import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { DataSource } from 'typeorm';
import type { Principal } from '../common/principal.js';
import { tenantAuditRetentionDays, tenantRequestLimit } from './tenant-settings.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { TenantRepository } from './tenant.repository.js';
import type { TenantEntity } from './tenant.entity.js';
import { localTenantKey, tenantNameOf } from './tenant-keys.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** How long a resolved tenant is trusted before re-reading it (so a suspension reaches every replica quickly). */
const TENANT_CACHE_TTL_MS = 60_000;
const MAX_LISTED_TENANTS = 1000;

export interface TenantView {
  id: string;
  key: string;
  name: string;
  status: string;
  /** The tenant's own request limit per minute; null: the default for every tenant. */
  requestsPerMinute: number | null;
  createdAt: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function viewOf(tenant: TenantEntity): TenantView {
  return {
    id: tenant.id,
    key: tenant.entraTenantId,
    name: tenant.name,
    status: tenant.status,
    requestsPerMinute: tenantRequestLimit(tenant.settings) ?? null,
    createdAt: tenant.createdAt.toISOString(),
  };
}

@Injectable()
export class TenantsService {
  private readonly byKey = new LRUCache<string, TenantEntity>({ max: 10_000, ttl: TENANT_CACHE_TTL_MS });

  constructor(private readonly tenants: TenantRepository) {}

  /** The service on a DataSource of its own, for code that runs outside the application's container (the CLI). */
  static on(dataSource: DataSource): TenantsService {
    return new TenantsService(new TenantRepository(dataSource));
  }

  /** The tenant behind a token's `tid` (or local tenant name), created on first sight; cached off the hot path. */
  async resolve(key: string): Promise<TenantEntity> {
    const cached = this.byKey.get(key);
    if (cached) return cached;
    const tenant = await this.tenants.findOrCreate(key, tenantNameOf(key));
    this.byKey.set(key, tenant);
    return tenant;
  }

  /**
   * The id of the tenant an operator names: by its Entra tenant id, its local name or its id. An id no tenant has is
   * taken as it is (audit events outlive a removed tenant); an unknown name is refused.
   */
  async idOf(reference: string): Promise<string> {
    const tenant = await this.tenants.findByKeys([reference, localTenantKey(reference)]);
    if (tenant) return tenant.id;
    // An id is the answer whether or not a tenant has it, so it needs no lookup of its own.
    if (UUID.test(reference)) return reference;
    throw new GatewayException(404, ErrorCode.NOT_FOUND, `Unknown tenant "${reference}"`);
  }

  /** The tenant's settings as stored now (not cached: a changed setting applies at once); empty when there is none. */
  async settingsOf(tenantId: string): Promise<Record<string, unknown>> {
    return (await this.tenants.findById(tenantId))?.settings ?? {};
  }

  /**
   * The tenant's own audit retention (`settings.auditRetentionDays`) when it sets a positive one; undefined for the
   * gateway's default. A value that is not a whole number stops the caller (retention must not guess and delete).
   */
  async auditRetentionDaysOf(tenantId: string): Promise<number | undefined> {
    return tenantAuditRetentionDays(await this.settingsOf(tenantId), tenantId);
  }

  /** Admins see their own tenant; platform administrators see all of them. */
  async listVisibleTo(principal: Principal): Promise<TenantView[]> {
    const tenants = principal.superadmin
      ? await this.tenants.listAll(MAX_LISTED_TENANTS)
      : [await this.tenants.findById(principal.tenantId)].filter((t): t is TenantEntity => t !== null);
    return tenants.map(viewOf);
  }

  /**
   * Sets a tenant's own request limit (the rate limiter's tenant bucket). Only platform administrators: a tenant's
   * admin raising its own tenant's ceiling would defeat it. Replicas apply it as their tenant cache renews (a minute).
   */
  async setRequestLimit(
    principal: Principal,
    id: string,
    requestsPerMinute: number | null,
  ): Promise<TenantView> {
    if (!principal.superadmin) {
      throw new GatewayException(
        403,
        ErrorCode.FORBIDDEN,
        "Only platform administrators (tenants in MREG_SUPERADMIN_TENANTS) set a tenant's limits",
      );
    }
    const tenant = UUID.test(id)
      ? await this.tenants.setSetting(id, 'requestsPerMinute', requestsPerMinute)
      : null;
    if (!tenant) throw new GatewayException(404, ErrorCode.NOT_FOUND, 'No such tenant');
    this.byKey.delete(tenant.entraTenantId);
    return viewOf(tenant);
  }
}
