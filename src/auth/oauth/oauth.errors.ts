import { HttpException } from '@nestjs/common';

/** RFC 6749 / 7591 error codes the authorization server answers with. */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'unsupported_response_type'
  | 'invalid_scope'
  | 'invalid_target'
  | 'access_denied'
  | 'server_error'
  | 'temporarily_unavailable'
  | 'invalid_redirect_uri'
  | 'invalid_client_metadata';

/**
 * An error of the OAuth protocol endpoints. These answer in the shape OAuth clients parse
 * (`{ error, error_description }`, RFC 6749 §5.2), not the gateway's common error body.
 */
export class OAuthProtocolError extends HttpException {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    status = 400,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super({ error, error_description: description }, status);
  }

  get body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.description };
  }
}
