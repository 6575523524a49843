import { AuditChainHeadEntity, AuditEventEntity } from '../audit/audit-event.entity.js';
import { OAUTH_ENTITIES } from '../auth/oauth/oauth.entities.js';
import { McpServerEntity } from '../registry/mcp-server.entity.js';
import { TenantEntity } from '../tenancy/tenant.entity.js';

/**
 * Every entity, listed explicitly rather than globbed: the same list works in the compiled app, the TypeORM CLI and
 * Jest, and a new entity cannot be silently missed by one of them.
 */
export const ENTITIES = [
  TenantEntity,
  ...OAUTH_ENTITIES,
  McpServerEntity,
  AuditEventEntity,
  AuditChainHeadEntity,
];
