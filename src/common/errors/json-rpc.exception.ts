import type { ErrorBody } from './error-body.js';
import { GatewayException } from './gateway.exception.js';

/** Implementation-defined server error (JSON-RPC 2.0 §5.1); `error.data.code` carries the gateway's stable code. */
const JSONRPC_SERVER_ERROR = -32000;

export interface JsonRpcErrorBody {
  jsonrpc: '2.0';
  id: string | number | null;
  error: { code: number; message: string; data: Record<string, unknown> };
}

/**
 * A GatewayException raised on a JSON-RPC endpoint (/mcp, /federated/mcp) before any MCP handler runs, in a guard:
 * MCP clients parse JSON-RPC, not the REST body, so the exception filter answers it as a JSON-RPC error carrying the
 * same code, status, correlation id and details in `error.data`, with the same HTTP status and headers.
 */
export class JsonRpcException extends GatewayException {
  constructor(
    status: number,
    code: string,
    message: string,
    /** The id of the request refused, when the body was a single request; null otherwise. */
    readonly requestId: string | number | null,
    details?: unknown,
    headers?: Readonly<Record<string, string>>,
  ) {
    super(status, code, message, details, headers);
  }

  toJsonRpc(body: ErrorBody): JsonRpcErrorBody {
    return {
      jsonrpc: '2.0',
      id: this.requestId,
      error: {
        code: JSONRPC_SERVER_ERROR,
        message: body.message,
        data: {
          code: body.code,
          statusCode: body.statusCode,
          ...(body.correlationId ? { correlationId: body.correlationId } : {}),
          ...(body.details === undefined ? {} : { details: body.details }),
        },
      },
    };
  }
}
