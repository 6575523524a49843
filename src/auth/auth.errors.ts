import { GatewayException } from '../common/errors/gateway.exception.js';

export enum AuthErrorCode {
  UNAUTHENTICATED = 'UNAUTHENTICATED',
  INVALID_TOKEN = 'INVALID_TOKEN',
  TOKEN_IN_QUERY = 'TOKEN_IN_QUERY',
  TENANT_NOT_ALLOWED = 'TENANT_NOT_ALLOWED',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  INSUFFICIENT_ROLE = 'INSUFFICIENT_ROLE',
}

/** Why a bearer token was refused; the message is safe to show the caller (it names no key, secret or internal). */
export class TokenRejectedError extends Error {
  constructor(
    message: string,
    readonly code: AuthErrorCode = AuthErrorCode.INVALID_TOKEN,
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
    rejected?.code ?? AuthErrorCode.UNAUTHENTICATED,
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
    AuthErrorCode.INSUFFICIENT_ROLE,
    `This operation ${needed}`,
    { requiredRoles: required },
    {
      'WWW-Authenticate': `Bearer error="insufficient_scope", error_description="${needed}", resource_metadata="${resourceMetadataUrl}"`,
    },
  );
}

export function tenantRefused(
  code: AuthErrorCode.TENANT_NOT_ALLOWED | AuthErrorCode.TENANT_SUSPENDED,
): GatewayException {
  return new GatewayException(
    403,
    code,
    code === AuthErrorCode.TENANT_SUSPENDED
      ? 'Your organisation is suspended on this gateway'
      : 'Your organisation is not allowed on this gateway',
  );
}
