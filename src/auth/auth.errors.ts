import { GatewayException } from '../common/errors/gateway.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';

/** Why a bearer token was refused; the message is safe to show the caller (it names no key, secret or internal). */
export class TokenRejectedError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCode.INVALID_TOKEN,
  ) {
    super(message);
    this.name = 'TokenRejectedError';
  }
}

const quote = (value: string) => value.replace(/["\\]/g, "'");

/** 401 with the RFC 6750 / RFC 9728 challenge that lets an MCP client discover how to get a token. */
export function unauthenticated(
  resourceMetadataUrl: string,
  rejected?: TokenRejectedError,
): GatewayException {
  const parts = [`Bearer resource_metadata="${resourceMetadataUrl}"`];
  if (rejected) parts.push(`error="invalid_token"`, `error_description="${quote(rejected.message)}"`);
  return new GatewayException(
    401,
    rejected?.code ?? ErrorCode.UNAUTHENTICATED,
    rejected ? `Invalid bearer token: ${rejected.message}` : 'A bearer token is required',
    undefined,
    { 'WWW-Authenticate': parts.join(', ') },
  );
}

/** 403 for an authenticated caller that lacks a role, with a challenge naming what is needed. */
export function insufficientRole(resourceMetadataUrl: string, required: readonly string[]): GatewayException {
  const needed = `requires role ${required.join(' or ')}`;
  return new GatewayException(
    403,
    ErrorCode.INSUFFICIENT_ROLE,
    `This operation ${needed}`,
    { requiredRoles: required },
    {
      'WWW-Authenticate': `Bearer error="insufficient_scope", error_description="${needed}", resource_metadata="${resourceMetadataUrl}"`,
    },
  );
}

export function tenantRefused(
  code: ErrorCode.TENANT_NOT_ALLOWED | ErrorCode.TENANT_SUSPENDED,
): GatewayException {
  return new GatewayException(
    403,
    code,
    code === ErrorCode.TENANT_SUSPENDED
      ? 'Your organisation is suspended on this gateway'
      : 'Your organisation is not allowed on this gateway',
  );
}
