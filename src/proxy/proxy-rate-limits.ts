import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../common/principal.js';
import { type RegisteredServer, RegistryCache } from '../registry/index.js';
import {
  applyRateLimitHeaders,
  type BucketCheck,
  jsonRpcCost,
  type RateLimitDecision,
  RateLimiter,
  RateLimitPolicy,
  refusalOf,
  restRefusal,
  type Surface,
} from '../throttling/index.js';
import { ProxyError } from './proxy.errors.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** Where a federated request is routed: its server and, for `tools/call`, the tool's name there. */
export interface FederatedRouting {
  route(
    principal: Principal,
    method: string,
    params: Record<string, unknown> | undefined,
  ): { server: RegisteredServer; tool?: string } | undefined;
}

/**
 * The proxy endpoints' rate limits (docs/architecture.md, "The path of one proxied call", step 2: after the server
 * lookup, before the body is acted on).
 * Counted here rather than in the guard because only here the server, and so its own limits, is known. Every message
 * of the body counts against the caller's buckets and the server's; `tools/call` also against the tool's limit.
 * Refusals are ProxyErrors (429 or 503), answered as JSON-RPC by the proxy controllers.
 */
@Injectable()
export class ProxyRateLimits {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly policy: RateLimitPolicy,
    private readonly registry: RegistryCache,
  ) {}

  /** `/servers/{id}/mcp`: POST per message; GET (stream) and DELETE count one, as housekeeping. */
  async admitServer(
    principal: Principal,
    server: RegisteredServer,
    req: Request,
    res: Response,
  ): Promise<void> {
    if (!this.limiter.enabled) return;
    const { cost, housekeeping, toolCalls } = jsonRpcCost(req.body, req.method);
    await this.admit(
      [
        ...this.policy.forPrincipal(principal, cost, housekeeping),
        // A server's own limit, set by its owner, counts every message that reaches it.
        ...this.policy.forServer(principal, server, cost, toolCalls),
      ],
      'proxy',
      res,
    );
  }

  /**
   * `/federated/mcp`: per message against the caller's buckets; each message routed to a server (`tools/call`,
   * `prompts/get`, `resources/read`) also against that server's limits, and a `tools/call` against its tool's.
   * Names the caller may not use count only for the caller (they fail without reaching an upstream).
   */
  async admitFederated(
    principal: Principal,
    req: Request,
    res: Response,
    routing: FederatedRouting,
  ): Promise<void> {
    if (!this.limiter.enabled) return;
    const body: unknown = req.method === 'POST' ? req.body : undefined;
    const { cost, housekeeping } = jsonRpcCost(body, req.method);
    const byServer = new Map<string, { server: RegisteredServer; messages: number; tools: string[] }>();
    for (const message of Array.isArray(body) ? body : [body]) {
      const { method, params } = (message ?? {}) as { method?: unknown; params?: unknown };
      if (typeof method !== 'string') continue;
      const routed = routing.route(principal, method, isRecord(params) ? params : undefined);
      if (!routed) continue;
      // The catalog is rebuilt only when routing changes; the registry cache has the server's current limits.
      const server = this.registry.get(routed.server.id) ?? routed.server;
      const calls = byServer.get(server.id) ?? { server, messages: 0, tools: [] };
      calls.messages += 1;
      if (routed.tool !== undefined) calls.tools.push(routed.tool);
      byServer.set(server.id, calls);
    }
    const serverChecks = [...byServer.values()].flatMap(({ server, messages, tools: names }) =>
      this.policy.forServer(principal, server, messages, names),
    );
    await this.admit(
      [...this.policy.forPrincipal(principal, cost, housekeeping), ...serverChecks],
      'federated',
      res,
    );
  }

  /**
   * `proxy_request` (the /mcp tool and `POST /api/v1/router/request`): the target server's own limits, one message
   * (per tool on `tools/call`). The caller's buckets were already counted for the request that carried it. Refusals are
   * GatewayExceptions: a JSON-RPC error from the tool, the common body from REST.
   */
  async admitRelayed(
    principal: Principal,
    server: RegisteredServer,
    method: string,
    tool: string | undefined,
  ): Promise<void> {
    if (!this.limiter.enabled) return;
    const checks = this.policy.forServer(principal, server, 1, method === 'tools/call' && tool ? [tool] : []);
    const decision = await this.limiter.consume(checks, 'proxy');
    if (!decision.allowed) throw restRefusal(decision);
  }

  private async admit(checks: BucketCheck[], surface: Surface, res: Response): Promise<void> {
    const decision = await this.limiter.consume(checks, surface);
    if (!decision.allowed) throw proxyRefusal(decision);
    applyRateLimitHeaders(res, decision);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The proxy endpoints answer ProxyErrors (JSON-RPC body with status and headers, see sendProxyError). */
export function proxyRefusal(decision: RateLimitDecision): ProxyError {
  const r = refusalOf(decision);
  const code = r.code === ErrorCode.RATE_LIMITED ? ErrorCode.RATE_LIMITED : ErrorCode.RATE_LIMIT_UNAVAILABLE;
  return new ProxyError(r.status, code, r.message, r.headers, r.details);
}
