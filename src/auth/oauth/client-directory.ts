import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ClientMetadataDocuments } from './client-metadata-documents.js';
import { CONSOLE_CLIENT_ID, consoleClient } from './console-client.js';
import type { OAuthClientEntity } from './oauth.entities.js';
import { hashSecret } from './oauth-crypto.js';
import { OAuthRepository } from './oauth.repository.js';
import { redirectUriProblem } from './redirect-uris.js';

/** Finds an OAuth client by id: a registered one (DCR) or, for an https `client_id`, its metadata document. */
@Injectable()
export class ClientDirectory {
  private readonly documents: ClientMetadataDocuments;
  private readonly staticClients = new Map<string, OAuthClientEntity>();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly oauth: OAuthRepository,
  ) {
    this.documents = ClientMetadataDocuments.withNetwork(config.allowPrivateUpstreams);
    for (const client of config.auth.staticClients) {
      // Redirect URIs of configured clients follow the same rules as registered ones.
      const bad = client.redirectUris.find((uri) => redirectUriProblem(uri, 'native'));
      if (bad)
        throw new Error(
          `MREG_OAUTH_CLIENTS: client ${client.clientId}: redirect URI ${bad} ${redirectUriProblem(bad, 'native')}`,
        );
      this.staticClients.set(client.clientId, {
        clientId: client.clientId,
        clientSecretHash: client.clientSecret ? hashSecret(client.clientSecret) : null,
        clientName: client.clientName ?? client.clientId,
        redirectUris: [...client.redirectUris],
        tokenEndpointAuthMethod: client.clientSecret ? 'client_secret_basic' : 'none',
        applicationType: 'native',
        registrationKind: 'static',
        createdAt: new Date(0),
      });
    }
  }

  /**
   * Undefined when unknown; throws an OAuth error when a metadata document is unusable. `baseUrl`: the gateway's
   * URL for this request, where the built-in console client's redirect URI lives.
   */
  async find(clientId: string, baseUrl?: string): Promise<OAuthClientEntity | undefined> {
    if (clientId === CONSOLE_CLIENT_ID) return consoleClient(baseUrl);
    const configured = this.staticClients.get(clientId);
    if (configured) return configured;
    if (ClientMetadataDocuments.isDocumentUrl(clientId)) return this.documents.resolve(clientId);
    return (await this.oauth.findClient(clientId)) ?? undefined;
  }
}
