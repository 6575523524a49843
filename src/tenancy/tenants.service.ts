import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../auth/principal.js';
import { TenantRepository } from './tenant.repository.js';
import type { TenantEntity } from './tenant.entity.js';

/** How long a resolved tenant is trusted before re-reading it (so a suspension reaches every replica quickly). */
const TENANT_CACHE_TTL_MS = 60_000;
const MAX_LISTED_TENANTS = 1000;

export interface TenantView {
  id: string;
  key: string;
  name: string;
  status: string;
  createdAt: string;
}

@Injectable()
export class TenantsService {
  private readonly byKey = new LRUCache<string, TenantEntity>({ max: 10_000, ttl: TENANT_CACHE_TTL_MS });

  constructor(private readonly tenants: TenantRepository) {}

  /** The tenant behind a token's `tid` (or local tenant name), created on first sight; cached off the hot path. */
  async resolve(key: string): Promise<TenantEntity> {
    const cached = this.byKey.get(key);
    if (cached) return cached;
    const tenant = await this.tenants.findOrCreate(
      key,
      key.startsWith('local:') ? key.slice('local:'.length) : key,
    );
    this.byKey.set(key, tenant);
    return tenant;
  }

  /** Admins see their own tenant; platform administrators see all of them. */
  async listVisibleTo(principal: Principal): Promise<TenantView[]> {
    const tenants = principal.superadmin
      ? await this.tenants.listAll(MAX_LISTED_TENANTS)
      : [await this.tenants.findById(principal.tenantId)].filter((t): t is TenantEntity => t !== null);
    return tenants.map((tenant) => ({
      id: tenant.id,
      key: tenant.entraTenantId,
      name: tenant.name,
      status: tenant.status,
      createdAt: tenant.createdAt.toISOString(),
    }));
  }
}
