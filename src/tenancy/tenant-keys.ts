/**
 * A tenant's key is the Entra `tid`, or in local identity mode `local:<name>`. One rule for the sign-in that forms
 * the key, the tenant that takes its name from it, and the CLI that finds a tenant by its name.
 */
const LOCAL_PREFIX = 'local:';

export function localTenantKey(name: string): string {
  return `${LOCAL_PREFIX}${name}`;
}

/** The tenant's display name for its key: the local name, or the Entra tenant id itself. */
export function tenantNameOf(key: string): string {
  return key.startsWith(LOCAL_PREFIX) ? key.slice(LOCAL_PREFIX.length) : key;
}
