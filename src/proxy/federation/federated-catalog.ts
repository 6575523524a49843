import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../auth/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { canSee } from '../../registry/registry-access.js';
import { RegistryCache } from '../../registry/registry-cache.js';
import type { DiscoveredTool, RegisteredServer } from '../../registry/registry.types.js';
import { ToolPolicy } from '../../registry/tool-policy.js';

/** Separator between server and tool names: server names are slugs without "__", so a prefix is never ambiguous. */
export const FEDERATION_SEPARATOR = '__';

export interface FederatedTool {
  /** `{serverName}__{toolName}`. */
  name: string;
  server: RegisteredServer;
  tool: DiscoveredTool;
}

interface Catalog {
  version: number;
  tools: FederatedTool[];
  byName: Map<string, FederatedTool>;
}

/**
 * The tools one caller sees on `/federated/mcp`: the approved tools of every server it may use, under prefixed names.
 * Built once per caller and registry version (any registry change bumps the version), not per request, so a
 * `tools/list` of hundreds of tools costs a lookup.
 */
@Injectable()
export class FederatedCatalog {
  private version = 0;
  private readonly catalogs = new LRUCache<string, Catalog>({ max: 5_000 });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryCache,
  ) {
    registry.onChange(() => {
      this.version++;
    });
  }

  tools(principal: Principal): FederatedTool[] {
    return this.catalogFor(principal).tools;
  }

  find(principal: Principal, name: string): FederatedTool | undefined {
    return this.catalogFor(principal).byName.get(name);
  }

  private catalogFor(principal: Principal): Catalog {
    const key = `${principal.tenantId}|${principal.oid}|${principal.roles.join(',')}|${principal.superadmin}`;
    const cached = this.catalogs.get(key);
    if (cached && cached.version === this.version) return cached;
    const tools: FederatedTool[] = [];
    const servers = [...this.registry.all()]
      .filter((server) => canSee(principal, server) && server.status !== 'maintenance')
      // A tenant's own server wins over a global one of the same name.
      .sort((a, b) => Number(b.tenantId === principal.tenantId) - Number(a.tenantId === principal.tenantId));
    const seen = new Set<string>();
    for (const server of servers) {
      if (seen.has(server.name)) continue;
      seen.add(server.name);
      const policy = new ToolPolicy(server, principal);
      for (const tool of server.approvedCapabilities?.tools ?? []) {
        if (policy.mayCall(tool.name))
          tools.push({ name: `${server.name}${FEDERATION_SEPARATOR}${tool.name}`, server, tool });
      }
    }
    tools.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const catalog = {
      version: this.version,
      tools,
      byName: new Map(tools.map((entry) => [entry.name, entry])),
    };
    this.catalogs.set(key, catalog);
    return catalog;
  }

  get pageSize(): number {
    return this.config.proxy.federationPageSize;
  }
}
