import { setMaxListeners } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  type CallToolResult,
  type GetPromptResult,
  ProtocolErrorCode,
  type ReadResourceResult,
  SUPPORTED_PROTOCOL_VERSIONS,
} from '@modelcontextprotocol/server';
import { ErrorCode } from '../../common/errors/error-codes.js';
import { errorResponse, type JsonRpcMessage } from '../../common/jsonrpc.js';
import { GATEWAY_VERSION } from '../../common/version.js';
import type { RegisteredServer, ServerEndpoint } from '../../registry/index.js';
import { ProxyError } from '../proxy.errors.js';
import { readBounded } from '../response-relay.js';
import type { UpstreamAnswer, UpstreamCaller } from '../upstream-caller.js';
import { headerValue } from '../upstream-responses.js';
import { responseTo, StreamCut } from './upstream-answer.js';
import { promptResult, resourceResult, resultOf, toolResult } from './upstream-results.js';

/** One MCP session with an upstream, as the federated endpoint uses it. */
export interface UpstreamSession {
  callTool(
    params: { name: string; arguments: Record<string, unknown> },
    options: { timeout: number },
  ): Promise<CallToolResult>;
  getPrompt(
    params: { name: string; arguments?: Record<string, string> },
    options: { timeout: number },
  ): Promise<GetPromptResult>;
  readResource(params: { uri: string }, options: { timeout: number }): Promise<ReadResourceResult>;
  /** Ends the session upstream (DELETE) and whatever is still in flight on it. */
  close(): Promise<void>;
}

/** Where a session goes and with which credentials (evaluated per request: on-behalf-of tokens expire). */
export interface UpstreamLink {
  caller: UpstreamCaller;
  server: RegisteredServer;
  endpoint: ServerEndpoint;
  /** The upstream's credentials alone (the legacy SSE transport adds its own protocol headers). */
  credentials: () => Promise<Record<string, string>>;
  /**
   * Every header of a request, as the transparent relay builds them (`UpstreamHeaders.build`): user agent, protocol
   * headers, `extra`, identity headers where the server asks for them, the credentials last.
   */
  headers: (
    protocol: { protocolVersion?: string; upstreamSessionId?: string },
    extra: Record<string, string>,
  ) => Promise<Record<string, string>>;
}

/** The 2025 revisions, newest first: offered and accepted in `initialize`, as the SDK client did. */
const HANDSHAKE_VERSIONS = SUPPORTED_PROTOCOL_VERSIONS.filter((version) => version < '2026-07-28');
const CLIENT_INFO = { name: 'mcp-registry-gateway', version: GATEWAY_VERSION };
/** Resumptions of one call's stream (Last-Event-ID) before it fails: a server that keeps cutting is broken. */
const MAX_RESUMES = 5;
/** The wait before resuming when the server gave no `retry:` (the SDK client's initial reconnection delay). */
const DEFAULT_RESUME_DELAY_MS = 1_000;
/** Requests one session may have in flight before Node warns about listeners on its shared abort signal. */
const CONCURRENT_REQUESTS_PER_SESSION = 1_000;

/**
 * A streamable-HTTP session over the transparent relay's own upstream layer (UpstreamCaller: pool, breaker,
 * deadline), without a second SDK client: a federated call costs one POST, its answer read as JSON or up to its
 * response on the SSE stream. The upstream ending the session (404) is met by initializing again, once, and resending.
 */
export class HttpUpstreamSession implements UpstreamSession {
  private sessionId?: string;
  private protocolVersion?: string;
  private nextId = 0;
  /** A new handshake under way, which every call that found the old session gone waits for. */
  private reopening?: Promise<void>;
  private readonly closed = new AbortController();

  private constructor(private readonly link: UpstreamLink) {
    setMaxListeners(CONCURRENT_REQUESTS_PER_SESSION, this.closed.signal);
  }

  static async open(link: UpstreamLink): Promise<HttpUpstreamSession> {
    const session = new HttpUpstreamSession(link);
    await session.initialize();
    return session;
  }

  async callTool(
    params: { name: string; arguments: Record<string, unknown> },
    { timeout }: { timeout: number },
  ): Promise<CallToolResult> {
    return toolResult(await this.request('tools/call', params, timeout));
  }

  async getPrompt(
    params: { name: string; arguments?: Record<string, string> },
    { timeout }: { timeout: number },
  ): Promise<GetPromptResult> {
    return promptResult(await this.request('prompts/get', params, timeout));
  }

  async readResource(params: { uri: string }, { timeout }: { timeout: number }): Promise<ReadResourceResult> {
    return resourceResult(await this.request('resources/read', params, timeout));
  }

  async close(): Promise<void> {
    const sessionId = this.sessionId;
    try {
      if (sessionId !== undefined) {
        const answer = await this.call(
          'DELETE',
          this.link.server.timeouts.requestMs,
          await this.headers(sessionId),
        );
        await answer.response.body.dump();
      }
    } catch {
      // The upstream expires a session it is not told about; closing goes on.
    } finally {
      this.closed.abort();
    }
  }

  private async request(method: string, params: object, timeoutMs: number): Promise<Record<string, unknown>> {
    // Not on the session that is being replaced, nor on the new one before its handshake is done.
    if (this.reopening) await this.reopening;
    try {
      return await this.exchange(method, params, timeoutMs);
    } catch (error) {
      if (!(error instanceof SessionExpired)) throw error;
      await this.reopen(error.sessionId);
      return this.exchange(method, params, timeoutMs);
    }
  }

  private reopen(expired: string): Promise<void> {
    if (this.reopening) return this.reopening;
    if (this.sessionId !== expired) return Promise.resolve();
    this.reopening = this.initialize().finally(() => (this.reopening = undefined));
    return this.reopening;
  }

  private async initialize(): Promise<void> {
    const result = await this.exchange(
      'initialize',
      { protocolVersion: HANDSHAKE_VERSIONS[0], capabilities: {}, clientInfo: CLIENT_INFO },
      this.link.server.timeouts.requestMs,
      (answer) => (this.sessionId = headerValue(answer.response.headers['mcp-session-id'])),
    );
    const version = result.protocolVersion;
    if (typeof version !== 'string' || !HANDSHAKE_VERSIONS.includes(version))
      throw new Error(`Server's protocol version is not supported: ${String(version)}`);
    this.protocolVersion = version;
    await this.notify('notifications/initialized');
  }

  /** One request and its response; `answered` sees the HTTP answer first (the handshake reads its session id). */
  private async exchange(
    method: string,
    params: object,
    timeoutMs: number,
    answered?: (answer: UpstreamAnswer) => void,
  ): Promise<Record<string, unknown>> {
    const id = this.nextId++;
    const deadline = Date.now() + timeoutMs;
    try {
      let answer = await this.post({ jsonrpc: '2.0', id, method, params } as JsonRpcMessage, timeoutMs);
      answered?.(answer);
      for (let resumes = 0; ; resumes++) {
        try {
          const response = await responseTo(id, answer, this.link.caller.maxResponseBytes, (message) =>
            this.aside(message),
          );
          return resultOf(method, response);
        } catch (error) {
          if (!(error instanceof StreamCut) || resumes >= MAX_RESUMES) throw error;
          answer = await this.resume(error, deadline);
        }
      }
    } catch (error) {
      if (!(error instanceof ProxyError && error.code === ErrorCode.UPSTREAM_TIMEOUT)) throw error;
      // As the SDK client did: the upstream may stop the work, and the caller hears "Request timed out".
      if (method !== 'initialize')
        this.notifyQuietly('notifications/cancelled', { requestId: id, reason: TIMED_OUT });
      throw new RequestTimedOut();
    }
  }

  /**
   * Reopens a cut stream with Last-Event-ID after the server's `retry:` (the SDK client's way), within the call's own
   * deadline: the server replays what followed that event, the response included.
   */
  private async resume(cut: StreamCut, deadline: number): Promise<UpstreamAnswer> {
    const wait = Math.min(cut.retryMs ?? DEFAULT_RESUME_DELAY_MS, Math.max(0, deadline - Date.now()));
    await sleep(wait, undefined, { signal: this.closed.signal });
    const remaining = deadline - Date.now();
    if (remaining <= 0)
      throw new ProxyError(504, ErrorCode.UPSTREAM_TIMEOUT, 'The upstream did not answer in time');
    const sessionId = this.sessionId;
    const headers = await this.headers(sessionId, false, {
      accept: 'text/event-stream',
      'last-event-id': cut.lastEventId,
    });
    const answer = await this.call('GET', remaining, headers);
    const { statusCode, body } = answer.response;
    if (statusCode >= 200 && statusCode < 300) return answer;
    await body.dump();
    throw new Error(`Resuming the stream failed: HTTP ${statusCode}`);
  }

  /**
   * What the stream carries besides the response: notifications are dropped, as the SDK client (no handlers) dropped
   * them; a request to the client gets the answer the SDK client gave (ping, else "Method not found"), so the upstream
   * is not left waiting on it.
   */
  private aside(message: JsonRpcMessage): void {
    if (message.method === undefined || message.id === undefined || message.id === null) return;
    this.sendQuietly(
      message.method === 'ping'
        ? { jsonrpc: '2.0', id: message.id, result: {} }
        : errorResponse(message.id, ProtocolErrorCode.MethodNotFound, 'Method not found'),
    );
  }

  private async notify(method: string, params?: object): Promise<void> {
    const answer = await this.post({
      jsonrpc: '2.0',
      method,
      ...(params ? { params } : {}),
    } as JsonRpcMessage);
    await answer.response.body.dump();
  }

  private notifyQuietly(method: string, params: object): void {
    this.notify(method, params).catch(() => undefined);
  }

  private sendQuietly(message: JsonRpcMessage): void {
    this.post(message)
      .then((answer) => answer.response.body.dump())
      .catch(() => undefined);
  }

  /** A POST within the session; an answer other than 2xx is an error, and a 404 on the session says it is gone. */
  private async post(
    message: JsonRpcMessage,
    timeoutMs = this.link.server.timeouts.requestMs,
  ): Promise<UpstreamAnswer> {
    const handshake = message.method === 'initialize';
    const sessionId = handshake ? undefined : this.sessionId;
    const headers = await this.headers(sessionId, handshake, {
      accept: 'application/json, text/event-stream',
      'content-type': 'application/json',
    });
    const answer = await this.call('POST', timeoutMs, headers, JSON.stringify(message));
    const { statusCode, body } = answer.response;
    if (statusCode >= 200 && statusCode < 300) return answer;
    if (statusCode === 404 && sessionId !== undefined) {
      await body.dump();
      throw new SessionExpired(sessionId);
    }
    // The SDK client's wording, which the client has seen so far (after "Upstream {name} failed: ").
    const text = await readBounded(body, this.link.caller.maxResponseBytes).catch(() => '');
    throw new Error(`Error POSTing to endpoint: ${text}`);
  }

  private async headers(
    sessionId: string | undefined,
    handshake = false,
    extra: Record<string, string> = {},
  ): Promise<Record<string, string>> {
    return this.link.headers(
      { upstreamSessionId: sessionId, protocolVersion: handshake ? undefined : this.protocolVersion },
      extra,
    );
  }

  private call(
    method: 'GET' | 'POST' | 'DELETE',
    timeoutMs: number,
    headers: Record<string, string>,
    body?: string,
  ): Promise<UpstreamAnswer> {
    const { caller, server, endpoint } = this.link;
    return caller.call({
      endpoint,
      server,
      retryable: false,
      timeoutMs,
      // Closing the session (idle, evicted, shutdown) ends what is still in flight on it, as closing the SDK client did.
      signal: this.closed.signal,
      request: { method, headers, body, bodyTimeoutMs: timeoutMs },
    });
  }
}

const TIMED_OUT = 'Request timed out';

/** A call's deadline passed: the session itself is fine (UpstreamClients keeps it). */
export class RequestTimedOut extends Error {
  readonly code = 'REQUEST_TIMEOUT';

  constructor() {
    super(TIMED_OUT);
  }
}

/** The upstream answered 404 to a request in session `sessionId`: it ended (or forgot) the session. */
class SessionExpired extends Error {
  constructor(readonly sessionId: string) {
    super('The upstream ended the session');
  }
}
