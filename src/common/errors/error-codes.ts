/**
 * Every stable error code the gateway answers with, in one place: the `code` of REST bodies, `error.data.code` of
 * JSON-RPC errors, `code` beside OAuth's `error`, and `error_code` of audit rows. Grouped by the feature that raises
 * them; a code means the same thing wherever it appears.
 */
export enum ErrorCode {
  // Any surface
  BAD_REQUEST = 'BAD_REQUEST',
  MALFORMED_JSON = 'MALFORMED_JSON',
  VALIDATION_FAILED = 'VALIDATION_FAILED',
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  FORBIDDEN = 'FORBIDDEN',
  /** A browser request from an origin (or to a host name) the gateway does not serve: DNS rebinding, hostile pages. */
  ORIGIN_NOT_ALLOWED = 'ORIGIN_NOT_ALLOWED',
  NOT_FOUND = 'NOT_FOUND',
  METHOD_NOT_ALLOWED = 'METHOD_NOT_ALLOWED',
  CONFLICT = 'CONFLICT',
  PAYLOAD_TOO_LARGE = 'PAYLOAD_TOO_LARGE',
  /** A JSON body nested deeper than the gateway accepts (64 levels). */
  BODY_TOO_DEEP = 'BODY_TOO_DEEP',
  /** A path, query or body string holding NUL or an unpaired UTF-16 surrogate: no id, name or filter can hold one. */
  INVALID_TEXT = 'INVALID_TEXT',
  UNSUPPORTED_MEDIA_TYPE = 'UNSUPPORTED_MEDIA_TYPE',
  UNPROCESSABLE = 'UNPROCESSABLE',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  BAD_GATEWAY = 'BAD_GATEWAY',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  GATEWAY_TIMEOUT = 'GATEWAY_TIMEOUT',
  /** A page cursor this API did not hand out (or one for another query). */
  INVALID_CURSOR = 'INVALID_CURSOR',

  // Authentication and tenancy
  INVALID_TOKEN = 'INVALID_TOKEN',
  TOKEN_IN_QUERY = 'TOKEN_IN_QUERY',
  TENANT_NOT_ALLOWED = 'TENANT_NOT_ALLOWED',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  INSUFFICIENT_ROLE = 'INSUFFICIENT_ROLE',

  // Registry
  SERVER_NOT_FOUND = 'SERVER_NOT_FOUND',
  SERVER_NAME_TAKEN = 'SERVER_NAME_TAKEN',
  INVALID_SERVER = 'INVALID_SERVER',
  UPSTREAM_URL_REFUSED = 'UPSTREAM_URL_REFUSED',
  /** An entra_obo scope naming the gateway's own app, or outside MREG_ENTRA_OBO_ALLOWED_SCOPES. */
  UPSTREAM_SCOPE_REFUSED = 'UPSTREAM_SCOPE_REFUSED',
  NOT_SERVER_OWNER = 'NOT_SERVER_OWNER',
  DISCOVERY_FAILED = 'DISCOVERY_FAILED',
  /** The upstream answered discovery with more than MREG_DISCOVERY_* allow. */
  UPSTREAM_CAPABILITIES_TOO_LARGE = 'UPSTREAM_CAPABILITIES_TOO_LARGE',
  NO_PENDING_CHANGES = 'NO_PENDING_CHANGES',
  ENCRYPTION_KEY_REQUIRED = 'ENCRYPTION_KEY_REQUIRED',

  // Rate limiting
  /** Over a rate limit (429, Retry-After); `details.retryAfterSeconds` says when to try again. */
  RATE_LIMITED = 'RATE_LIMITED',
  /** The shared counter store is unreachable and the gateway is configured to fail closed (503). */
  RATE_LIMIT_UNAVAILABLE = 'RATE_LIMIT_UNAVAILABLE',

  // Audit
  /** The audit trail cannot take the event and the gateway fails closed (503). */
  AUDIT_UNAVAILABLE = 'AUDIT_UNAVAILABLE',
  CROSS_TENANT_DENIED = 'CROSS_TENANT_DENIED',

  // Proxy
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
  /** MCP 2026-07-28 routing headers that disagree with the body. */
  HEADER_MISMATCH = 'HEADER_MISMATCH',
  TOO_MANY_STREAMS = 'TOO_MANY_STREAMS',
  NOT_ACCEPTABLE = 'NOT_ACCEPTABLE',
  TRANSPORT_NOT_SUPPORTED = 'TRANSPORT_NOT_SUPPORTED',
  /** The client hung up before the exchange ended (499, audit only: nobody is left to read it). */
  CLIENT_CLOSED = 'CLIENT_CLOSED',
  /** The upstream ended the exchange without answering the request (audit only). */
  NO_RESPONSE = 'NO_RESPONSE',
  /** This replica is shutting down and the stream could not be resumed elsewhere: send the request again (503). */
  GATEWAY_RESTARTING = 'GATEWAY_RESTARTING',
  /** A call whose stream this replica closed at shutdown for the client to resume elsewhere (audit only). */
  STREAM_HANDED_OFF = 'STREAM_HANDED_OFF',

  // OAuth authorization server: the RFC 6749 / RFC 7591 `error` values, spelled as the RFCs spell them because OAuth
  // clients parse them (and audit rows have always recorded them so)
  OAUTH_INVALID_REQUEST = 'invalid_request',
  OAUTH_INVALID_CLIENT = 'invalid_client',
  OAUTH_INVALID_GRANT = 'invalid_grant',
  OAUTH_UNAUTHORIZED_CLIENT = 'unauthorized_client',
  OAUTH_UNSUPPORTED_GRANT_TYPE = 'unsupported_grant_type',
  OAUTH_UNSUPPORTED_RESPONSE_TYPE = 'unsupported_response_type',
  OAUTH_INVALID_SCOPE = 'invalid_scope',
  OAUTH_INVALID_TARGET = 'invalid_target',
  OAUTH_ACCESS_DENIED = 'access_denied',
  OAUTH_SERVER_ERROR = 'server_error',
  OAUTH_TEMPORARILY_UNAVAILABLE = 'temporarily_unavailable',
  OAUTH_INVALID_REDIRECT_URI = 'invalid_redirect_uri',
  OAUTH_INVALID_CLIENT_METADATA = 'invalid_client_metadata',
}

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: ErrorCode.BAD_REQUEST,
  401: ErrorCode.UNAUTHENTICATED,
  403: ErrorCode.FORBIDDEN,
  404: ErrorCode.NOT_FOUND,
  405: ErrorCode.METHOD_NOT_ALLOWED,
  409: ErrorCode.CONFLICT,
  413: ErrorCode.PAYLOAD_TOO_LARGE,
  415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: ErrorCode.UNPROCESSABLE,
  429: ErrorCode.RATE_LIMITED,
  502: ErrorCode.BAD_GATEWAY,
  503: ErrorCode.SERVICE_UNAVAILABLE,
  504: ErrorCode.GATEWAY_TIMEOUT,
};

/** The code a plain HTTP status maps to when no feature-specific code was given. */
export function codeForStatus(status: number): string {
  return CODE_BY_STATUS[status] ?? (status >= 500 ? ErrorCode.INTERNAL_ERROR : ErrorCode.BAD_REQUEST);
}
