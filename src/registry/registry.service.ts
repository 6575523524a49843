import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import { describeRequest } from '../common/context/request-context.js';
import type { RegisterServerDto, UpdateServerDto } from './dto/register-server.dto.js';
import type { ListServersQuery } from './dto/list-servers.query.js';
import { DEFAULT_PAGE_SIZE } from './registry.limits.js';
import type { ServerPage, ServerView } from './dto/server-view.dto.js';
import { stateAfterCheck } from './health/health-state.js';
import { ServerChecker } from './health/server-checker.js';
import type { McpServerEntity } from './mcp-server.entity.js';
import { assertCanManage } from './registry-access.js';
import { assertRole } from '../common/principal.js';
import { RegistryCache } from './registry-cache.js';
import { capabilitiesTooLarge, discoveryFailed, invalidServer, serverNotFound } from './registry.errors.js';
import { RegistryRepository } from './registry.repository.js';
import { DEFAULT_HEALTH_CHECK, DEFAULT_TIMEOUTS, type RegisteredServer } from './registry.types.js';
import { ServerInput } from './server-input.js';
import { toRegistered, toView } from './server-views.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Registration {
  server: ServerView;
  /** What discovery found (null when registered with discover=false). */
  discovered: { tools: string[]; resources: number; prompts: number } | null;
}

export interface RegistryStats {
  total: number;
  byStatus: Record<string, number>;
  byTransport: Record<string, number>;
  byTenant: Record<string, number>;
}

/** Registering, reading, changing and removing servers: the one implementation behind REST, MCP tools and the CLI. */
@Injectable()
export class RegistryService {
  constructor(
    private readonly repository: RegistryRepository,
    private readonly input: ServerInput,
    private readonly checker: ServerChecker,
    private readonly cache: RegistryCache,
  ) {}

  /**
   * Registers a server. Unless `discover` is false, the upstream is contacted first with a real MCP handshake and
   * the registration fails (nothing stored) when it does not answer; its tools become the approved snapshot.
   */
  async register(principal: Principal, dto: RegisterServerDto): Promise<Registration> {
    assertRole(principal, 'server_owner');
    const id = randomUUID();
    const columns = await this.input.toColumns(principal, dto, id);
    if (!columns.endpoints) throw invalidServer('A server needs url or endpoints');
    const draft: McpServerEntity = {
      id,
      tenantId: principal.tenantId,
      name: dto.name,
      title: null,
      description: '',
      version: null,
      transport: 'streamable-http',
      visibility: 'tenant',
      requiredRoles: [],
      ownerOid: principal.oid,
      tags: [],
      toolRoles: {},
      identityHeaders: false,
      auditRedactKeys: [],
      rateLimits: {},
      upstreamAuth: { type: 'none' },
      timeouts: {},
      healthCheck: {},
      lbStrategy: 'round_robin',
      status: 'unknown',
      lastCheckedAt: null,
      nextCheckAt: new Date(),
      consecutiveFailures: 0,
      downEndpoints: [],
      lastError: null,
      latencyMs: null,
      protocolVersion: null,
      serverInfo: null,
      capabilities: null,
      capabilitiesHash: null,
      approvedCapabilities: null,
      approvedCapabilitiesHash: null,
      createdAt: new Date(),
      updatedAt: new Date(),
      ...columns,
      endpoints: columns.endpoints,
    };
    let discovered: Registration['discovered'] = null;
    if (dto.discover !== false) {
      const outcome = await this.checker.probe(toRegistered(draft));
      if (!outcome.result && !outcome.skipped) {
        const failures = outcome.failures.map((f) => `${f.url}: ${f.error}`).join('; ');
        if (outcome.failures.every((f) => f.oversized)) throw capabilitiesTooLarge(failures);
        throw discoveryFailed(
          `${failures} (to register without checking: "discover": false in the API, --no-discover on the CLI)`,
        );
      }
      Object.assign(draft, stateAfterCheck(toRegistered(draft), outcome, new Date(), true));
      // Just checked: the next regular check is one interval away.
      draft.nextCheckAt = new Date(Date.now() + toRegistered(draft).healthCheck.intervalSeconds * 1000);
      const snapshot = outcome.result?.snapshot;
      if (snapshot) {
        discovered = {
          tools: snapshot.tools.map((tool) => tool.name),
          resources: snapshot.resources.length,
          prompts: snapshot.prompts.length,
        };
      }
    }
    const { createdAt: _created, updatedAt: _updated, ...row } = draft;
    const stored = await this.repository.insert(row);
    // The registration's audit event (and log line) names the server it created.
    describeRequest({ serverId: stored.id });
    await this.cache.changed(stored.id);
    return { server: toView(toRegistered(stored)), discovered };
  }

  async list(principal: Principal, query: ListServersQuery): Promise<ServerPage> {
    const page = await this.listRegistered(principal, query);
    return { ...page, items: page.items.map(toView) };
  }

  async listRegistered(
    principal: Principal,
    query: ListServersQuery,
  ): Promise<Omit<ServerPage, 'items'> & { items: RegisteredServer[] }> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const after = query.cursor ? decodeCursor(query.cursor) : undefined;
    const page = after ? undefined : (query.page ?? 1);
    const { items, total } = await this.repository.list(
      principal,
      { status: query.status, tag: query.tag, transport: query.transport, q: query.q },
      { after, offset: page ? (page - 1) * limit : undefined, limit },
    );
    const last = items.at(-1);
    const more = after ? items.length === limit : (page ?? 1) * limit < total;
    return {
      items: items.map(toRegistered),
      total,
      limit,
      ...(page ? { page } : {}),
      nextCursor: last && more ? encodeCursor(last.name, last.id) : null,
    };
  }

  async get(principal: Principal, id: string): Promise<ServerView> {
    return toView(await this.find(principal, id));
  }

  /** A server the caller may see, by id or (for MCP tools and the CLI) by name; 404 otherwise. */
  async find(principal: Principal, idOrName: string): Promise<RegisteredServer> {
    const entity = UUID.test(idOrName)
      ? await this.repository.findVisible(principal, idOrName)
      : await this.repository.findVisibleByName(principal, idOrName);
    if (!entity) throw serverNotFound();
    return toRegistered(entity);
  }

  async update(principal: Principal, idOrName: string, dto: UpdateServerDto): Promise<ServerView> {
    const server = await this.find(principal, idOrName);
    assertCanManage(principal, server);
    const columns = await this.input.toColumns(principal, dto, server.id, server);
    if (dto.name !== undefined) columns.name = dto.name;
    if (dto.maintenance !== undefined) {
      columns.status = dto.maintenance ? 'maintenance' : 'unknown';
      if (!dto.maintenance) columns.nextCheckAt = new Date();
    }
    if (columns.timeouts) columns.timeouts = { ...DEFAULT_TIMEOUTS, ...server.timeouts, ...columns.timeouts };
    if (columns.healthCheck) {
      columns.healthCheck = { ...DEFAULT_HEALTH_CHECK, ...server.healthCheck, ...columns.healthCheck };
    }
    if (columns.endpoints || columns.transport || columns.upstreamAuth) columns.nextCheckAt = new Date();
    if (Object.keys(columns).length === 0) throw invalidServer('Nothing to change');
    if (!(await this.repository.update(principal, server.id, columns))) throw serverNotFound();
    const updated = await this.cache.changed(server.id);
    if (!updated) throw serverNotFound();
    return toView(updated);
  }

  /** How many servers the caller's tenant has registered (global servers of other tenants not counted). */
  countOwn(principal: Principal): Promise<number> {
    return this.repository.countByTenant(principal.tenantId);
  }

  /** Counts by status and transport, per tenant: the caller's tenant, or all of them for platform administrators. */
  async stats(principal: Principal): Promise<RegistryStats> {
    assertRole(principal, 'admin');
    const rows = await this.repository.stats(principal);
    const stats: RegistryStats = { total: 0, byStatus: {}, byTransport: {}, byTenant: {} };
    for (const row of rows) {
      const count = Number(row.count);
      stats.total += count;
      stats.byStatus[row.status] = (stats.byStatus[row.status] ?? 0) + count;
      stats.byTransport[row.transport] = (stats.byTransport[row.transport] ?? 0) + count;
      stats.byTenant[row.tenant_id] = (stats.byTenant[row.tenant_id] ?? 0) + count;
    }
    return stats;
  }

  async unregister(principal: Principal, idOrName: string): Promise<void> {
    const server = await this.find(principal, idOrName);
    assertCanManage(principal, server);
    if (!(await this.repository.delete(principal, server.id))) throw serverNotFound();
    await this.cache.changed(server.id);
  }
}

function encodeCursor(name: string, id: string): string {
  return Buffer.from(JSON.stringify([name, id])).toString('base64url');
}

function decodeCursor(cursor: string): { name: string; id: string } {
  try {
    const [name, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown[];
    if (typeof name === 'string' && typeof id === 'string' && UUID.test(id)) return { name, id };
  } catch {
    // fall through to the error below
  }
  throw new GatewayException(400, ErrorCode.INVALID_CURSOR, 'cursor is not one this API returned');
}
