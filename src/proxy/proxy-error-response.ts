import type { Response } from 'express';
import { currentRequestContext } from '../common/context/request-context.js';
import { errorResponse, JSONRPC_SERVER_ERROR } from './jsonrpc.js';
import { ProxyError } from './proxy.errors.js';

/**
 * Answers a proxy refusal as JSON-RPC (MCP clients read that), with the stable code in `error.data` like every other
 * gateway error. Returns false when it cannot: not a ProxyError, or the response has already started.
 */
export function sendProxyError(res: Response, error: unknown): boolean {
  if (!(error instanceof ProxyError) || res.headersSent) return false;
  res
    .status(error.status)
    .set(error.headers)
    .json(
      errorResponse(null, JSONRPC_SERVER_ERROR, error.message, {
        code: error.code,
        statusCode: error.status,
        correlationId: currentRequestContext()?.correlationId,
        ...(error.details === undefined ? {} : { details: error.details }),
      }),
    );
  return true;
}
