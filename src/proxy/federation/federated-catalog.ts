import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { Principal } from '../../common/principal.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import {
  canSee,
  type DiscoveredPrompt,
  type DiscoveredTool,
  LEGACY_REVISION,
  type RegisteredServer,
  RegistryCache,
  ToolPolicy,
} from '../../registry/index.js';

/** Separator between server and tool names: server names are slugs without "__", so a prefix is never ambiguous. */
export const FEDERATION_SEPARATOR = '__';

export interface FederatedTool {
  /** `{serverName}__{toolName}`. */
  name: string;
  server: RegisteredServer;
  tool: DiscoveredTool;
}

export interface FederatedPrompt {
  name: string;
  server: RegisteredServer;
  prompt: DiscoveredPrompt;
}

interface Catalog {
  version: number;
  tools: FederatedTool[];
  byName: Map<string, FederatedTool>;
  prompts: FederatedPrompt[];
  promptsByName: Map<string, FederatedPrompt>;
  /** The servers behind this catalog, by name. */
  servers: Map<string, RegisteredServer>;
  fingerprints?: CatalogFingerprints;
}

/** Digests of what a caller sees, per list: a list whose digest moved is announced with `notifications/…/list_changed`. */
export interface CatalogFingerprints {
  tools: string;
  prompts: string;
  resources: string;
}

export const CATALOG_LISTS: readonly (keyof CatalogFingerprints)[] = ['tools', 'prompts', 'resources'];

/** Resources are presented under `mcpgw://{server}/{encoded original URI}`, so every URI names its server. */
export const RESOURCE_SCHEME = 'mcpgw:';

export function scopedUri(server: string, uri: string): string {
  return `${RESOURCE_SCHEME}//${server}/${encodeURIComponent(uri)}`;
}

export function unscopeUri(scoped: string): { server: string; uri: string } | undefined {
  const match = /^mcpgw:\/\/([a-z0-9][a-z0-9-]{0,62})\/(.+)$/.exec(scoped);
  if (!match) return undefined;
  try {
    return { server: match[1], uri: decodeURIComponent(match[2]) };
  } catch {
    return undefined;
  }
}

/**
 * The tools one caller sees on `/federated/mcp`: the approved tools of every server it may use, under prefixed names.
 * Built once per caller and registry version (any registry change bumps the version), not per request, so a
 * `tools/list` of hundreds of tools costs a lookup.
 */
@Injectable()
export class FederatedCatalog {
  private readonly catalogs = new LRUCache<string, Catalog>({ max: 5_000 });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly registry: RegistryCache,
  ) {}

  tools(principal: Principal): FederatedTool[] {
    return this.catalogFor(principal).tools;
  }

  /**
   * The entry to call, with the server as it is now: the catalog is rebuilt only when what a caller may see changes,
   * so settings that do not change that (credentials, timeouts, redaction keys, endpoint health) come fresh from the
   * registry cache here.
   */
  find(principal: Principal, name: string): FederatedTool | undefined {
    const entry = this.catalogFor(principal).byName.get(name);
    return entry && { ...entry, server: this.current(entry.server) };
  }

  prompts(principal: Principal): FederatedPrompt[] {
    return this.catalogFor(principal).prompts;
  }

  findPrompt(principal: Principal, name: string): FederatedPrompt | undefined {
    const entry = this.catalogFor(principal).promptsByName.get(name);
    return entry && { ...entry, server: this.current(entry.server) };
  }

  /** Every visible server with its approved resources, for resources/list. */
  servers(principal: Principal): RegisteredServer[] {
    return [...this.catalogFor(principal).servers.values()];
  }

  server(principal: Principal, name: string): RegisteredServer | undefined {
    const server = this.catalogFor(principal).servers.get(name);
    return server && this.current(server);
  }

  /**
   * Where a federated request goes: the server (current settings) and, for `tools/call`, the tool's own name; undefined
   * for methods answered by the gateway itself and for names the caller may not use (those fail, uncounted upstream).
   */
  route(
    principal: Principal,
    method: string,
    params: Record<string, unknown> | undefined,
  ): { server: RegisteredServer; tool?: string } | undefined {
    const name = typeof params?.name === 'string' ? params.name : undefined;
    switch (method) {
      case 'tools/call': {
        const entry = name === undefined ? undefined : this.find(principal, name);
        return entry && { server: entry.server, tool: entry.tool.name };
      }
      case 'prompts/get': {
        const entry = name === undefined ? undefined : this.findPrompt(principal, name);
        return entry && { server: entry.server };
      }
      case 'resources/read': {
        const scoped = typeof params?.uri === 'string' ? unscopeUri(params.uri) : undefined;
        const server = scoped && this.server(principal, scoped.server);
        return server ? { server } : undefined;
      }
      default:
        return undefined;
    }
  }

  private current(server: RegisteredServer): RegisteredServer {
    return this.registry.get(server.id) ?? server;
  }

  fingerprints(principal: Principal): CatalogFingerprints {
    const catalog = this.catalogFor(principal);
    catalog.fingerprints ??= {
      tools: digest(catalog.tools.map(({ name, tool }) => [name, tool])),
      prompts: digest(catalog.prompts.map(({ name, prompt }) => [name, prompt])),
      resources: digest(
        [...catalog.servers.values()].map((server) => [
          server.name,
          server.approvedCapabilities?.resources ?? [],
        ]),
      ),
    };
    return catalog.fingerprints;
  }

  /**
   * Calls `changed` with the lists (and the digests they now have) whenever a registry change (registration, role
   * rule, drift approval, maintenance, on any replica) alters what `principal` sees; a change that does not, calls
   * nothing. Compared from the moment of the call. Returns the function that stops watching.
   */
  watchLists(
    principal: Principal,
    changed: (lists: (keyof CatalogFingerprints)[], now: CatalogFingerprints) => void,
  ): () => void {
    let seen = this.fingerprints(principal);
    let pending = false;
    let stopped = false;
    const unwatch = this.registry.watch(() => {
      // One registry reload can move the version several times; compare once after the burst.
      if (pending) return;
      pending = true;
      setImmediate(() => {
        pending = false;
        if (stopped) return;
        const now = this.fingerprints(principal);
        const lists = CATALOG_LISTS.filter((list) => now[list] !== seen[list]);
        seen = now;
        if (lists.length > 0) changed(lists, now);
      });
    });
    return () => {
      stopped = true;
      unwatch();
    };
  }

  private catalogFor(principal: Principal): Catalog {
    const key = `${principal.tenantId}|${principal.oid}|${principal.roles.join(',')}|${principal.superadmin}`;
    const cached = this.catalogs.get(key);
    if (cached && cached.version === this.registry.version) return cached;
    const tools: FederatedTool[] = [];
    const servers = [...this.registry.all()]
      .filter((server) => canSee(principal, server) && server.status !== 'maintenance')
      // A tenant's own server wins over a global one of the same name.
      .sort((a, b) => Number(b.tenantId === principal.tenantId) - Number(a.tenantId === principal.tenantId));
    const seen = new Map<string, RegisteredServer>();
    const prompts: FederatedPrompt[] = [];
    for (const server of servers) {
      if (seen.has(server.name)) continue;
      seen.set(server.name, server);
      for (const prompt of server.approvedCapabilities?.prompts ?? []) {
        prompts.push({ name: `${server.name}${FEDERATION_SEPARATOR}${prompt.name}`, server, prompt });
      }
      const policy = new ToolPolicy(server, principal);
      // Tools the upstream offers only to clients that can answer sampling, elicitation or roots requests: this
      // endpoint cannot relay those to its caller, and its upstream client would be told they do not exist.
      const gated = new Set(server.approvedCapabilities?.clientCapabilityTools ?? []);
      // Its upstream client speaks 2025-11-25 too: a tool offered only on 2026-07-28 would be unknown to it.
      const eras = server.approvedCapabilities?.toolEras;
      const offered = eras && new Set(eras[LEGACY_REVISION]);
      for (const tool of server.approvedCapabilities?.tools ?? []) {
        if (policy.mayCall(tool.name) && !gated.has(tool.name) && (!offered || offered.has(tool.name)))
          tools.push({ name: `${server.name}${FEDERATION_SEPARATOR}${tool.name}`, server, tool });
      }
    }
    // Every list in name order, so every replica pages it alike and digests it alike (a client that resumes its
    // list-changed stream elsewhere is not told of changes that did not happen).
    tools.sort(byName);
    prompts.sort(byName);
    const catalog = {
      version: this.registry.version,
      tools,
      byName: new Map(tools.map((entry) => [entry.name, entry])),
      prompts,
      promptsByName: new Map(prompts.map((entry) => [entry.name, entry])),
      servers: new Map([...seen].sort(([a], [b]) => byName({ name: a }, { name: b }))),
    };
    this.catalogs.set(key, catalog);
    return catalog;
  }

  get pageSize(): number {
    return this.config.proxy.federationPageSize;
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('base64url');
}
