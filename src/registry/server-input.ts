import { Inject, Injectable } from '@nestjs/common';
import { oboScopeRefusal } from '../auth/index.js';
import type { Principal } from '../common/principal.js';
import { GatewayException } from '../common/errors/gateway.exception.js';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import type { ServerSettingsDto } from './dto/register-server.dto.js';
import type { UpstreamAuthDto } from './dto/server-settings.dto.js';
import { checkUpstreamUrl } from './endpoint-urls.js';
import type { ServerPatch } from './registry.repository.js';
import { assertMayPublishGlobally } from './registry-access.js';
import { invalidServer } from './registry.errors.js';
import type { ServerEndpoint, StoredUpstreamAuth } from './registry.types.js';
import { UpstreamCredentials } from './upstream-credentials.js';
import { ErrorCode } from '../common/errors/error-codes.js';

type PreviousServer = { upstreamAuth: StoredUpstreamAuth; endpoints: ServerEndpoint[] };

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
    previous?: PreviousServer,
  ): Promise<ServerPatch> {
    if (dto.url !== undefined && dto.endpoints !== undefined) {
      throw invalidServer('Give either url or endpoints, not both');
    }
    if (dto.visibility === 'global') assertMayPublishGlobally(principal);
    // Before any DNS lookup: a refused on-behalf-of setting fails the same way wherever the server points.
    if (dto.upstreamAuth?.type === 'entra_obo') this.checkOnBehalfOf(principal, dto.upstreamAuth, previous);
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
    if (previous && columns.endpoints && reachesNewOrigin(previous.endpoints, columns.endpoints)) {
      if (movesSecret(previous, dto)) {
        throw invalidServer(
          previous.upstreamAuth.type === 'entra_obo'
            ? "This server is called with users' Entra tokens (entra_obo): pointing it at another host needs an admin to state upstreamAuth again"
            : 'This server keeps an upstream secret: pointing it at another host needs the secret again in upstreamAuth',
        );
      }
      // Re-stating the same scope while moving is a new destination for users' tokens: an admin's decision too.
      if (dto.upstreamAuth?.type === 'entra_obo') assertMaySetOnBehalfOf(principal);
    }
    // Any other URL at all, even on the same host: behind a shared API gateway another path is another backend, so
    // where users' on-behalf-of tokens go stays an admin's decision for as long as the server keeps entra_obo.
    const keepsOnBehalfOf =
      previous?.upstreamAuth.type === 'entra_obo' &&
      (dto.upstreamAuth === undefined || dto.upstreamAuth.type === 'entra_obo');
    if (keepsOnBehalfOf && columns.endpoints && changesUrls(previous.endpoints, columns.endpoints)) {
      assertMaySetOnBehalfOf(principal);
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

  /**
   * entra_obo makes every caller's Entra token buy a token for `scope`, sent to this server's endpoints: whoever sets
   * it chooses which of the users' APIs an upstream receives tokens for. So only admins may set or change it, and the
   * scope must pass the deployment's policy (never the gateway's own app; the allowlist when configured).
   */
  private checkOnBehalfOf(principal: Principal, auth: UpstreamAuthDto, previous?: PreviousServer): void {
    const unchanged =
      previous?.upstreamAuth.type === 'entra_obo' && previous.upstreamAuth.scope === auth.scope;
    if (!unchanged) assertMaySetOnBehalfOf(principal);
    // A missing scope is refused by UpstreamCredentials with the other incomplete settings.
    if (auth.scope === undefined) return;
    const refusal = oboScopeRefusal(auth.scope, {
      gatewayClientId: this.config.auth.clientId,
      allowedScopes: this.config.auth.oboAllowedScopes,
    });
    if (refusal) {
      throw new GatewayException(400, ErrorCode.UPSTREAM_SCOPE_REFUSED, `upstreamAuth.scope ${refusal}`, {
        scope: auth.scope,
      });
    }
  }
}

function assertMaySetOnBehalfOf(principal: Principal): void {
  if (!principal.roles.includes('admin')) {
    throw new GatewayException(
      403,
      ErrorCode.INSUFFICIENT_ROLE,
      "Only admins may set or change on-behalf-of upstream auth (entra_obo): it sends users' Entra tokens upstream",
    );
  }
}

/** DTO instances carry declared-but-unset fields as `undefined`; those must not override defaults when merged. */
export function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Whether any of the new endpoints is on an origin the server did not have before. */
function reachesNewOrigin(before: ServerEndpoint[], after: ServerEndpoint[]): boolean {
  const known = new Set(before.map((endpoint) => new URL(endpoint.url).origin));
  return after.some((endpoint) => !known.has(new URL(endpoint.url).origin));
}

/**
 * Whether moving to a new origin would carry what the server holds there without anyone re-stating it: a stored
 * secret (or tokens obtained with it), or users' on-behalf-of tokens (entra_obo holds no secret, but each call
 * sends a token for the user, which is worth more). Switching to another auth type ends what was held.
 */
function movesSecret(previous: PreviousServer, dto: ServerSettingsDto): boolean {
  switch (previous.upstreamAuth.type) {
    case 'none':
      return false;
    case 'entra_obo':
      return dto.upstreamAuth === undefined;
    case 'static':
    case 'client_credentials':
      // A stored secret is kept only by an upstreamAuth of the same type that gives no new one.
      if (dto.upstreamAuth && dto.upstreamAuth.type !== previous.upstreamAuth.type) return false;
      return !(dto.upstreamAuth?.value || dto.upstreamAuth?.clientSecret);
  }
}

function changesUrls(before: readonly ServerEndpoint[], after: readonly ServerEndpoint[]): boolean {
  const known = new Set(before.map((endpoint) => endpoint.url));
  return after.some((endpoint) => !known.has(endpoint.url));
}
