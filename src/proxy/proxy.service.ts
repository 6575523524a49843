import { Inject, Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Principal } from '../common/principal.js';
import { Auditor, ProxyCallTrail } from '../audit/index.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { inServerSpan } from '../observability/tracing.js';
import { OpenStreams } from '../observability/open-streams.js';
import {
  canSee,
  type RegisteredServer,
  RegistryCache,
  serverNotFound,
  ToolPolicy,
} from '../registry/index.js';
import { ProxyRateLimits } from './proxy-rate-limits.js';
import { EndpointSelector } from './endpoint-selector.js';
import { isRequest, type JsonRpcMessage, methodOf, parseIncoming } from '../common/jsonrpc.js';
import { refuseDisallowedCalls, resolveTaskHandles } from './inbound-policy.js';
import { TaskHandles } from './task-handles.js';
import { mirroredHeaders } from './protocol-headers.js';
import { ProxyError } from './proxy.errors.js';
import { sendRefusal } from './proxy-error-response.js';
import { SessionActivity } from './session-activity.js';
import { StreamLimits } from './stream-limits.js';
import { type ProxySession, SessionTokens } from './session-token.js';
import { RouterMetrics } from './router-metrics.js';
import { isRetryable, timeoutFor } from './request-traits.js';
import { bearerOf, UpstreamHeaders, type UpstreamUser } from './upstream-headers.js';
import { UpstreamCaller } from './upstream-caller.js';
import { headerValue, UpstreamResponses } from './upstream-responses.js';
import { writeJson } from './response-relay.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { ApprovedToolLists, type ListAnswer } from './approved-tool-list.js';

/**
 * The transparent proxy behind `/servers/{id}/mcp`: policy on the way in, a sealed session, an endpoint chosen
 * among healthy ones, the upstream's own credentials (never the caller's token), and the response relayed as JSON or
 * event by event, with `tools/list` filtered to what the caller may call.
 */
@Injectable()
export class ProxyService {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly cache: RegistryCache,
    private readonly sessions: SessionTokens,
    private readonly selector: EndpointSelector,
    private readonly caller: UpstreamCaller,
    private readonly headers: UpstreamHeaders,
    private readonly responses: UpstreamResponses,
    private readonly metrics: RouterMetrics,
    private readonly rateLimits: ProxyRateLimits,
    private readonly auditor: Auditor,
    private readonly activity: SessionActivity,
    private readonly streamLimits: StreamLimits,
    private readonly openStreams: OpenStreams,
    private readonly tasks: TaskHandles,
    private readonly toolLists: ApprovedToolLists,
  ) {}

  /** The server as the caller may use it, from the in-memory registry (no database round trip). */
  serverFor(principal: Principal, serverId: string): RegisteredServer {
    const server = this.cache.get(serverId);
    if (!server || !canSee(principal, server)) throw serverNotFound();
    if (server.status === 'maintenance') {
      throw new ProxyError(503, ErrorCode.SERVER_UNAVAILABLE, 'The server is in maintenance');
    }
    return server;
  }

  handle(principal: Principal, serverId: string, req: Request, res: Response): Promise<void> {
    const method = methodOf(req.body, req.method);
    return inServerSpan(
      'mcp.proxy',
      req.headers,
      { 'mcp.server.id': serverId, 'rpc.method': method },
      async (span) => {
        const trail = new ProxyCallTrail(this.auditor, principal, req, serverId);
        try {
          await this.handleAudited(principal, serverId, req, res, trail);
          span.setAttribute('http.response.status_code', res.statusCode);
        } catch (error) {
          trail.failed(error);
          throw error;
        } finally {
          trail.finish(res);
        }
      },
    );
  }

  private async handleAudited(
    principal: Principal,
    serverId: string,
    req: Request,
    res: Response,
    trail: ProxyCallTrail,
  ): Promise<void> {
    const server = this.serverFor(principal, serverId);
    trail.server(server);
    // docs/architecture.md, step 2: throttled after the lookup (unknown servers are 404, not counted), before the rest.
    await this.rateLimits.admitServer(principal, server, req, res);
    if (server.transport === 'sse') {
      // A legacy SSE session lives on one upstream stream held by one process; relaying it transparently would
      // need sticky routing. Its tools are served through /federated/mcp and proxy_request instead (ADR 0007).
      throw new ProxyError(
        501,
        ErrorCode.TRANSPORT_NOT_SUPPORTED,
        'This server speaks legacy HTTP+SSE: use /federated/mcp or proxy_request for it',
      );
    }
    const finished = this.metrics.start(server.id);
    try {
      await this.dispatch(principal, server, req, res, trail);
      finished(res.statusCode >= 500);
    } catch (error) {
      finished(true);
      throw error;
    }
  }

  private async dispatch(
    principal: Principal,
    server: RegisteredServer,
    req: Request,
    res: Response,
    trail: ProxyCallTrail,
  ): Promise<void> {
    const sessionId = req.get('mcp-session-id');
    const session = sessionId ? this.sessions.open(sessionId, principal, server.id) : undefined;
    if (session && sessionId) await this.activity.touch(sessionId, session);
    switch (req.method) {
      case 'POST':
        return this.post(principal, server, session, sessionId, req, res, trail);
      case 'GET':
        return this.openStream(principal, server, session, sessionId, req, res, trail);
      case 'DELETE':
        return this.terminate(principal, server, session, req, res);
      default:
        throw new ProxyError(405, ErrorCode.INVALID_JSONRPC, 'Use POST, GET or DELETE');
    }
  }

  private async post(
    principal: Principal,
    server: RegisteredServer,
    session: ProxySession | undefined,
    sessionId: string | undefined,
    req: Request,
    res: Response,
    trail: ProxyCallTrail,
  ): Promise<void> {
    const messages = parseIncoming(req.body);
    if (!messages) throw new ProxyError(400, ErrorCode.INVALID_JSONRPC, 'The body is not a JSON-RPC message');
    // Headers that would say something other than the body are refused before any policy reads the body.
    const mirrored = mirroredHeaders(req.headers, messages);
    if (!mirrored.ok) {
      trail.refused(mirrored.code);
      res.status(mirrored.status).json(mirrored.body);
      return;
    }
    const policy = new ToolPolicy(server, principal);
    const tasks = this.tasks.forCaller(principal, server.id);
    const resolved = refuseDisallowedCalls(messages, policy) ?? resolveTaskHandles(messages, tasks);
    if (!('messages' in resolved)) {
      trail.refused(resolved.code);
      return sendRefusal(res, resolved, sessionId);
    }
    const listed = this.listedLocally(principal, server, messages, req);
    if (listed !== undefined) {
      return writeJson(res, 200, listed.body, sessionId, {
        ...(listed.gzip ? { 'content-encoding': 'gzip' } : {}),
        vary: 'accept-encoding',
      });
    }
    // Re-serialised only when a task handle was turned back into the upstream's id.
    const forwarded: unknown = resolved.messages.some((message, index) => message !== messages[index])
      ? Array.isArray(req.body)
        ? resolved.messages
        : resolved.messages[0]
      : req.body;

    const initialize = messages.some((message) => message.method === 'initialize');
    const endpoint = this.selector.endpointFor(server, session, principal);
    const timeoutMs = timeoutFor(server, messages);
    const retryable = !session && messages.every((message) => isRetryable(message, policy));
    const response = await this.caller.call({
      endpoint,
      server,
      retryable,
      timeoutMs,
      request: {
        method: 'POST',
        headers: await this.headers.build(
          server,
          this.protocolOf(req, session),
          { 'content-type': 'application/json', ...mirrored.headers },
          this.userOf(principal, req),
        ),
        body: JSON.stringify(forwarded),
        bodyTimeoutMs: timeoutMs,
      },
      res,
    });
    const sealed =
      initialize && response.response.statusCode < 300
        ? this.sessions.seal({
            upstreamSessionId: headerValue(response.response.headers['mcp-session-id']),
            serverId: server.id,
            endpointUrl: response.endpointUrl,
            tenantId: principal.tenantId,
            oid: principal.oid,
            issuedAt: Date.now(),
          })
        : sessionId;
    const pendingIds = new Set(messages.filter(isRequest).map((m) => m.id as string | number));
    await this.responses.relay(
      { principal, serverId: server.id },
      response.response,
      {
        res,
        policy,
        tasks,
        sessionId: sealed,
        maxBytes: this.maxBytes,
        pendingIds,
        signal: response.signal,
        observe: trail.observe,
      },
      session,
    );
  }

  private async openStream(
    principal: Principal,
    server: RegisteredServer,
    session: ProxySession | undefined,
    sessionId: string | undefined,
    req: Request,
    res: Response,
    trail: ProxyCallTrail,
  ): Promise<void> {
    const endpoint = this.selector.endpointFor(server, session, principal);
    const lastEventId = req.get('last-event-id');
    // The user's stream slot is taken before anything goes upstream: over the limit, no upstream stream is opened.
    // How shutdown closes it is known once the upstream answers with a stream (the relay says).
    const held = this.openStreams.open({ claim: this.streamLimits.claimFor(principal, server.id) });
    let response;
    try {
      response = await this.caller.call({
        endpoint,
        server,
        tenantId: principal.tenantId,
        retryable: false,
        // The standalone stream lives as long as the client keeps it open.
        timeoutMs: 0,
        request: {
          method: 'GET',
          headers: await this.headers.build(
            server,
            this.protocolOf(req, session),
            lastEventId ? { 'last-event-id': lastEventId } : {},
            this.userOf(principal, req),
          ),
          bodyTimeoutMs: 0,
        },
        res,
      });
    } catch (error) {
      held.release();
      throw error;
    }
    const policy = new ToolPolicy(server, principal);
    await this.responses.relay(
      { principal, serverId: server.id, held },
      response.response,
      {
        res,
        policy,
        tasks: this.tasks.forCaller(principal, server.id),
        sessionId,
        maxBytes: this.maxBytes,
        pendingIds: new Set(),
        signal: response.signal,
        // A resumed stream may carry answers to calls another replica relayed: the trail records how they ended.
        observe: trail.observe,
      },
      session,
    );
  }

  private async terminate(
    principal: Principal,
    server: RegisteredServer,
    session: ProxySession | undefined,
    req: Request,
    res: Response,
  ) {
    if (!session) throw new ProxyError(400, ErrorCode.SESSION_NOT_FOUND, 'DELETE needs an Mcp-Session-Id');
    const endpoint = server.endpoints.find((candidate) => candidate.url === session.endpointUrl);
    if (!endpoint || !session.upstreamSessionId) {
      res.status(204).end();
      return;
    }
    const response = await this.caller.call({
      endpoint,
      server,
      retryable: false,
      timeoutMs: server.timeouts.requestMs,
      request: {
        method: 'DELETE',
        headers: await this.headers.build(
          server,
          this.protocolOf(req, session),
          {},
          this.userOf(principal, req),
        ),
        bodyTimeoutMs: 5_000,
      },
      res,
    });
    await response.response.body.dump();
    if (response.response.statusCode < 300) await this.activity.end(req.get('mcp-session-id') ?? '');
    res.status(response.response.statusCode === 404 ? 404 : response.response.statusCode).end();
  }

  /** A lone `tools/list` the registry can answer (ApprovedToolLists), unless configured to ask the upstream. */
  private listedLocally(
    principal: Principal,
    server: RegisteredServer,
    messages: JsonRpcMessage[],
    req: Request,
  ): ListAnswer | undefined {
    if (messages.length !== 1 || !this.config.proxy.toolListsFromRegistry) return undefined;
    const [message] = messages;
    const revision = req.get('mcp-protocol-version');
    return this.toolLists.answer(server, principal, message, revision, req.get('accept-encoding'));
  }

  private userOf(principal: Principal, req: Request): UpstreamUser {
    return { principal, bearer: bearerOf(req.get('authorization')) };
  }

  private protocolOf(req: Request, session: ProxySession | undefined) {
    return {
      accept: req.get('accept'),
      protocolVersion: req.get('mcp-protocol-version'),
      upstreamSessionId: session?.upstreamSessionId,
    };
  }

  private get maxBytes(): number {
    return this.config.proxy.maxEventBytes;
  }
}
