import { GatewayException } from '../common/errors/gateway.exception.js';
import type { Principal } from '../common/principal.js';
import { notOwner } from './registry.errors.js';
import type { RegisteredServer } from './registry.types.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/**
 * Who may see and change a server. Seeing: the server's tenant (or any tenant for `global` servers), and one of
 * its required roles unless the caller is an admin or its owner. Changing: an admin of the server's tenant, or
 * the server_owner who owns it.
 */
export function canSee(principal: Principal, server: RegisteredServer): boolean {
  if (server.tenantId !== principal.tenantId && server.visibility !== 'global') return false;
  if (principal.roles.includes('admin') || server.ownerOid === principal.oid) return true;
  return (
    server.requiredRoles.length === 0 || server.requiredRoles.some((role) => principal.roles.includes(role))
  );
}

export function assertCanManage(principal: Principal, server: RegisteredServer): void {
  if (server.tenantId !== principal.tenantId) throw notOwner();
  // A global server serves every tenant: only platform administrators may change what all of them use.
  if (server.visibility === 'global') {
    if (principal.superadmin) return;
    throw notOwner();
  }
  if (principal.roles.includes('admin')) return;
  if (principal.roles.includes('server_owner') && server.ownerOid === principal.oid) return;
  throw notOwner();
}

export function assertMayPublishGlobally(principal: Principal): void {
  if (!principal.superadmin) {
    throw new GatewayException(
      403,
      ErrorCode.INSUFFICIENT_ROLE,
      'Only platform administrators may make a server visible to every tenant',
    );
  }
}
