import {
  applyDecorators,
  type ArgumentsHost,
  Catch,
  HttpException,
  Logger,
  Optional,
  type RpcExceptionFilter,
  UseFilters,
} from '@nestjs/common';
import { ProtocolError, ProtocolErrorCode } from '@modelcontextprotocol/server';
import { McpController } from '@rekog/mcp-nest';
import { type Observable, throwError } from 'rxjs';
import { type ErrorBody, toErrorBody } from '../errors/error-body.js';
import { jsonRpcErrorData } from '../errors/json-rpc.exception.js';
import { currentRequestContext } from '../context/request-context.js';
import type { Request } from 'express';
import type { AuthenticatedRequest } from '../decorators/auth.decorators.js';
import { JSONRPC_SERVER_ERROR } from '../jsonrpc.js';

/** What mcp-nest hands a tool in the rpc context (McpContext): the JSON-RPC request and the HTTP request. */
export interface McpCallContext {
  mcpRequest?: { method?: string; params?: { name?: unknown; uri?: unknown } };
  getRawRequest?: () => (Request & AuthenticatedRequest) | undefined;
}

/**
 * Told of every refusal an MCP tool call meets before it runs (roles, throttling): the audit trail records them.
 * A port, so that this filter (used by every feature's tools) depends on no feature; the audit module provides it.
 */
export abstract class McpRefusalObserver {
  abstract onMcpError(ctx: McpCallContext, status: number, code: string): void;
}

/** JSON-RPC error code for an HTTP status; the stable gateway code travels in `error.data.code`. */
function jsonRpcCode(status: number): number {
  if (status === 400 || status === 422) return ProtocolErrorCode.InvalidParams;
  if (status >= 500) return ProtocolErrorCode.InternalError;
  // Implementation-defined server error (JSON-RPC 2.0 §5.1); data.code says which.
  return JSONRPC_SERVER_ERROR;
}

/**
 * A gateway error as the SDK's ProtocolError, for handlers the SDK serves: the JSON-RPC rendering's `error.data`
 * (`jsonRpcErrorData`), with the JSON-RPC code its status means unless the caller names one.
 */
export function toProtocolError(body: ErrorBody, rpcCode = jsonRpcCode(body.statusCode)): ProtocolError {
  return new ProtocolError(rpcCode, body.message, jsonRpcErrorData(body));
}

/**
 * Turns an error thrown by one of our MCP tools into a JSON-RPC error carrying the same stable code and status as
 * the REST API would (`error.data = { code, statusCode, correlationId }`). Unexpected errors reveal nothing.
 */
@Catch()
export class McpExceptionFilter implements RpcExceptionFilter {
  private readonly logger = new Logger('McpTools');

  constructor(@Optional() private readonly denials?: McpRefusalObserver) {}

  catch(exception: unknown, host: ArgumentsHost): Observable<never> {
    if (exception instanceof ProtocolError) return throwError(() => exception);
    const body = toErrorBody(exception, currentRequestContext()?.correlationId);
    // Refusals by guards (roles, throttling) never reached the audit interceptor: record them here.
    this.denials?.onMcpError(host.switchToRpc().getContext<McpCallContext>(), body.statusCode, body.code);
    if (body.statusCode >= 500 && !(exception instanceof HttpException)) {
      this.logger.error(exception instanceof Error ? exception : String(exception));
    }
    return throwError(() => toProtocolError(body));
  }
}

/** An `@McpController` whose errors reach clients as JSON-RPC errors with the gateway's stable codes. */
export const GatewayMcpTools = (): ClassDecorator =>
  applyDecorators(McpController(), UseFilters(McpExceptionFilter));
