import { Injectable } from '@nestjs/common';
import { toNodeHandler } from '@modelcontextprotocol/node';
import {
  type AuthInfo,
  createMcpHandler,
  type ListToolsResult,
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
} from '@modelcontextprotocol/server';
import type { Request, Response } from 'express';
import {
  type AuditEventInput,
  Auditor,
  describeError,
  jsonRpcErrorCode,
  outcomeForStatus,
  requestActor,
} from '../../audit/index.js';
import type { Principal } from '../../common/principal.js';
import { inServerSpan } from '../../observability/tracing.js';
import { describeRequest } from '../../common/context/request-context.js';
import type { RegisteredServer } from '../../registry/index.js';
import { ProxyRateLimits } from '../proxy-rate-limits.js';
import { ProxyError } from '../proxy.errors.js';
import { GATEWAY_VERSION } from '../../common/version.js';
import { JSONRPC_SERVER_ERROR, methodOf } from '../../common/jsonrpc.js';
import { RouterMetrics } from '../router-metrics.js';
import { bearerOf } from '../upstream-headers.js';
import { FEDERATION_SEPARATOR, FederatedCatalog, scopedUri, unscopeUri } from './federated-catalog.js';
import { UpstreamClients } from './upstream-clients.js';
import type { UpstreamSession } from './upstream-session.js';
import { FederatedListenBus } from './listen-bus.js';
import { flushingEventStreams } from './flushing-event-streams.js';
import { pageOf } from './paging.js';
import { ListChangedStreams } from './list-changed-streams.js';
import { toolTimeout } from '../request-traits.js';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { toProtocolError } from '../../common/mcp/mcp-exception.filter.js';

/**
 * `/federated/mcp`: one MCP server presenting the tools of every server the caller may use, named
 * `{serverName}__{toolName}` with descriptions and schemas kept; `tools/call` is routed by prefix through the proxy's
 * upstream layer and policy. Stateless towards the client (any replica answers any request).
 */
@Injectable()
export class FederationService {
  /**
   * The SDK's serving entry for both revisions: a 2026-07-28 request (`server/discover`, the per-request envelope)
   * and a 2025 one (served statelessly) each get a fresh server from `serverFor`, which needs the caller: it travels
   * in the SDK's pass-through `authInfo` (the bearer itself stays out of it).
   */
  private readonly serve: ReturnType<typeof toNodeHandler>;
  private readonly listenBus: FederatedListenBus;

  constructor(
    private readonly catalog: FederatedCatalog,
    private readonly clients: UpstreamClients,
    private readonly metrics: RouterMetrics,
    private readonly rateLimits: ProxyRateLimits,
    private readonly auditor: Auditor,
    private readonly listening: ListChangedStreams,
  ) {
    this.listenBus = new FederatedListenBus(catalog);
    this.serve = toNodeHandler(
      createMcpHandler(
        ({ authInfo }) => {
          const call = authInfo?.extra?.[FEDERATED_CALL] as FederatedCall | undefined;
          if (!call) throw new Error('a federated request reached the MCP handler without its caller');
          return this.serverFor(call.principal, call.req);
        },
        { bus: this.listenBus },
      ),
    );
  }

  handle(principal: Principal, req: Request, res: Response): Promise<void> {
    const method = methodOf(req.body, req.method);
    return inServerSpan('mcp.federated', req.headers, { 'rpc.method': method }, async () => {
      // Before the MCP server sees the body: a refusal is an HTTP 429 (ProxyError), counted per message and tool.
      await this.rateLimits.admitFederated(principal, req, res, this.catalog);
      const call: FederatedCall = { principal, req };
      const auth: AuthInfo = {
        token: '',
        clientId: principal.oid,
        scopes: [],
        extra: { [FEDERATED_CALL]: call },
      };
      const serve = () => this.serve(Object.assign(req, { auth }), flushingEventStreams(res), req.body);
      if (method !== 'subscriptions/listen') return serve();
      // A listening stream like the 2025 GET one: limited, and ended at shutdown (the client listens again
      // elsewhere). The SDK may still write a keep-alive before it sees the end: no unhandled 'error' for that.
      this.listening.hold(principal, res, {
        end: () => {
          res.on('error', () => undefined);
          if (!res.writableEnded) res.end();
        },
      });
      return this.listenBus.serving(principal, serve);
    });
  }

  private serverFor(principal: Principal, req: Request): McpServer {
    const bearer = bearerOf(req.get('authorization'));
    const audited = <T>(call: AuditedCall, work: () => Promise<T>) =>
      this.audited(principal, req, call, work);
    const mcp = new McpServer(
      {
        name: 'mcp-registry-gateway-federated',
        title: 'MCP Registry Gateway (federated)',
        version: GATEWAY_VERSION,
      },
      {
        capabilities: {
          tools: { listChanged: true },
          prompts: { listChanged: true },
          resources: { listChanged: true },
        },
        instructions:
          'Tools and prompts of every MCP server you may use through this gateway, named {server}__{name}; resources as mcpgw://{server}/{uri}.',
      },
    );
    mcp.server.setRequestHandler('tools/list', (request) => {
      const { items, nextCursor } = pageOf(
        this.catalog.tools(principal),
        request.params?.cursor,
        this.catalog.pageSize,
      );
      return {
        // Definitions as discovered from (and validated by) the upstream's own tools/list.
        tools: items.map(({ name, tool }) => ({ ...tool, name })) as ListToolsResult['tools'],
        ...nextCursor,
      };
    });
    mcp.server.setRequestHandler('tools/call', async (request) => {
      const entry = this.catalog.find(principal, request.params.name);
      return audited(
        {
          method: 'tools/call',
          target: request.params.name,
          upstreamTarget: entry?.tool.name,
          server: entry?.server,
          params: request.params.arguments,
        },
        () => {
          if (!entry)
            throw notAvailable(`Tool not available: ${request.params.name}`, ErrorCode.TOOL_NOT_ALLOWED);
          const timeout = toolTimeout(entry.server, entry.tool.name);
          return this.upstream(principal, entry.server, bearer, (session) =>
            session.callTool(
              { name: entry.tool.name, arguments: request.params.arguments ?? {} },
              { timeout },
            ),
          );
        },
      );
    });
    mcp.server.setRequestHandler('prompts/list', (request) => {
      const { items, nextCursor } = pageOf(
        this.catalog.prompts(principal),
        request.params?.cursor,
        this.catalog.pageSize,
      );
      return { prompts: items.map(({ name, prompt }) => ({ ...prompt, name })), ...nextCursor };
    });
    mcp.server.setRequestHandler('prompts/get', async (request) => {
      const entry = this.catalog.findPrompt(principal, request.params.name);
      return audited(
        {
          method: 'prompts/get',
          target: request.params.name,
          upstreamTarget: entry?.prompt.name,
          server: entry?.server,
          params: request.params.arguments,
        },
        () => {
          if (!entry) throw notAvailable(`Prompt not available: ${request.params.name}`);
          const timeout = entry.server.timeouts.requestMs;
          return this.upstream(principal, entry.server, bearer, (session) =>
            session.getPrompt({ name: entry.prompt.name, arguments: request.params.arguments }, { timeout }),
          );
        },
      );
    });
    mcp.server.setRequestHandler('resources/list', (request) => {
      const resources = this.catalog.servers(principal).flatMap((server) =>
        (server.approvedCapabilities?.resources ?? []).map((resource) => ({
          ...resource,
          uri: scopedUri(server.name, resource.uri),
          name: `${server.name}${FEDERATION_SEPARATOR}${resource.name}`,
        })),
      );
      const { items, nextCursor } = pageOf(resources, request.params?.cursor, this.catalog.pageSize);
      return { resources: items, ...nextCursor };
    });
    mcp.server.setRequestHandler('resources/read', async (request) => {
      const scoped = unscopeUri(request.params.uri);
      const server = scoped && this.catalog.server(principal, scoped.server);
      const result = await audited(
        {
          method: 'resources/read',
          target: request.params.uri,
          upstreamTarget: server ? scoped?.uri : undefined,
          server: server || undefined,
        },
        () => {
          if (!scoped || !server) throw notAvailable(`Resource not available: ${request.params.uri}`);
          const timeout = server.timeouts.requestMs;
          return this.upstream(principal, server, bearer, (session) =>
            session.readResource({ uri: scoped.uri }, { timeout }),
          );
        },
      );
      if (!server) return result;
      return {
        ...result,
        contents: result.contents.map((content) => ({
          ...content,
          uri: scopedUri(server.name, content.uri),
        })),
      };
    });
    return mcp;
  }

  /** Records one federated call in the audit trail with the outcome it had. */
  private async audited<T>(
    principal: Principal,
    req: Request,
    call: AuditedCall,
    work: () => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    // Recorded under the upstream's own name, as a call through /servers/{id}/mcp is: a filter by server and tool
    // finds every path to a tool.
    const tool = call.upstreamTarget ?? call.target;
    describeRequest({ serverId: call.server?.id, tool: call.method === 'tools/call' ? tool : undefined });
    const record = (outcome: Partial<AuditEventInput>) =>
      this.auditor.record({
        ...requestActor(req, principal),
        surface: 'proxy',
        action: call.method,
        tool,
        serverId: call.server?.id,
        redactKeys: call.server?.auditRedactKeys,
        params: call.params,
        outcome: 'success',
        ...outcome,
        durationMs: performance.now() - started,
      });
    try {
      const result = await work();
      record({ status: 200, outcome: (result as { isError?: unknown })?.isError ? 'error' : 'success' });
      return result;
    } catch (error) {
      // The gateway's own refusals carry their HTTP status; anything else is described as the REST API would.
      const statusCode =
        error instanceof ProtocolError
          ? (error.data as { statusCode?: number } | undefined)?.statusCode
          : undefined;
      const { status, code } =
        error instanceof ProtocolError && statusCode
          ? { status: statusCode, code: jsonRpcErrorCode(error) }
          : describeError(error);
      record({ status, errorCode: code, outcome: outcomeForStatus(status) });
      throw error;
    }
  }

  /** One call on a server's upstream session, counted in the router metrics, with upstream failures as JSON-RPC errors. */
  private async upstream<T>(
    principal: Principal,
    server: RegisteredServer,
    bearer: string | undefined,
    work: (session: UpstreamSession) => Promise<T>,
  ): Promise<T> {
    const finished = this.metrics.start(server.id);
    try {
      const result = await this.clients.with(principal, server, work, bearer);
      finished(false);
      return result;
    } catch (error) {
      finished(true);
      if (error instanceof ProtocolError) throw error;
      // An answer that is not MCP is named as the transparent relay names it; any other failure is "unavailable".
      const malformed = error instanceof ProxyError && error.code === ErrorCode.UPSTREAM_PROTOCOL_ERROR;
      throw toProtocolError(
        {
          statusCode: 502,
          code: malformed ? ErrorCode.UPSTREAM_PROTOCOL_ERROR : ErrorCode.UPSTREAM_UNAVAILABLE,
          message: `Upstream ${server.name} failed: ${(error as Error).message}`,
        },
        JSONRPC_SERVER_ERROR,
      );
    }
  }
}

const FEDERATED_CALL = 'mcp-registry-gateway/federated-call';

/** The caller of one federated request, as the per-request server factory needs it. */
interface FederatedCall {
  principal: Principal;
  req: Request;
}

interface AuditedCall {
  method: string;
  /** The name (or URI) the client asked for, federated (`{server}__{tool}`, `mcpgw://...`). */
  target: string;
  /** The same on the upstream, once resolved. */
  upstreamTarget?: string;
  server?: RegisteredServer;
  params?: unknown;
}

function notAvailable(message: string, code = ErrorCode.NOT_AVAILABLE): ProtocolError {
  return toProtocolError({ statusCode: 403, code, message }, ProtocolErrorCode.InvalidParams);
}
