import { ErrorCode } from './errors/error-codes.js';
import { GatewayException } from './errors/gateway.exception.js';
/** The gateway's roles, from Entra app roles (or local mode's tokens) through MREG_ROLE_MAP. */
export type GatewayRole = 'admin' | 'server_owner' | 'user';

export type TokenKind = 'entra' | 'gateway' | 'local';

/** Who is calling, as every service, guard and tool sees it. Keyed by (tenantKey, oid), never by user name. */
export interface Principal {
  /** Our `tenants.id`. */
  readonly tenantId: string;
  /** The Entra `tid`, or `local:<name>` in local identity mode. */
  readonly tenantKey: string;
  readonly oid: string;
  readonly sub: string;
  readonly name?: string;
  /** Effective roles: the granted ones plus those they imply (admin ⊇ server_owner ⊇ user). */
  readonly roles: readonly GatewayRole[];
  readonly scopes: readonly string[];
  readonly clientId?: string;
  readonly tokenKind: TokenKind;
  /** Platform administrator across tenants (MREG_SUPERADMIN_TENANTS); every use is audited. */
  readonly superadmin: boolean;
  /** Token expiry, epoch seconds. */
  readonly expiresAt: number;
  /** The tenant's own request limit per minute (its `requestsPerMinute` setting), if a platform admin set one. */
  readonly tenantRequestsPerMinute?: number;
}

const IMPLIED: Record<GatewayRole, readonly GatewayRole[]> = {
  admin: ['admin', 'server_owner', 'user'],
  server_owner: ['server_owner', 'user'],
  user: ['user'],
};

export const ALL_ROLES: readonly GatewayRole[] = ['admin', 'server_owner', 'user'];

/** Granted roles expanded with what they imply, in a stable order. */
export function effectiveRoles(granted: Iterable<GatewayRole>): GatewayRole[] {
  const roles = new Set<GatewayRole>();
  for (const role of granted) for (const implied of IMPLIED[role]) roles.add(implied);
  return ALL_ROLES.filter((role) => roles.has(role));
}

export function isGatewayRole(value: unknown): value is GatewayRole {
  return typeof value === 'string' && (ALL_ROLES as readonly string[]).includes(value);
}

/** Refuses a caller without the role (403 INSUFFICIENT_ROLE); roles are already expanded (an admin is a user). */
export function assertRole(principal: Principal, role: 'admin' | 'server_owner'): void {
  if (!principal.roles.includes(role)) {
    throw new GatewayException(403, ErrorCode.INSUFFICIENT_ROLE, `Requires role ${role}`);
  }
}
