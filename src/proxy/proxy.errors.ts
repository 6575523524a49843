import { GatewayException } from '../common/errors/gateway.exception.js';
import { type ErrorCode } from '../common/errors/error-codes.js';

/**
 * A failure on the proxy path: a GatewayException like every other expected failure (so nothing recognises it by
 * its shape), answered on MCP routes as a JSON-RPC error carrying `data.code`.
 */
export class ProxyError extends GatewayException {
  declare readonly code: ErrorCode;
  declare readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: ErrorCode,
    message: string,
    headers: Readonly<Record<string, string>> = {},
    /** Safe to show; sent as `error.data.details`. */
    details?: unknown,
  ) {
    super(status, code, message, details, headers);
    this.name = 'ProxyError';
  }
}
