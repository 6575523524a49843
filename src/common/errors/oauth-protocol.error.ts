import type { ErrorBody } from './error-body.js';
import { ErrorCode } from './error-codes.js';
import { GatewayException } from './gateway.exception.js';

/** The OAuth members of `ErrorCode`: the `error` values of RFC 6749 §5.2 / §4.1.2.1 and RFC 7591 §3.2.2. */
export type OAuthErrorCode =
  | ErrorCode.OAUTH_INVALID_REQUEST
  | ErrorCode.OAUTH_INVALID_CLIENT
  | ErrorCode.OAUTH_INVALID_GRANT
  | ErrorCode.OAUTH_UNAUTHORIZED_CLIENT
  | ErrorCode.OAUTH_UNSUPPORTED_GRANT_TYPE
  | ErrorCode.OAUTH_UNSUPPORTED_RESPONSE_TYPE
  | ErrorCode.OAUTH_INVALID_SCOPE
  | ErrorCode.OAUTH_INVALID_TARGET
  | ErrorCode.OAUTH_ACCESS_DENIED
  | ErrorCode.OAUTH_SERVER_ERROR
  | ErrorCode.OAUTH_TEMPORARILY_UNAVAILABLE
  | ErrorCode.OAUTH_INVALID_REDIRECT_URI
  | ErrorCode.OAUTH_INVALID_CLIENT_METADATA;

/** The same codes as the literal strings the RFCs spell, so that a thrower can write `'invalid_grant'`. */
export type OAuthError = `${OAuthErrorCode}`;

/**
 * A refusal of the OAuth protocol endpoints, in the RFCs' own vocabulary. A GatewayException like every other
 * expected failure: its code is the RFC's `error` value, its message the `error_description`.
 */
export class OAuthProtocolError extends GatewayException {
  declare readonly code: OAuthErrorCode;

  constructor(
    error: OAuthError,
    description: string,
    status = 400,
    headers: Readonly<Record<string, string>> = {},
  ) {
    super(status, error as OAuthErrorCode, description, undefined, headers);
    this.name = 'OAuthProtocolError';
  }
}

/**
 * The body OAuth clients parse (RFC 6749 §5.2): `{ error, error_description }`. An error that is not one of OAuth's
 * own also carries the gateway's stable `code`, the correlation id and its `details` (extension members, which OAuth clients ignore),
 * so that a rate limit or an origin refusal stays as precise as on every other surface.
 */
export interface OAuthErrorBody {
  error: string;
  error_description: string;
  code?: string;
  correlationId?: string;
  details?: unknown;
}

/**
 * The one RFC 6749 rendering of a gateway error, for the OAuth protocol endpoints. An OAuthProtocolError keeps its
 * own `error`; any other error raised there (a rate limit, a malformed body, a database outage) gets the RFC value
 * its status means, with the message the common body would carry.
 */
export function toOAuthError(body: ErrorBody): OAuthErrorBody {
  if (OAUTH_CODES.has(body.code)) return { error: body.code, error_description: body.message };
  return {
    error: oauthErrorFor(body.statusCode),
    error_description: body.message,
    code: body.code,
    ...(body.correlationId ? { correlationId: body.correlationId } : {}),
    ...(body.details === undefined ? {} : { details: body.details }),
  };
}

const OAUTH_CODES: ReadonlySet<string> = new Set(
  Object.entries(ErrorCode)
    .filter(([name]) => name.startsWith('OAUTH_'))
    .map(([, value]) => value),
);

function oauthErrorFor(status: number): OAuthErrorCode {
  if (status === 401) return ErrorCode.OAUTH_INVALID_CLIENT;
  if (status === 403) return ErrorCode.OAUTH_ACCESS_DENIED;
  if (status === 429 || status === 503) return ErrorCode.OAUTH_TEMPORARILY_UNAVAILABLE;
  if (status >= 500) return ErrorCode.OAUTH_SERVER_ERROR;
  return ErrorCode.OAUTH_INVALID_REQUEST;
}

/**
 * The OAuth protocol endpoints, whose errors are answered in RFC 6749's shape: those OAuth clients (and the browser
 * steps of the authorization code flow) talk to. Not `/oauth/userinfo` or `/oauth/jwks`: bearer-protected or public
 * resources answer the common body.
 */
export function isOAuthPath(path: string): boolean {
  return /^\/oauth\/(?:token|revoke|register|authorize|login|callback)\/?$/.test(path);
}
