import { CommonErrorCode } from '../common/errors/error-codes.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { ThrottlingErrorCode } from '../throttling/throttling.errors.js';
export enum ProxyErrorCode {
  UPSTREAM_UNAVAILABLE = 'UPSTREAM_UNAVAILABLE',
  UPSTREAM_TIMEOUT = 'UPSTREAM_TIMEOUT',
  UPSTREAM_CIRCUIT_OPEN = 'UPSTREAM_CIRCUIT_OPEN',
  /** The upstream's ceiling of listening streams through this gateway is reached (503, Retry-After). */
  UPSTREAM_BUSY = 'UPSTREAM_BUSY',
  UPSTREAM_PROTOCOL_ERROR = 'UPSTREAM_PROTOCOL_ERROR',
  UPSTREAM_AUTH_FAILED = 'UPSTREAM_AUTH_FAILED',
  SESSION_NOT_FOUND = 'SESSION_NOT_FOUND',
  SERVER_UNAVAILABLE = 'SERVER_UNAVAILABLE',
  TOOL_NOT_ALLOWED = 'TOOL_NOT_ALLOWED',
  /** A prompt or resource that is not among those the caller may use. */
  NOT_AVAILABLE = 'NOT_AVAILABLE',
  /** A task handle that is not the caller's (another user's, or made up): the task is unknown to them. */
  TASK_NOT_FOUND = 'TASK_NOT_FOUND',
  INVALID_JSONRPC = 'INVALID_JSONRPC',
  TOO_MANY_STREAMS = 'TOO_MANY_STREAMS',
  NOT_ACCEPTABLE = 'NOT_ACCEPTABLE',
  TRANSPORT_NOT_SUPPORTED = 'TRANSPORT_NOT_SUPPORTED',
  /** Over a rate limit (429, Retry-After); `details.retryAfterSeconds` too. */
  RATE_LIMITED = CommonErrorCode.RATE_LIMITED,
  /** The client hung up before the exchange ended (499, audit only: nobody is left to read it). */
  CLIENT_CLOSED = 'CLIENT_CLOSED',
  /** This replica is shutting down and the stream could not be resumed elsewhere: send the request again (503). */
  GATEWAY_RESTARTING = 'GATEWAY_RESTARTING',
  /** The rate-limit store is unreachable and the gateway fails closed (503). */
  RATE_LIMIT_UNAVAILABLE = ThrottlingErrorCode.RATE_LIMIT_UNAVAILABLE,
}

/**
 * A failure on the proxy path: a GatewayException like every other expected failure (so nothing recognises it by
 * its shape), answered on MCP routes as a JSON-RPC error carrying `data.code`.
 */
export class ProxyError extends GatewayException {
  declare readonly code: ProxyErrorCode;
  declare readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: ProxyErrorCode,
    message: string,
    headers: Readonly<Record<string, string>> = {},
    /** Safe to show; sent as `error.data.details`. */
    details?: unknown,
  ) {
    super(status, code, message, details, headers);
    this.name = 'ProxyError';
  }
}
