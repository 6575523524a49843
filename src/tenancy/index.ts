/**
 * Tenancy's public API: what the layers above it (auth, registry, audit, cli) may use. Its repository, entity,
 * controller and tools stay inside; a feature asks `TenantsService` about a tenant. Files inside `src/tenancy` import
 * each other directly, never through this file, so loading it cannot start a cycle back into tenancy.
 */

// Wiring: the Nest module and the service it exports.
export { TenancyModule } from './tenancy.module.js';
export { TenantsService } from './tenants.service.js';

// How a tenant is named and what its settings allow.
export { localTenantKey } from './tenant-keys.js';
export { tenantRequestLimit } from './tenant-settings.js';
