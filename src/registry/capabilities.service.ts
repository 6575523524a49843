import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { toolDrift, type ToolDrift } from './capabilities.js';
import type { ServerView } from './dto/server-view.dto.js';
import { ServerChecker } from './health/server-checker.js';
import { assertCanManage, canSee } from './registry-access.js';
import { assertRole } from '../common/principal.js';
import { RegistryCache } from './registry-cache.js';
import { DEFAULT_TOOL_SEARCH_LIMIT } from './registry.limits.js';
import { RegistryRepository } from './registry.repository.js';
import { RegistryService } from './registry.service.js';
import type { CapabilitySnapshot, DiscoveredTool, RegisteredServer } from './registry.types.js';
import { hasPendingChanges, toView } from './server-views.js';
import { ToolPolicy } from './tool-policy.js';
import { ErrorCode } from '../common/errors/error-codes.js';

export interface CapabilitiesView {
  serverId: string;
  serverName: string;
  status: string;
  protocolVersion: string | null;
  serverInfo: { name: string; version: string; title?: string } | null;
  lastCheckedAt: string | null;
  /** What the gateway serves. */
  approved: CapabilitySnapshot | null;
  approvedHash: string | null;
  /** A newer snapshot waiting for approval, with what changed. */
  pending: { capabilities: CapabilitySnapshot; hash: string; drift: ToolDrift } | null;
}

export interface ToolMatch {
  server: { id: string; name: string; title: string | null };
  name: string;
  title?: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: Record<string, unknown>;
}

/** Health checks on demand, capability snapshots, drift approval and tool search. */
@Injectable()
export class CapabilitiesService {
  constructor(
    private readonly registry: RegistryService,
    private readonly checker: ServerChecker,
    private readonly cache: RegistryCache,
    private readonly repository: RegistryRepository,
  ) {}

  async checkNow(principal: Principal, idOrName: string): Promise<ServerView> {
    const server = await this.registry.find(principal, idOrName);
    assertCanManage(principal, server);
    return toView((await this.checker.check(server)).server);
  }

  async capabilities(principal: Principal, idOrName: string): Promise<CapabilitiesView> {
    const server = await this.registry.find(principal, idOrName);
    const pending =
      hasPendingChanges(server) && server.capabilities && server.capabilitiesHash
        ? {
            capabilities: server.capabilities,
            hash: server.capabilitiesHash,
            drift: toolDrift(server.approvedCapabilities, server.capabilities),
          }
        : null;
    const manages = principal.roles.includes('admin') || server.ownerOid === principal.oid;
    const approved = server.approvedCapabilities;
    // Everyone else sees what tools/list shows them: the tools that tool roles hide are hidden here too.
    const policy = new ToolPolicy(server, principal);
    const visible =
      approved && !manages
        ? { ...approved, tools: approved.tools.filter((tool) => policy.mayCall(tool.name)) }
        : approved;
    return {
      serverId: server.id,
      serverName: server.name,
      status: server.status,
      protocolVersion: server.protocolVersion,
      serverInfo: server.serverInfo,
      lastCheckedAt: server.lastCheckedAt?.toISOString() ?? null,
      approved: visible,
      approvedHash: server.approvedCapabilitiesHash,
      // Only those who can act on a pending change see it; users see what is served.
      pending: manages ? pending : null,
    };
  }

  /**
   * Makes the upstream's current tools the approved ones. `expectedHash`, when given, must match the snapshot
   * being approved, so an admin approves exactly what was reviewed even if the upstream changed again meanwhile.
   */
  async approveChanges(
    principal: Principal,
    idOrName: string,
    expectedHash?: string,
  ): Promise<{ server: ServerView; drift: ToolDrift }> {
    assertRole(principal, 'admin');
    const server = await this.registry.find(principal, idOrName);
    assertCanManage(principal, server);
    const drift = toolDrift(server.approvedCapabilities, server.capabilities);
    if (!hasPendingChanges(server) || !server.capabilities) {
      throw new GatewayException(409, ErrorCode.NO_PENDING_CHANGES, 'There are no changes to approve');
    }
    if (expectedHash && expectedHash !== server.capabilitiesHash) {
      throw new GatewayException(
        409,
        ErrorCode.NO_PENDING_CHANGES,
        'The pending capabilities changed since they were reviewed; review them again',
      );
    }
    await this.repository.update(principal, server.id, {
      approvedCapabilities: server.capabilities,
      approvedCapabilitiesHash: server.capabilitiesHash,
    });
    return { server: toView((await this.cache.changed(server.id)) ?? server), drift };
  }

  /** Approved tools of every server the caller can see whose name, title or description contain all words of `q`. */
  searchTools(
    principal: Principal,
    q = '',
    serverFilter?: string,
    limit = DEFAULT_TOOL_SEARCH_LIMIT,
  ): {
    tools: ToolMatch[];
    total: number;
  } {
    const words = q.toLowerCase().split(/\s+/).filter(Boolean);
    const matches: ToolMatch[] = [];
    for (const server of this.cache.all()) {
      if (!canSee(principal, server) || server.status === 'maintenance') continue;
      if (serverFilter && serverFilter !== server.id && serverFilter !== server.name) continue;
      const policy = new ToolPolicy(server, principal);
      for (const tool of server.approvedCapabilities?.tools ?? []) {
        if (policy.mayCall(tool.name) && matchesAll(tool, words)) matches.push(toMatch(server, tool));
      }
    }
    matches.sort((a, b) => a.server.name.localeCompare(b.server.name) || a.name.localeCompare(b.name));
    return { tools: matches.slice(0, limit), total: matches.length };
  }
}

function matchesAll(tool: DiscoveredTool, words: string[]): boolean {
  const text = `${tool.name} ${tool.title ?? ''} ${tool.description ?? ''}`.toLowerCase();
  return words.every((word) => text.includes(word));
}

function toMatch(server: RegisteredServer, tool: DiscoveredTool): ToolMatch {
  return {
    server: { id: server.id, name: server.name, title: server.title },
    name: tool.name,
    ...(tool.title ? { title: tool.title } : {}),
    ...(tool.description ? { description: tool.description } : {}),
    inputSchema: tool.inputSchema,
    ...(tool.annotations ? { annotations: tool.annotations } : {}),
  };
}
