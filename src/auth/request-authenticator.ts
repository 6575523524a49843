import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { APP_CONFIG, type AppConfig } from '../config/app-config.js';
import { tenantRequestLimit, TenantsService } from '../tenancy/index.js';
import { TokenRejectedError, tenantRefused, unauthenticated } from './auth.errors.js';
import type { Principal } from '../common/principal.js';
import { canonicalUrl, isMcpEndpoint, ResourceUrls } from './resource-urls.js';
import { cookieSpec, readCookie } from './session-cookie.js';
import { isTenantAllowed } from './entra-tokens.js';
import { GatewayTokens } from './gateway-tokens.js';
import { TokenVerifier } from './token-verifier.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
const QUERY_TOKEN_PARAMS = ['access_token', 'token', 'id_token'];
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Turns a request's bearer token into a Principal, or throws the 401/403 the client should see. */
@Injectable()
export class RequestAuthenticator {
  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly verifier: TokenVerifier,
    private readonly urls: ResourceUrls,
    private readonly tenants: TenantsService,
    private readonly gatewayTokens: GatewayTokens,
  ) {}

  private get gatewayIssuer(): string {
    return this.gatewayTokens.issuer;
  }

  /**
   * The bearer token, or for REST routes the browser session cookie of `/oauth/login`. MCP endpoints take bearer
   * tokens only. A cookie-authenticated state-changing request must come from our own origin (SameSite=Strict is the
   * first defence against CSRF, this is the second).
   */
  private bearerOrSessionToken(req: Request, metadataUrl: string): string {
    const header = req.headers.authorization;
    if (header) {
      const match = BEARER.exec(header);
      if (!match)
        throw unauthenticated(
          metadataUrl,
          new TokenRejectedError('authorization header must be "Bearer <token>"'),
        );
      return match[1];
    }
    const session = isMcpEndpoint(req.path)
      ? undefined
      : readCookie(req, cookieSpec(this.urls.baseUrl(req), 'session').name);
    if (!session) throw unauthenticated(metadataUrl);
    const origin = req.headers.origin;
    if (
      !SAFE_METHODS.has(req.method) &&
      origin !== undefined &&
      canonicalUrl(origin) !== canonicalUrl(this.urls.baseUrl(req))
    ) {
      throw unauthenticated(
        metadataUrl,
        new TokenRejectedError("a session cookie is accepted only from this gateway's own pages"),
      );
    }
    return session;
  }

  /** Our own issuers: the configured one, or the base URL this request came in on (what its client discovered). */
  private issuerAccepted(issuer: string, req: Request): boolean {
    return issuer === this.gatewayIssuer || canonicalUrl(issuer) === canonicalUrl(this.urls.baseUrl(req));
  }

  async authenticate(req: Request): Promise<Principal> {
    const metadataUrl = this.urls.metadataUrl(req);
    const query = req.query as Record<string, unknown>;
    if (QUERY_TOKEN_PARAMS.some((name) => query[name] !== undefined)) {
      // RFC 9700: tokens in URLs leak into logs and referrers; refuse them even when a header token is present.
      throw unauthenticated(
        metadataUrl,
        new TokenRejectedError('tokens in query strings are refused', ErrorCode.TOKEN_IN_QUERY),
      );
    }
    const token = this.bearerOrSessionToken(req, metadataUrl);
    let identity;
    try {
      identity = await this.verifier.verify(token);
      if (identity.tokenKind === 'local' && this.config.auth.mode !== 'local') {
        throw new TokenRejectedError('development tokens are not accepted in Entra ID mode');
      }
      if (
        identity.tokenKind === 'gateway' &&
        this.config.auth.mode === 'entra' &&
        !isTenantAllowed(this.config.auth.allowedTenants, identity.tenantKey)
      ) {
        // The allow-list may have changed since the token (or its refresh family) was issued.
        throw new TokenRejectedError('tenant is not allowed on this gateway', ErrorCode.TENANT_NOT_ALLOWED);
      }
      if (identity.issuer !== undefined && !this.issuerAccepted(identity.issuer, req)) {
        throw new TokenRejectedError('token issuer is not trusted by this gateway');
      }
      if (identity.audiences) {
        const accepted = this.urls.acceptedAudiences(req);
        if (!identity.audiences.some((aud) => accepted.includes(canonicalUrl(aud)))) {
          throw new TokenRejectedError(audienceMismatch(identity.audiences, this.urls.resourceUrl(req)));
        }
      }
    } catch (error) {
      if (error instanceof TokenRejectedError) throw unauthenticated(metadataUrl, error);
      throw error;
    }

    const tenant = await this.tenants.resolve(identity.tenantKey);
    if (tenant.status !== 'active') throw tenantRefused(ErrorCode.TENANT_SUSPENDED);
    return {
      tenantId: tenant.id,
      tenantKey: identity.tenantKey,
      oid: identity.oid,
      sub: identity.sub,
      name: identity.name,
      roles: identity.roles,
      scopes: identity.scopes,
      clientId: identity.clientId,
      tokenKind: identity.tokenKind,
      superadmin:
        identity.tokenKind === 'entra' &&
        identity.roles.includes('admin') &&
        this.config.auth.superadminTenants.some((tid) => tid.toLowerCase() === identity.tenantKey),
      expiresAt: identity.expiresAt,
      tenantRequestsPerMinute: tenantRequestLimit(tenant.settings),
    };
  }
}

/** Printable, header-safe and short: only such audiences are echoed back (they come from the token). */
const ECHOABLE = /^[\x21-\x7e]{1,200}$/;

/**
 * Which resource the token was for and which this is, and how to get the right one: the commonest mistake with
 * per-endpoint tokens (RFC 8707) is a token for /mcp used on /servers/{id}/mcp or the other way round.
 */
function audienceMismatch(audiences: readonly string[], resource: string): string {
  const shown = audiences.filter((aud) => ECHOABLE.test(aud)).slice(0, 3);
  return (
    `token was issued for another resource (${shown.join(', ') || 'an audience not shown'}), not ${resource}; ` +
    `get a token for ${resource} (local mode: mcp-gateway token --resource ${resource})`
  );
}
