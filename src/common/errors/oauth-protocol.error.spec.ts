import { toErrorBody } from './error-body.js';
import { ErrorCode } from './error-codes.js';
import { GatewayException } from './gateway.exception.js';
import { isOAuthPath, OAuthProtocolError, toOAuthError } from './oauth-protocol.error.js';

describe('OAuthProtocolError and its RFC 6749 rendering', () => {
  it('is a GatewayException whose code is the RFC error value', () => {
    const error = new OAuthProtocolError('invalid_grant', 'PKCE verification failed');
    expect(error).toBeInstanceOf(GatewayException);
    expect(error.getStatus()).toBe(400);
    expect(error.code).toBe(ErrorCode.OAUTH_INVALID_GRANT);
    expect(toOAuthError(toErrorBody(error, 'c1'))).toEqual({
      error: 'invalid_grant',
      error_description: 'PKCE verification failed',
    });
  });

  it.each([
    [429, ErrorCode.RATE_LIMITED, 'temporarily_unavailable'],
    [503, ErrorCode.DATABASE_UNAVAILABLE, 'temporarily_unavailable'],
    [500, ErrorCode.INTERNAL_ERROR, 'server_error'],
    [403, ErrorCode.ORIGIN_NOT_ALLOWED, 'access_denied'],
    [401, ErrorCode.UNAUTHENTICATED, 'invalid_client'],
    [400, ErrorCode.MALFORMED_JSON, 'invalid_request'],
    [413, ErrorCode.PAYLOAD_TOO_LARGE, 'invalid_request'],
  ])(
    'gives any other %i (%s) the RFC value %s and keeps the gateway code beside it',
    (status, code, error) => {
      const body = toErrorBody(new GatewayException(status, code, 'why'), 'c2');
      expect(toOAuthError(body)).toEqual({ error, error_description: 'why', code, correlationId: 'c2' });
    },
  );

  it("keeps a rate limit's details beside its code", () => {
    const body = toErrorBody(
      new GatewayException(429, ErrorCode.RATE_LIMITED, 'slow down', { limit: 3 }),
      'c3',
    );
    expect(toOAuthError(body)).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'slow down',
      code: 'RATE_LIMITED',
      correlationId: 'c3',
      details: { limit: 3 },
    });
  });

  it('names the OAuth protocol endpoints, not the bearer-protected or public resources beside them', () => {
    for (const path of [
      '/oauth/token',
      '/oauth/revoke',
      '/oauth/register',
      '/oauth/authorize',
      '/oauth/callback',
    ])
      expect(isOAuthPath(path)).toBe(true);
    for (const path of ['/oauth/userinfo', '/oauth/jwks', '/oauth/logout', '/api/v1/servers', '/mcp'])
      expect(isOAuthPath(path)).toBe(false);
  });
});
