import { Client } from '@modelcontextprotocol/client';
import { Injectable } from '@nestjs/common';
import type { Principal } from '../common/principal.js';
import { describeError, jsonRpcErrorCode } from '../audit/index.js';
import { describeRequest, type RelayedCall } from '../common/context/request-context.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import {
  canSee,
  type RegisteredServer,
  RegistryCache,
  serverNotFound,
  ToolPolicy,
} from '../registry/index.js';
import { ProxyRateLimits } from './proxy-rate-limits.js';
import { GATEWAY_VERSION } from '../common/version.js';
import { EndpointSelector } from './endpoint-selector.js';
import { ProxyError } from './proxy.errors.js';
import { ProxyService } from './proxy.service.js';
import { RouterMetrics } from './router-metrics.js';
import { sdkTransportFor } from './sdk-transport.js';
import { UpstreamCaller } from './upstream-caller.js';
import { UpstreamHeaders } from './upstream-headers.js';
import { toolTimeout } from './request-traits.js';
import { ErrorCode } from '../common/errors/error-codes.js';

export const PROXY_METHODS = [
  'tools/call',
  'tools/list',
  'resources/read',
  'resources/list',
  'resources/templates/list',
  'prompts/get',
  'prompts/list',
  'completion/complete',
  'ping',
] as const;
export type ProxyMethod = (typeof PROXY_METHODS)[number];

export interface ProxyRequestInput {
  /** Server id or name; omitted for `tools/call`, the gateway picks a server offering the tool. */
  server?: string;
  method: ProxyMethod;
  params?: Record<string, unknown>;
  timeoutMs?: number;
}

export interface ProxyRequestResult {
  success: boolean;
  response_data: unknown;
  error_message: string | null;
  execution_time_ms: number;
  server_id: string | null;
}

const STATUS_RANK: Record<string, number> = { healthy: 0, degraded: 1, unknown: 2, unhealthy: 3 };

/**
 * `proxy_request`: one MCP request on a registered server through the same upstream layer and policy as the
 * transparent proxy, on a short-lived upstream session (initialize, the request, session end).
 */
@Injectable()
export class ProxyRequestService {
  constructor(
    private readonly cache: RegistryCache,
    private readonly proxy: ProxyService,
    private readonly selector: EndpointSelector,
    private readonly caller: UpstreamCaller,
    private readonly headers: UpstreamHeaders,
    private readonly metrics: RouterMetrics,
    private readonly rateLimits: ProxyRateLimits,
  ) {}

  async execute(
    principal: Principal,
    input: ProxyRequestInput,
    bearer?: string,
  ): Promise<ProxyRequestResult> {
    const started = performance.now();
    const server = input.server
      ? this.proxy.serverFor(principal, this.resolve(principal, input.server))
      : this.route(principal, input);
    const tool = typeof input.params?.name === 'string' ? input.params.name : undefined;
    // The audit event of this call names the server and the upstream tool, as a transparent call's does: filters
    // by server and by tool find every path to a tool.
    const target = tool ?? (typeof input.params?.uri === 'string' ? input.params.uri : undefined);
    const relayed: RelayedCall = { method: input.method, redactKeys: server.auditRedactKeys };
    describeRequest({ serverId: server.id, tool: target, relayed });
    await this.rateLimits.admitRelayed(principal, server, input.method, tool);
    const finished = this.metrics.start(server.id);
    const elapsed = () => Math.round(performance.now() - started);
    try {
      const data = await this.perform(principal, server, input, bearer);
      finished(false);
      return {
        success: true,
        response_data: data,
        error_message: null,
        execution_time_ms: elapsed(),
        server_id: server.id,
      };
    } catch (error) {
      finished(true);
      if (error instanceof GatewayException && error.getStatus() === 403) throw error;
      relayed.failureCode =
        typeof (error as { code?: unknown }).code === 'number'
          ? jsonRpcErrorCode(error as { code: number })
          : describeError(error).code;
      const message = error instanceof Error ? error.message : String(error);
      return {
        success: false,
        response_data: null,
        error_message: message,
        execution_time_ms: elapsed(),
        server_id: server.id,
      };
    }
  }

  private async perform(
    principal: Principal,
    server: RegisteredServer,
    input: ProxyRequestInput,
    bearer: string | undefined,
  ): Promise<unknown> {
    const policy = new ToolPolicy(server, principal);
    const params = input.params ?? {};
    const tool = typeof params.name === 'string' ? params.name : '';
    if (input.method === 'tools/call' && !policy.mayCall(tool)) {
      throw new GatewayException(403, ErrorCode.TOOL_NOT_ALLOWED, `Tool not available: ${tool}`);
    }
    const timeoutMs = toolTimeout(server, input.method === 'tools/call' ? tool : undefined, input.timeoutMs);
    const endpoint = this.selector.endpointFor(server, undefined, principal);
    const user = { principal, bearer };
    // Fail before connecting when no credentials can be had (e.g. an on-behalf-of challenge).
    await this.headers.credentialsFor(server, user);
    const transport = sdkTransportFor(this.caller, server, endpoint, timeoutMs, () =>
      this.headers.credentialsFor(server, user),
    );
    const client = new Client(
      { name: 'mcp-registry-gateway', version: GATEWAY_VERSION },
      { capabilities: {} },
    );
    const options = { timeout: timeoutMs };
    await client.connect(transport, options);
    try {
      switch (input.method) {
        case 'tools/call':
          return await client.callTool(params as never, options);
        case 'tools/list':
          return policy.filterList(await client.listTools(undefined, options));
        case 'resources/read':
          return await client.readResource(params as never, options);
        case 'resources/list':
          return await client.listResources(undefined, options);
        case 'resources/templates/list':
          return await client.listResourceTemplates(undefined, options);
        case 'prompts/get':
          return await client.getPrompt(params as never, options);
        case 'prompts/list':
          return await client.listPrompts(undefined, options);
        case 'completion/complete':
          return await client.complete(params as never, options);
        case 'ping':
          return await client.ping(options);
      }
    } finally {
      await transport.terminateSession?.().catch(() => undefined);
      await client.close().catch(() => undefined);
    }
  }

  /** By id, or by name with the caller's own tenant first (its server wins over a global one of the same name). */
  private resolve(principal: Principal, idOrName: string): string {
    let global: RegisteredServer | undefined;
    for (const server of this.cache.all()) {
      if ((server.id !== idOrName && server.name !== idOrName) || !canSee(principal, server)) continue;
      if (server.id === idOrName || server.tenantId === principal.tenantId) return server.id;
      global ??= server;
    }
    if (global) return global.id;
    throw serverNotFound();
  }

  /** Capability routing: the healthiest visible server whose approved tools include the one asked for. */
  private route(principal: Principal, input: ProxyRequestInput): RegisteredServer {
    const tool = typeof input.params?.name === 'string' ? input.params.name : '';
    if (input.method !== 'tools/call' || !tool) {
      throw new ProxyError(400, ErrorCode.INVALID_JSONRPC, 'Name a server, or call a tool by name');
    }
    const candidates = [...this.cache.all()]
      .filter((server) => canSee(principal, server) && server.status !== 'maintenance')
      .filter((server) => server.approvedCapabilities?.tools.some((t) => t.name === tool))
      .filter((server) => new ToolPolicy(server, principal).mayCall(tool))
      .sort((a, b) => (STATUS_RANK[a.status] ?? 9) - (STATUS_RANK[b.status] ?? 9));
    if (candidates.length === 0) throw serverNotFound();
    return candidates[0];
  }
}
