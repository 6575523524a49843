/** Most a tenant's own `requestsPerMinute` setting may say; anything else in the setting is ignored. */
export const MAX_TENANT_REQUESTS_PER_MINUTE = 100_000_000;

/** A tenant's `settings.requestsPerMinute`, when it is a usable limit. */
export function tenantRequestLimit(settings: Record<string, unknown> | undefined): number | undefined {
  const value = settings?.requestsPerMinute;
  return typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= 1 &&
    value <= MAX_TENANT_REQUESTS_PER_MINUTE
    ? value
    : undefined;
}

/**
 * A tenant's `settings.auditRetentionDays`, when it sets a positive one; undefined for the gateway's default. A value
 * that is not a whole number throws: retention must stop rather than guess and delete by the default.
 */
export function tenantAuditRetentionDays(
  settings: Record<string, unknown> | undefined,
  tenantId: string,
): number | undefined {
  const raw = settings?.auditRetentionDays;
  if (raw === undefined || raw === null) return undefined;
  const text = typeof raw === 'number' || typeof raw === 'string' ? String(raw).trim() : '';
  if (!/^[+-]?\d+$/.test(text)) {
    throw new Error(`Tenant ${tenantId} has an auditRetentionDays setting that is not a whole number`);
  }
  const days = Number(text);
  return days > 0 ? days : undefined;
}
