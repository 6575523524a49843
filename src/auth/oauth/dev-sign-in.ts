import type { GatewayRole } from '../../config/app-config.js';
import { effectiveRoles, isGatewayRole } from '../../common/principal.js';
import type { GrantedPrincipal } from './oauth.entities.js';
import { hashSecret } from './oauth-crypto.js';
import { localTenantKey } from '../../tenancy/index.js';

/** Tenant and user names of local mode: plain, so they are safe in ids, logs and URLs. */
export const LOCAL_NAME = /^[A-Za-z0-9._-]{1,63}$/;

export interface DevLogin {
  tenant?: string;
  user?: string;
  roles?: string;
}

/**
 * The principal of a local-mode user, the one way the development sign-in form, `mcp-gateway token` and tests make
 * one, so the same tenant and user name always mean the same object id and effective roles.
 */
export function localPrincipal(
  tenant: string,
  user: string,
  roles: readonly GatewayRole[],
): GrantedPrincipal {
  const oid = localOid(tenant, user);
  return {
    tenantKey: localTenantKey(tenant),
    oid,
    sub: oid,
    name: user,
    roles: effectiveRoles(roles),
    scopes: [],
    kind: 'local',
  };
}

/** `admin,user` → roles; undefined when empty or naming anything but gateway roles. */
export function parseRoleList(text: string): GatewayRole[] | undefined {
  const roles = text
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  return roles.length > 0 && roles.every(isGatewayRole) ? roles : undefined;
}

/** Local identity mode: the consent page's development sign-in fields become the principal. */
export function devPrincipal(login: DevLogin | undefined): GrantedPrincipal | string {
  const tenant = login?.tenant ?? 'default';
  const user = login?.user ?? 'developer';
  const roles = parseRoleList(login?.roles ?? 'user');
  if (!LOCAL_NAME.test(tenant) || !LOCAL_NAME.test(user)) return 'tenant and user must be plain names';
  if (!roles) return 'roles must be admin, server_owner and/or user';
  return localPrincipal(tenant, user, roles);
}

/** The same user name in the same local tenant always gets the same object id (shared with `mcp-gateway token`). */
export function localOid(tenant: string, user: string): string {
  const hex = hashSecret(`${tenant}/${user}`);
  const bytes = Buffer.from(hex, 'base64url').toString('hex');
  return `${bytes.slice(0, 8)}-${bytes.slice(8, 12)}-5${bytes.slice(13, 16)}-a${bytes.slice(17, 20)}-${bytes.slice(20, 32)}`;
}
