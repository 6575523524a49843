import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { ClientMetadataDocuments } from './client-metadata-documents.js';
import type { OAuthClientEntity } from './oauth.entities.js';
import { OAuthRepository } from './oauth.repository.js';

/** Finds an OAuth client by id: a registered one (DCR) or, for an https `client_id`, its metadata document. */
@Injectable()
export class ClientDirectory {
  private readonly documents: ClientMetadataDocuments;

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly oauth: OAuthRepository,
  ) {
    this.documents = ClientMetadataDocuments.withNetwork(config.allowPrivateUpstreams);
  }

  /** Undefined when unknown; throws an OAuth error when a metadata document is unusable. */
  async find(clientId: string): Promise<OAuthClientEntity | undefined> {
    if (ClientMetadataDocuments.isDocumentUrl(clientId)) return this.documents.resolve(clientId);
    return (await this.oauth.findClient(clientId)) ?? undefined;
  }
}
