import { effectiveRoles, isGatewayRole } from '../principal.js';
import type { GrantedPrincipal } from './oauth.entities.js';
import { hashSecret } from './oauth-crypto.js';

const NAME = /^[A-Za-z0-9._-]{1,63}$/;

export interface DevLogin {
  tenant?: string;
  user?: string;
  roles?: string;
}

/** Local identity mode: the consent page's development sign-in fields become the principal. */
export function devPrincipal(login: DevLogin | undefined): GrantedPrincipal | string {
  const tenant = login?.tenant ?? 'default';
  const user = login?.user ?? 'developer';
  const roles = (login?.roles ?? 'user')
    .split(',')
    .map((role) => role.trim())
    .filter(Boolean);
  if (!NAME.test(tenant) || !NAME.test(user)) return 'tenant and user must be plain names';
  if (roles.length === 0 || !roles.every(isGatewayRole))
    return 'roles must be admin, server_owner and/or user';
  const oid = localOid(tenant, user);
  return {
    tenantKey: `local:${tenant}`,
    oid,
    sub: oid,
    name: user,
    roles: effectiveRoles(roles),
    scopes: [],
    kind: 'local',
  };
}

/** The same user name in the same local tenant always gets the same object id (shared with `mcp-gateway token`). */
export function localOid(tenant: string, user: string): string {
  const hex = hashSecret(`${tenant}/${user}`);
  const bytes = Buffer.from(hex, 'base64url').toString('hex');
  return `${bytes.slice(0, 8)}-${bytes.slice(8, 12)}-5${bytes.slice(13, 16)}-a${bytes.slice(17, 20)}-${bytes.slice(20, 32)}`;
}
