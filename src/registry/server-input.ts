import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { Principal } from '../auth/principal.js';
import type { ServerSettingsDto } from './dto/register-server.dto.js';
import { checkUpstreamUrl } from './endpoint-urls.js';
import type { ServerPatch } from './registry.repository.js';
import { assertMayPublishGlobally } from './registry-access.js';
import { invalidServer } from './registry.errors.js';
import type { ServerEndpoint, StoredUpstreamAuth } from './registry.types.js';
import { UpstreamCredentials } from './upstream-credentials.js';

/**
 * Turns validated DTO fields into stored columns: endpoints checked against the SSRF rules, secrets sealed,
 * permissions on visibility enforced. Shared by registration, update and import so they cannot disagree.
 */
@Injectable()
export class ServerInput {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly credentials: UpstreamCredentials,
  ) {}

  async toColumns(
    principal: Principal,
    dto: ServerSettingsDto,
    serverId: string,
    previous?: { upstreamAuth: StoredUpstreamAuth; endpoints: ServerEndpoint[] },
  ): Promise<ServerPatch> {
    if (dto.url !== undefined && dto.endpoints !== undefined) {
      throw invalidServer('Give either url or endpoints, not both');
    }
    if (dto.visibility === 'global') assertMayPublishGlobally(principal);
    const columns: ServerPatch = {};
    const endpoints: ServerEndpoint[] | undefined =
      dto.url !== undefined
        ? [{ url: dto.url, weight: 1 }]
        : dto.endpoints?.map((endpoint) => ({ url: endpoint.url, weight: endpoint.weight ?? 1 }));
    if (endpoints) {
      const urls = await Promise.all(endpoints.map((endpoint) => this.checkUrl(endpoint.url)));
      if (new Set(urls).size !== urls.length) throw invalidServer('Endpoints must be distinct');
      columns.endpoints = endpoints.map((endpoint, index) => ({ url: urls[index], weight: endpoint.weight }));
    }
    if (previous && columns.endpoints && movesSecret(previous, columns.endpoints, dto)) {
      throw invalidServer(
        'This server keeps an upstream secret: pointing it at another host needs the secret again in upstreamAuth',
      );
    }
    if (dto.upstreamAuth) {
      if (dto.upstreamAuth.tokenUrl) await this.checkUrl(dto.upstreamAuth.tokenUrl);
      columns.upstreamAuth = this.credentials.toStored(dto.upstreamAuth, serverId, previous?.upstreamAuth);
    }
    if (dto.title !== undefined) columns.title = dto.title;
    if (dto.description !== undefined) columns.description = dto.description;
    if (dto.version !== undefined) columns.version = dto.version;
    if (dto.transport !== undefined) columns.transport = dto.transport;
    if (dto.visibility !== undefined) columns.visibility = dto.visibility;
    if (dto.requiredRoles !== undefined) columns.requiredRoles = dto.requiredRoles;
    if (dto.tags !== undefined) columns.tags = dto.tags;
    if (dto.toolRoles !== undefined) columns.toolRoles = dto.toolRoles;
    if (dto.identityHeaders !== undefined) columns.identityHeaders = dto.identityHeaders;
    if (dto.auditRedactKeys !== undefined) columns.auditRedactKeys = dto.auditRedactKeys;
    if (dto.rateLimits !== undefined) columns.rateLimits = definedOnly(dto.rateLimits);
    if (dto.lbStrategy !== undefined) columns.lbStrategy = dto.lbStrategy;
    if (dto.timeouts !== undefined) columns.timeouts = definedOnly(dto.timeouts);
    if (dto.healthCheck !== undefined) columns.healthCheck = definedOnly(dto.healthCheck);
    return columns;
  }

  checkUrl(url: string): Promise<string> {
    return checkUpstreamUrl(url, this.config.allowPrivateUpstreams);
  }
}

/** DTO instances carry declared-but-unset fields as `undefined`; those must not override defaults when merged. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whether new endpoints would carry a stored secret (or tokens obtained with it) to a host it was not given for. */
function movesSecret(
  previous: { upstreamAuth: StoredUpstreamAuth; endpoints: ServerEndpoint[] },
  endpoints: ServerEndpoint[],
  dto: ServerSettingsDto,
): boolean {
  const auth = previous.upstreamAuth;
  if (auth.type !== 'static' && auth.type !== 'client_credentials') return false;
  if (dto.upstreamAuth?.value || dto.upstreamAuth?.clientSecret) return false;
  const known = new Set(previous.endpoints.map((endpoint) => new URL(endpoint.url).origin));
  return endpoints.some((endpoint) => !known.has(new URL(endpoint.url).origin));
}
