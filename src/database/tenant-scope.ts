import type { DataSource, EntityManager } from 'typeorm';

/** The unprivileged database role Row-Level Security policies apply to (created by the CreateMcpServers migration). */
export const APP_DB_ROLE = 'mreg_app';

/**
 * Runs `work` in a transaction that can only see and write rows of one tenant: the role is switched to
 * `mreg_app` and `app.tenant_id` is set, both transaction-local (`set_config(..., true)`), so nothing leaks to the
 * next user of the pooled connection (nor to other connections of the embedded database, which share one session).
 * Repositories still filter by tenant themselves; this is the second layer that catches a query that forgot to.
 */
export function inTenantScope<T>(
  dataSource: DataSource,
  tenantId: string,
  work: (manager: EntityManager) => Promise<T>,
): Promise<T> {
  return dataSource.transaction(async (manager) => {
    await manager.query(`SELECT set_config('app.tenant_id', $1, true), set_config('role', $2, true)`, [
      tenantId,
      APP_DB_ROLE,
    ]);
    return work(manager);
  });
}
