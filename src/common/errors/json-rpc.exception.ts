import { type ErrorCode } from './error-codes.js';
import type { ErrorBody } from './error-body.js';
import { GatewayException } from './gateway.exception.js';
import { errorResponse, type JsonRpcId, type JsonRpcMessage, JSONRPC_SERVER_ERROR } from '../jsonrpc.js';

/** `error.data` of every JSON-RPC error the gateway answers: the REST body's code, status, correlation id, details. */
export function jsonRpcErrorData(body: ErrorBody): Record<string, unknown> {
  return {
    code: body.code,
    statusCode: body.statusCode,
    ...(body.correlationId ? { correlationId: body.correlationId } : {}),
    ...(body.details === undefined ? {} : { details: body.details }),
  };
}

/**
 * The one JSON-RPC rendering of a gateway error, for the request `id` (null when there was no single request to
 * answer). The JSON-RPC code is the implementation-defined server error unless the protocol names a better one
 * (invalid params for a refused tool call, MCP's header mismatch).
 */
export function toJsonRpcError(
  body: ErrorBody,
  id: JsonRpcId | null | undefined,
  rpcCode: number = JSONRPC_SERVER_ERROR,
): JsonRpcMessage {
  return errorResponse(id, rpcCode, body.message, jsonRpcErrorData(body));
}

/** The MCP endpoints: `/mcp`, `/servers/{id}/mcp`, `/federated/mcp`. Their errors are answered as JSON-RPC. */
export function isMcpPath(path: string): boolean {
  return /^\/(?:mcp|servers\/[^/]+\/mcp|federated\/mcp)\/?$/.test(path);
}

/** The id of the request a body carries, when it is one request; null otherwise (a batch, a notification, garbage). */
export function singleRequestId(body: unknown): string | number | null {
  const id = (body as { id?: unknown } | undefined)?.id;
  return !Array.isArray(body) && (typeof id === 'string' || typeof id === 'number') ? id : null;
}

/**
 * A GatewayException raised on a JSON-RPC endpoint (/mcp, /federated/mcp) before any MCP handler runs, in a guard:
 * MCP clients parse JSON-RPC, not the REST body, so the exception filter answers it as a JSON-RPC error carrying the
 * same code, status, correlation id and details in `error.data`, with the same HTTP status and headers.
 */
export class JsonRpcException extends GatewayException {
  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    /** The id of the request refused, when the body was a single request; null otherwise. */
    readonly requestId: string | number | null,
    details?: unknown,
    headers?: Readonly<Record<string, string>>,
  ) {
    super(status, code, message, details, headers);
  }

  toJsonRpc(body: ErrorBody): JsonRpcMessage {
    return toJsonRpcError(body, this.requestId);
  }
}
