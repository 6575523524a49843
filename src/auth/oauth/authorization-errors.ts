import { type OAuthError, OAuthProtocolError } from '../../common/errors/oauth-protocol.error.js';

/** An authorization error that must not be sent to an unverified redirect URI: shown to the user instead. */
export class AuthorizationPageError extends OAuthProtocolError {}

/** An authorization error answered by redirecting to the client with `error`, `state` and `iss`. */
export class OAuthRedirectError extends OAuthProtocolError {
  constructor(
    error: OAuthError,
    description: string,
    readonly location: string,
  ) {
    super(error, description, 302);
  }
}

export function errorRedirect(
  redirectUri: string,
  error: string,
  description: string,
  state: string | undefined,
  issuer: string,
): string {
  const target = new URL(redirectUri);
  target.searchParams.set('error', error);
  target.searchParams.set('error_description', description);
  if (state !== undefined) target.searchParams.set('state', state);
  target.searchParams.set('iss', issuer);
  return target.toString();
}
