/** Stable, documented error codes shared by REST bodies and JSON-RPC `error.data.code`. */
export enum CommonErrorCode {
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
  RATE_LIMITED = 'RATE_LIMITED',
  INTERNAL_ERROR = 'INTERNAL_ERROR',
  BAD_GATEWAY = 'BAD_GATEWAY',
  SERVICE_UNAVAILABLE = 'SERVICE_UNAVAILABLE',
  DATABASE_UNAVAILABLE = 'DATABASE_UNAVAILABLE',
  GATEWAY_TIMEOUT = 'GATEWAY_TIMEOUT',
}

const CODE_BY_STATUS: Record<number, CommonErrorCode> = {
  400: CommonErrorCode.BAD_REQUEST,
  401: CommonErrorCode.UNAUTHENTICATED,
  403: CommonErrorCode.FORBIDDEN,
  404: CommonErrorCode.NOT_FOUND,
  405: CommonErrorCode.METHOD_NOT_ALLOWED,
  409: CommonErrorCode.CONFLICT,
  413: CommonErrorCode.PAYLOAD_TOO_LARGE,
  415: CommonErrorCode.UNSUPPORTED_MEDIA_TYPE,
  422: CommonErrorCode.UNPROCESSABLE,
  429: CommonErrorCode.RATE_LIMITED,
  502: CommonErrorCode.BAD_GATEWAY,
  503: CommonErrorCode.SERVICE_UNAVAILABLE,
  504: CommonErrorCode.GATEWAY_TIMEOUT,
};

/** The code a plain HTTP status maps to when no feature-specific code was given. */
export function codeForStatus(status: number): string {
  return (
    CODE_BY_STATUS[status] ?? (status >= 500 ? CommonErrorCode.INTERNAL_ERROR : CommonErrorCode.BAD_REQUEST)
  );
}
