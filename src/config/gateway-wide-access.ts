import type { Principal } from '../common/principal.js';
import type { AppConfig } from './app-config.js';

/**
 * Whether an admin may read what is the whole gateway's rather than their tenant's (its configuration, totals over
 * every tenant). Once MREG_SUPERADMIN_TENANTS declares a multi-tenant platform, only its platform administrators may:
 * a tenant's admin would otherwise learn who else the gateway serves, and how busy they are. Without it the gateway
 * has one operator, and its admins are that operator. Callers have checked the admin role already.
 */
export function readsGatewayWide(config: AppConfig, principal: Principal): boolean {
  return config.auth.superadminTenants.length === 0 || principal.superadmin;
}
