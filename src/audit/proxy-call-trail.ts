import type { Request, Response } from 'express';
import type { Principal } from '../common/principal.js';
import { describeRequest } from '../common/context/request-context.js';
import { methodOf } from '../common/jsonrpc.js';
import { describeError, jsonRpcErrorCode, outcomeForStatus } from './audit-outcome.js';
import type { AuditEventInput, AuditOutcome } from './audit.types.js';
import { type Auditor, requestActor } from './auditor.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** Proxied methods that act on the upstream's data: each gets its own audit event. */
const AUDITED_METHODS = new Set(['tools/call', 'resources/read', 'prompts/get']);

interface RpcMessage {
  id?: string | number | null;
  method?: string;
  params?: Record<string, unknown>;
  error?: { code: number; data?: unknown };
}

interface Call {
  id: string | number | undefined;
  method: string;
  target?: string;
  params: unknown;
}

/**
 * The audit of one HTTP exchange on the transparent proxy: one event per audited JSON-RPC request it carried
 * (`tools/call`, `resources/read`, `prompts/get`, and DELETE of a session), each with the outcome its own response
 * had, as seen by the relay. A refusal or failure of the whole exchange applies to each of its calls.
 */
export class ProxyCallTrail {
  private readonly started = performance.now();
  private readonly calls: Call[];
  private readonly errors = new Map<string | number, string>();
  private readonly answered = new Set<string | number>();
  private failure?: { status: number; code: string };
  /** A GET with Last-Event-ID: the stream resumes one this or another replica closed (e.g. at its shutdown). */
  private readonly resuming: boolean;
  private refusal?: string;
  private serverId: string;
  private redactKeys: readonly string[] = [];

  constructor(
    private readonly auditor: Auditor,
    private readonly principal: Principal,
    private readonly req: Request,
    serverId: string,
  ) {
    this.serverId = serverId;
    this.calls =
      req.method === 'DELETE'
        ? [{ id: undefined, method: 'session/terminate', params: undefined }]
        : auditedCalls(req.body);
    this.resuming = req.method === 'GET' && req.get('last-event-id') !== undefined;
  }

  /** Nothing to record: the exchange carried no audited call (saves all the work on list/ping/notifications). */
  get idle(): boolean {
    return this.calls.length === 0;
  }

  server(server: { id: string; auditRedactKeys: readonly string[] }): void {
    this.serverId = server.id;
    this.redactKeys = server.auditRedactKeys;
    describeRequest({
      serverId: server.id,
      tool: this.calls.find((call) => call.method === 'tools/call')?.target,
    });
  }

  refused(code: string): void {
    this.refusal = code;
  }

  failed(error: unknown): void {
    this.failure = describeError(error);
  }

  /** Called by the relay for every message coming back. */
  readonly observe = (message: RpcMessage): void => {
    if (message.method !== undefined || message.id === undefined || message.id === null) return;
    this.answered.add(message.id);
    if (message.error) this.errors.set(message.id, jsonRpcErrorCode(message.error));
  };

  finish(res: Response): void {
    if (this.resuming && this.answered.size > 0) this.finishResumed(res);
    if (this.idle) return this.finishRefusal();
    const base: AuditEventInput = {
      ...requestActor(this.req, this.principal),
      surface: 'proxy',
      action: '',
      outcome: 'success',
      serverId: this.serverId,
      redactKeys: this.redactKeys,
      durationMs: performance.now() - this.started,
      bytes: Number(this.req.get('content-length')) || undefined,
    };
    for (const call of this.calls) {
      this.auditor.record({
        ...base,
        ...this.outcomeOf(call, res.statusCode),
        action: call.method,
        tool: call.target,
        params: call.params,
      });
    }
  }

  /**
   * Answers relayed on a resumed stream: the calls they answer were recorded where they started (as
   * STREAM_HANDED_OFF when a replica handed them over at its shutdown); this says how each ended, by JSON-RPC id, in
   * the same session.
   */
  private finishResumed(res: Response): void {
    for (const id of this.answered) {
      const errorCode = this.errors.get(id);
      this.auditor.record({
        ...requestActor(this.req, this.principal),
        surface: 'proxy',
        action: 'stream/resumed',
        outcome: errorCode ? 'error' : 'success',
        serverId: this.serverId,
        status: res.statusCode,
        errorCode,
        params: { id },
        durationMs: performance.now() - this.started,
      });
    }
  }

  /** An exchange with no audited call is recorded only when it was refused (401, 403, 429): every refusal leaves a trace. */
  private finishRefusal(): void {
    if (!this.failure || outcomeForStatus(this.failure.status) !== 'denied') return;
    this.auditor.record({
      ...requestActor(this.req, this.principal),
      surface: 'proxy',
      action: methodOf(this.req.body, this.req.method),
      outcome: 'denied',
      serverId: this.serverId,
      status: this.failure.status,
      errorCode: this.failure.code,
      durationMs: performance.now() - this.started,
    });
  }

  private outcomeOf(
    call: Call,
    httpStatus: number,
  ): { outcome: AuditOutcome; status: number; errorCode?: string } {
    if (this.refusal) return { outcome: 'denied', status: 403, errorCode: this.refusal };
    if (this.failure)
      return {
        outcome: outcomeForStatus(this.failure.status),
        ...this.failure,
        errorCode: this.failure.code,
      };
    const error = call.id === undefined ? undefined : this.errors.get(call.id);
    if (error) return { outcome: 'error', status: httpStatus, errorCode: error };
    if (httpStatus >= 400) return { outcome: outcomeForStatus(httpStatus), status: httpStatus };
    if (call.id !== undefined && !this.answered.has(call.id) && this.answered.size > 0) {
      return { outcome: 'error', status: httpStatus, errorCode: ErrorCode.NO_RESPONSE };
    }
    return { outcome: 'success', status: httpStatus };
  }
}

function auditedCalls(body: unknown): Call[] {
  const messages = (Array.isArray(body) ? body : [body]) as RpcMessage[];
  const calls: Call[] = [];
  for (const message of messages) {
    if (typeof message?.method !== 'string' || !AUDITED_METHODS.has(message.method)) continue;
    const params = message.params ?? {};
    const target = message.method === 'resources/read' ? params.uri : params.name;
    calls.push({
      id: message.id ?? undefined,
      method: message.method,
      target: typeof target === 'string' ? target : undefined,
      params: message.method === 'resources/read' ? undefined : (params.arguments ?? undefined),
    });
  }
  return calls;
}
