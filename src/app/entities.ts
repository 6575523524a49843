import 'reflect-metadata';
import { AuditChainHeadEntity, AuditEventEntity } from '../audit/audit-event.entity.js';
import { OAUTH_ENTITIES } from '../auth/oauth/oauth.entities.js';
import { registerEntities } from '../database/entity-catalog.js';
import { McpServerEntity } from '../registry/mcp-server.entity.js';
import { TenantEntity } from '../tenancy/tenant.entity.js';

/**
 * Every feature's entities, listed explicitly rather than globbed: the same list works in the compiled app, the CLI,
 * the TypeORM CLI and Jest, and a new entity cannot be silently missed by one of them. The composition root lists
 * them, not the database module: `database` sits below the features and imports none of them.
 */
export const ENTITIES = [
  TenantEntity,
  ...OAUTH_ENTITIES,
  McpServerEntity,
  AuditEventEntity,
  AuditChainHeadEntity,
];

registerEntities(ENTITIES);
