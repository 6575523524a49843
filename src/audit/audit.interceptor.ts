import {
  type CallHandler,
  type ExecutionContext,
  HttpStatus,
  Inject,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { MCP_TOOL_METADATA_KEY, type ToolOptions } from '@rekog/mcp-nest';
import type { Request, Response } from 'express';
import { concatMap, type Observable, tap } from 'rxjs';
import type { AuthenticatedRequest } from '../common/decorators/auth.decorators.js';
import { currentRequestContext, describeRequest } from '../common/context/request-context.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { AuditDenials } from './audit-denials.js';
import type { McpCallContext } from '../common/mcp/mcp-exception.filter.js';
import { describeError, outcomeForStatus } from './audit-outcome.js';
import {
  AUDIT_ACTION,
  AUDIT_SERVER_PARAM,
  type AuditActionOptions,
  AUDITED_ELSEWHERE,
} from '../common/decorators/audit.decorators.js';
import type { AuditEventInput } from './audit.types.js';
import { Auditor, requestActor } from './auditor.js';
import { ErrorCode } from '../common/errors/error-codes.js';

type AuditedRequest = Request & AuthenticatedRequest;
const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The global audit interceptor (APP_INTERCEPTOR): every REST mutation and every route marked `@AuditAction` (HTTP
 * context), and every call of the gateway's own MCP tools, resources and prompts (mcp-nest runs them in the rpc
 * context), leaves one event with its outcome. Controllers that audit per message mark themselves
 * `@AuditedElsewhere()`. With MREG_AUDIT_FAIL_CLOSED a REST mutation, and a call of a gateway MCP tool that is not
 * read-only, is refused (503 AUDIT_UNAVAILABLE; on MCP a JSON-RPC error) while its record cannot be stored, and
 * answers only once the record is in PostgreSQL.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly auditor: Auditor,
    private readonly denials: AuditDenials,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The record of a change that succeeded: queued, or (fail-closed) stored before the answer goes out. */
  private async store(event: AuditEventInput, failClosed: boolean): Promise<void> {
    if (!failClosed) return this.auditor.record(event);
    await this.auditor
      .recordDurably(event)
      .catch(() =>
        Promise.reject(auditUnavailable('The change was made but its audit record could not be stored')),
      );
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    // MCP tool calls are observed even with audit off: the same hook feeds the call metrics.
    if (context.getType() === 'rpc') return this.mcpCall(context, next);
    if (!this.auditor.enabled) return next.handle();
    if (context.getType() !== 'http') return next.handle();
    if (
      this.reflector.getAllAndOverride<boolean>(AUDITED_ELSEWHERE, [context.getHandler(), context.getClass()])
    )
      return next.handle();
    const req = context.switchToHttp().getRequest<AuditedRequest>();
    const explicit = this.reflector.get<AuditActionOptions | undefined>(AUDIT_ACTION, context.getHandler());
    if (!explicit && READS.has(req.method)) return next.handle();
    this.denials.markHttp(req);
    return this.httpCall(context, next, req, explicit);
  }

  private httpCall(
    context: ExecutionContext,
    next: CallHandler,
    req: AuditedRequest,
    explicit: AuditActionOptions | undefined,
  ): Observable<unknown> {
    const res = context.switchToHttp().getResponse<Response>();
    const started = performance.now();
    const serverParam = this.reflector.get<string | undefined>(AUDIT_SERVER_PARAM, context.getClass());
    const surface = explicit?.surface ?? 'rest';
    const body = req.body as Record<string, unknown> | undefined;
    const base: AuditEventInput = {
      ...requestActor(req, req.principal),
      surface,
      action: explicit?.action ?? defaultAction(context),
      outcome: 'success',
      serverId: serverParam && req.params[serverParam] ? String(req.params[serverParam]) : undefined,
      params: {
        ...(Object.keys(req.params).length > 0 ? { path: req.params } : {}),
        ...(body ? { body } : {}),
      },
      bytes: Number(req.get('content-length')) || undefined,
      ...(surface === 'oauth' && typeof body?.client_id === 'string' ? { clientId: body.client_id } : {}),
    };
    const failClosed = this.config.audit.failClosed && surface === 'rest';
    if (failClosed && !this.auditor.durable)
      throw auditUnavailable('The audit trail cannot be written right now; the change was not made');
    const finish = (event: AuditEventInput) => ({
      ...described(event),
      durationMs: performance.now() - started,
    });

    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        const httpCode = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler());
        const status = res.headersSent ? res.statusCode : (httpCode ?? (req.method === 'POST' ? 201 : 200));
        await this.store(
          finish({ ...base, status, outcome: explicit?.outcome?.(req) ?? 'success' }),
          failClosed,
        );
        return value;
      }),
      tap({
        error: (error: unknown) => {
          const { status, code } = describeError(error);
          if (status === 503 && code === 'AUDIT_UNAVAILABLE') return;
          this.auditor.record(
            finish({
              ...base,
              status,
              errorCode: code,
              outcome: outcomeForStatus(status, explicit?.refusalsAreDenials),
            }),
          );
        },
      }),
    );
  }

  private mcpCall(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const ctx = context.switchToRpc().getContext<McpCallContext>();
    this.denials.markMcp(ctx);
    const started = performance.now();
    const base = this.denials.mcpEvent(ctx, context.switchToRpc().getData());
    describeRequest({ tool: base.tool, serverId: base.serverId });
    const finish = (event: Partial<AuditEventInput>): AuditEventInput => ({
      ...described({ ...base, ...event }),
      durationMs: performance.now() - started,
    });
    const failClosed = this.config.audit.failClosed && this.auditor.enabled && this.mutates(context);
    if (failClosed && !this.auditor.durable) {
      // Unlike a REST refusal this one is recorded (it goes to the spill file with the rest): every call on /mcp
      // leaves its event, and the call metrics count it. McpExceptionFilter makes it a JSON-RPC error.
      this.auditor.record(finish({ outcome: 'error', status: 503, errorCode: ErrorCode.AUDIT_UNAVAILABLE }));
      throw auditUnavailable('The audit trail cannot be written right now; the change was not made');
    }
    // mcp-nest takes the first value and unsubscribes, so `complete` may never arrive: the value is the success,
    // and with fail-closed it is passed on only once its record is stored.
    return next.handle().pipe(
      concatMap(async (value: unknown) => {
        await this.store(finish({ outcome: 'success', status: 200 }), failClosed);
        return value;
      }),
      tap({
        error: (error: unknown) => {
          const { status, code } = describeError(error);
          // The success was recorded already; only its durability failed.
          if (status === 503 && code === 'AUDIT_UNAVAILABLE') return;
          this.auditor.record(finish({ outcome: outcomeForStatus(status), status, errorCode: code }));
        },
      }),
    );
  }

  /**
   * Whether a gateway MCP call may change something, the counterpart of a non-GET route: a tool, unless its `@Tool`
   * annotations declare `readOnlyHint: true` (absent, MCP reads it as false, so a new tool is a mutation until it
   * says otherwise). Resources and prompts only read.
   */
  private mutates(context: ExecutionContext): boolean {
    const tool = this.reflector.get<ToolOptions | undefined>(MCP_TOOL_METADATA_KEY, context.getHandler());
    return tool !== undefined && tool.annotations?.readOnlyHint !== true;
  }
}

/**
 * The event as the handler came to describe it: a new server's id (registration), or the server, upstream tool and
 * outcome of a relayed request (`proxy_request`, the router), recorded in the fields a transparent call uses, with
 * the gateway's own tool or route kept as `via`.
 */
function described(event: AuditEventInput): AuditEventInput {
  const context = currentRequestContext();
  const relayed = context?.relayed;
  if (!relayed)
    return event.serverId || !context?.serverId ? event : { ...event, serverId: context.serverId };
  const params =
    event.params !== null && typeof event.params === 'object' ? event.params : { args: event.params };
  return {
    ...event,
    serverId: context.serverId,
    tool: context.tool,
    redactKeys: [...(event.redactKeys ?? []), ...relayed.redactKeys],
    params: { ...params, via: event.tool ?? event.action, method: relayed.method },
    ...(relayed.failureCode && event.outcome === 'success'
      ? { outcome: 'error' as const, errorCode: relayed.failureCode }
      : {}),
  };
}

function defaultAction(context: ExecutionContext): string {
  const controller = context.getClass().name.replace(/Controller$/, '');
  return `${controller.charAt(0).toLowerCase()}${controller.slice(1)}.${context.getHandler().name}`;
}

function auditUnavailable(message: string): GatewayException {
  return new GatewayException(
    HttpStatus.SERVICE_UNAVAILABLE,
    ErrorCode.AUDIT_UNAVAILABLE,
    message,
    undefined,
    {
      'Retry-After': '5',
    },
  );
}
