import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import type { AuthenticatedRequest } from '../common/decorators/auth.decorators.js';
import { firstMessage, methodOf, toolName } from '../common/jsonrpc.js';
import { type McpCallContext, McpRefusalObserver } from '../common/mcp/mcp-exception.filter.js';
import { outcomeForStatus } from './audit-outcome.js';
import type { AuditEventInput, AuditSurface } from './audit.types.js';
import { Auditor, requestActor } from './auditor.js';

type AuditedRequest = Request & AuthenticatedRequest;

const MAX_ACTION = 200;

/**
 * Refusals that happen before the audit interceptor runs (guards: authentication, roles, throttling), reported by
 * the exception filters. A request the interceptor already recorded is not recorded twice; only refusals
 * (401, 403, 429) are recorded here, so a 404 on a read leaves no event.
 */
@Injectable()
export class AuditDenials implements McpRefusalObserver {
  private readonly recorded = new WeakSet<object>();

  constructor(private readonly auditor: Auditor) {}

  markHttp(req: Request): void {
    this.recorded.add(req);
  }

  markMcp(ctx: McpCallContext): void {
    this.recorded.add(ctx);
  }

  /** The event of one MCP tool, resource or prompt call on the gateway's own `/mcp`. */
  mcpEvent(ctx: McpCallContext, args: unknown): AuditEventInput {
    const req = ctx.getRawRequest?.();
    const method = ctx.mcpRequest?.method ?? 'unknown';
    const params = ctx.mcpRequest?.params;
    const target =
      typeof params?.name === 'string'
        ? params.name
        : typeof params?.uri === 'string'
          ? params.uri
          : undefined;
    const record = (args ?? {}) as Record<string, unknown>;
    const serverId = [record.server_id, record.serverId, record.id].find(
      (value) => typeof value === 'string',
    );
    return {
      ...requestActor(req, req?.principal),
      surface: 'mcp',
      action: method,
      tool: target,
      serverId: serverId,
      params: args,
      outcome: 'success',
    };
  }

  onHttpError(req: AuditedRequest, status: number, code: string): void {
    if (this.recorded.has(req) || outcomeForStatus(status) !== 'denied') return;
    this.recorded.add(req);
    const surface = surfaceOf(req.path);
    const method = methodOf(req.body, '');
    const route = (req.route as { path?: unknown } | undefined)?.path;
    this.auditor.record({
      ...requestActor(req, req.principal),
      surface,
      action:
        method ||
        `${req.method} ${typeof route === 'string' ? `${req.baseUrl}${route}` : req.path}`.slice(
          0,
          MAX_ACTION,
        ),
      tool: method === 'tools/call' ? toolName(firstMessage(req.body)) || undefined : undefined,
      serverId: typeof req.params?.serverId === 'string' ? req.params.serverId : undefined,
      outcome: 'denied',
      status,
      errorCode: code,
    });
  }

  onMcpError(ctx: McpCallContext, status: number, code: string): void {
    if (this.recorded.has(ctx) || outcomeForStatus(status) !== 'denied') return;
    this.recorded.add(ctx);
    this.auditor.record({ ...this.mcpEvent(ctx, undefined), outcome: 'denied', status, errorCode: code });
  }
}

function surfaceOf(path: string): AuditSurface {
  if (path.startsWith('/servers/') || path.startsWith('/federated/')) return 'proxy';
  if (path === '/mcp' || path.startsWith('/mcp/')) return 'mcp';
  if (path.startsWith('/oauth/') || path.startsWith('/.well-known/')) return 'oauth';
  return 'rest';
}
