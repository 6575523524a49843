import type { McpServerEntity } from './mcp-server.entity.js';
import { definedOnly } from './server-input.js';
import type { ServerView } from './dto/server-view.dto.js';
import { DEFAULT_HEALTH_CHECK, DEFAULT_TIMEOUTS, type RegisteredServer } from './registry.types.js';
import { describeUpstreamAuth } from './upstream-credentials.js';

/** The entity with defaults applied: the shape the cache, the proxy and the views work with. */
export function toRegistered(entity: McpServerEntity): RegisteredServer {
  return {
    id: entity.id,
    tenantId: entity.tenantId,
    name: entity.name,
    title: entity.title,
    description: entity.description,
    version: entity.version,
    endpoints: entity.endpoints,
    transport: entity.transport,
    visibility: entity.visibility,
    requiredRoles: entity.requiredRoles,
    ownerOid: entity.ownerOid,
    tags: entity.tags,
    toolRoles: entity.toolRoles,
    identityHeaders: entity.identityHeaders,
    auditRedactKeys: entity.auditRedactKeys,
    rateLimits: { ...definedOnly(entity.rateLimits), tools: { ...entity.rateLimits.tools } },
    upstreamAuth: entity.upstreamAuth,
    timeouts: { ...DEFAULT_TIMEOUTS, ...definedOnly(entity.timeouts), tools: { ...entity.timeouts.tools } },
    healthCheck: { ...DEFAULT_HEALTH_CHECK, ...definedOnly(entity.healthCheck) },
    lbStrategy: entity.lbStrategy,
    status: entity.status,
    lastCheckedAt: entity.lastCheckedAt,
    lastError: entity.lastError,
    consecutiveFailures: entity.consecutiveFailures,
    downEndpoints: entity.downEndpoints,
    latencyMs: entity.latencyMs,
    protocolVersion: entity.protocolVersion,
    serverInfo: entity.serverInfo,
    capabilities: entity.capabilities,
    capabilitiesHash: entity.capabilitiesHash,
    approvedCapabilities: entity.approvedCapabilities,
    approvedCapabilitiesHash: entity.approvedCapabilitiesHash,
    createdAt: entity.createdAt,
    updatedAt: entity.updatedAt,
  };
}

export function toView(server: RegisteredServer): ServerView {
  return {
    id: server.id,
    tenantId: server.tenantId,
    name: server.name,
    title: server.title,
    description: server.description,
    version: server.version,
    endpoints: server.endpoints,
    transport: server.transport,
    visibility: server.visibility,
    requiredRoles: server.requiredRoles,
    ownerOid: server.ownerOid,
    tags: server.tags,
    toolRoles: server.toolRoles,
    identityHeaders: server.identityHeaders,
    auditRedactKeys: server.auditRedactKeys,
    rateLimits: server.rateLimits,
    upstreamAuth: describeUpstreamAuth(server.upstreamAuth),
    timeouts: server.timeouts,
    healthCheck: server.healthCheck,
    lbStrategy: server.lbStrategy,
    status: server.status,
    lastCheckedAt: server.lastCheckedAt?.toISOString() ?? null,
    lastError: server.lastError,
    latencyMs: server.latencyMs,
    protocolVersion: server.protocolVersion,
    serverInfo: server.serverInfo,
    toolCount: server.approvedCapabilities?.tools.length ?? 0,
    pendingChanges: hasPendingChanges(server),
    createdAt: server.createdAt.toISOString(),
    updatedAt: server.updatedAt.toISOString(),
  };
}

export function hasPendingChanges(server: RegisteredServer): boolean {
  return server.capabilitiesHash !== null && server.capabilitiesHash !== server.approvedCapabilitiesHash;
}
