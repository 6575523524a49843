import { Injectable } from '@nestjs/common';
import { DataSource, type Repository } from 'typeorm';
import { TenantEntity } from './tenant.entity.js';

/** All SQL about tenants. */
@Injectable()
export class TenantRepository {
  private readonly tenants: Repository<TenantEntity>;

  constructor(private readonly dataSource: DataSource) {
    this.tenants = dataSource.getRepository(TenantEntity);
  }

  /** Returns the tenant with this key, creating it on first sight; safe when replicas race on the same key. */
  async findOrCreate(key: string, name: string): Promise<TenantEntity> {
    await this.tenants
      .createQueryBuilder()
      .insert()
      .values({ entraTenantId: key, name })
      .orIgnore()
      .execute();
    return this.tenants.findOneByOrFail({ entraTenantId: key });
  }

  findById(id: string): Promise<TenantEntity | null> {
    return this.tenants.findOneBy({ id });
  }

  /** A tenant with one of these keys, or with this id. */
  findByKeys(keys: readonly string[]): Promise<TenantEntity | null> {
    return this.tenants.findOne({ where: keys.map((entraTenantId) => ({ entraTenantId })) });
  }

  /** Sets (or, with null, removes) one key of the tenant's settings; the updated tenant, or null when there is none. */
  async setSetting(id: string, key: string, value: unknown): Promise<TenantEntity | null> {
    await this.dataSource.query(
      value === null
        ? `UPDATE tenants SET settings = settings - $2 WHERE id = $1`
        : `UPDATE tenants SET settings = jsonb_set(settings, ARRAY[$2], $3::jsonb) WHERE id = $1`,
      value === null ? [id, key] : [id, key, JSON.stringify(value)],
    );
    return this.findById(id);
  }

  listAll(limit: number): Promise<TenantEntity[]> {
    return this.tenants.find({ order: { createdAt: 'ASC' }, take: limit });
  }
}
