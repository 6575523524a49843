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
