import { Injectable } from '@nestjs/common';
import type { ClientAuthMethod } from './oauth.entities.js';
import { randomToken, hashSecret } from './oauth-crypto.js';
import { OAuthProtocolError } from '../../common/errors/oauth-protocol.error.js';
import { OAuthRepository } from './oauth.repository.js';
import { type ApplicationType, redirectUriProblem } from './redirect-uris.js';

const MAX_REDIRECT_URIS = 10;
const MAX_NAME_LENGTH = 200;
const AUTH_METHODS: readonly ClientAuthMethod[] = ['none', 'client_secret_post', 'client_secret_basic'];
const GRANT_TYPES = ['authorization_code', 'refresh_token'];

export interface RegisteredClient {
  client_id: string;
  client_id_issued_at: number;
  client_secret?: string;
  client_secret_expires_at?: number;
  client_name?: string;
  redirect_uris: string[];
  token_endpoint_auth_method: ClientAuthMethod;
  grant_types: string[];
  response_types: string[];
  application_type: ApplicationType;
}

const invalid = (description: string) => new OAuthProtocolError('invalid_client_metadata', description);

/** RFC 7591 dynamic client registration: what MCP clients use because Entra has none. */
@Injectable()
export class ClientRegistrationService {
  constructor(private readonly oauth: OAuthRepository) {}

  async register(body: unknown): Promise<RegisteredClient> {
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      throw invalid('the body must be a JSON object');
    const metadata = body as Record<string, unknown>;

    const applicationType = metadata.application_type ?? 'web';
    if (applicationType !== 'web' && applicationType !== 'native')
      throw invalid('application_type must be web or native');

    const redirectUris = metadata.redirect_uris;
    if (
      !Array.isArray(redirectUris) ||
      redirectUris.length === 0 ||
      redirectUris.length > MAX_REDIRECT_URIS
    ) {
      throw new OAuthProtocolError(
        'invalid_redirect_uri',
        `redirect_uris must list 1 to ${MAX_REDIRECT_URIS} URIs`,
      );
    }
    for (const uri of redirectUris) {
      const problem = typeof uri === 'string' ? redirectUriProblem(uri, applicationType) : 'is not a string';
      if (problem)
        throw new OAuthProtocolError(
          'invalid_redirect_uri',
          `redirect URI ${JSON.stringify(uri)} ${problem}`,
        );
    }

    const authMethod = (metadata.token_endpoint_auth_method ?? 'client_secret_basic') as ClientAuthMethod;
    if (!AUTH_METHODS.includes(authMethod))
      throw invalid(`token_endpoint_auth_method must be one of ${AUTH_METHODS.join(', ')}`);

    const grantTypes = metadata.grant_types ?? ['authorization_code'];
    if (!Array.isArray(grantTypes) || grantTypes.some((grant) => !GRANT_TYPES.includes(grant as string))) {
      throw invalid(`grant_types may contain only ${GRANT_TYPES.join(' and ')}`);
    }
    const responseTypes = metadata.response_types ?? ['code'];
    if (!Array.isArray(responseTypes) || responseTypes.some((type) => type !== 'code')) {
      throw invalid('response_types may contain only code');
    }
    const name = metadata.client_name;
    if (name !== undefined && (typeof name !== 'string' || name.length > MAX_NAME_LENGTH)) {
      throw invalid(`client_name must be a string of at most ${MAX_NAME_LENGTH} characters`);
    }

    const clientId = `mcp_${randomToken(18)}`;
    const secret = authMethod === 'none' ? undefined : randomToken();
    const client = await this.oauth.insertClient({
      clientId,
      clientSecretHash: secret ? hashSecret(secret) : null,
      clientName: name ?? null,
      redirectUris: redirectUris as string[],
      tokenEndpointAuthMethod: authMethod,
      applicationType,
      registrationKind: 'dcr',
    });
    return {
      client_id: client.clientId,
      client_id_issued_at: Math.floor(client.createdAt.getTime() / 1000),
      ...(secret ? { client_secret: secret, client_secret_expires_at: 0 } : {}),
      ...(client.clientName ? { client_name: client.clientName } : {}),
      redirect_uris: client.redirectUris,
      token_endpoint_auth_method: client.tokenEndpointAuthMethod,
      grant_types: grantTypes as string[],
      response_types: ['code'],
      application_type: applicationType,
    };
  }
}
