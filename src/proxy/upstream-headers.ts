import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { GatewayTokens, OnBehalfOfError, OnBehalfOfService } from '../auth/index.js';
import type { Principal } from '../common/principal.js';
import {
  CapabilityDiscovery,
  type RegisteredServer,
  UpstreamCredentials,
  UserCredentialsRequired,
} from '../registry/index.js';
import { GATEWAY_VERSION } from '../common/version.js';
import { ProxyError } from './proxy.errors.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const IDENTITY_TTL_SECONDS = 60;
const IDENTITY_REUSE_MS = 45_000;

/** Who a request is made for: needed for on-behalf-of upstream credentials. */
export interface UpstreamUser {
  principal: Principal;
  /** The bearer token the caller presented (an Entra token is the on-behalf-of assertion). */
  bearer?: string;
}

/** The bearer token of a request, if it carries one. */
export function bearerOf(authorization: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1];
}

/** Headers of a request towards an upstream: protocol headers the client sent, and the upstream's credentials. */
@Injectable()
export class UpstreamHeaders {
  constructor(
    private readonly credentials: UpstreamCredentials,
    private readonly discovery: CapabilityDiscovery,
    private readonly onBehalfOf: OnBehalfOfService,
    private readonly tokens: GatewayTokens,
  ) {}

  /** Signed identity statements, reused for most of their one-minute life (no signature per request). */
  private readonly identities = new LRUCache<string, string>({ max: 20_000, ttl: IDENTITY_REUSE_MS });

  async build(
    server: RegisteredServer,
    protocol: { accept?: string; protocolVersion?: string; upstreamSessionId?: string },
    extra: Record<string, string> = {},
    user?: UpstreamUser,
  ): Promise<Record<string, string>> {
    return {
      accept: protocol.accept ?? 'application/json, text/event-stream',
      'user-agent': `mcp-registry-gateway/${GATEWAY_VERSION}`,
      ...(protocol.protocolVersion ? { 'mcp-protocol-version': protocol.protocolVersion } : {}),
      ...(protocol.upstreamSessionId ? { 'mcp-session-id': protocol.upstreamSessionId } : {}),
      ...extra,
      ...(server.identityHeaders && user ? await this.identityHeaders(server, user.principal) : {}),
      // Last, so nothing above can replace them; the caller's own Authorization header is never forwarded.
      ...(await this.credentialsFor(server, user)),
    };
  }

  async credentialsFor(server: RegisteredServer, user?: UpstreamUser): Promise<Record<string, string>> {
    if (server.upstreamAuth.type === 'entra_obo')
      return this.onBehalfOfHeaders(server.upstreamAuth.scope, user);
    try {
      return await this.credentials.serviceHeaders(server.upstreamAuth, server.id, this.discovery.upstream);
    } catch (error) {
      const reason =
        error instanceof UserCredentialsRequired
          ? 'the upstream needs a signed-in user'
          : (error as Error).message;
      throw new ProxyError(502, ErrorCode.UPSTREAM_AUTH_FAILED, `No upstream credentials: ${reason}`);
    }
  }

  /**
   * Who is calling, for upstreams that opted in: plain headers for convenience, and `X-Mcp-Identity`, a JWT signed
   * with the gateway's key (verify with /oauth/jwks), which is what to trust. Its `aud` is `urn:mcp-gateway:server:`
   * + the registration's id, not the endpoint URLs: those are whatever the server's owner typed, so an owner could list
   * someone else's endpoint beside their own and replay the tokens their endpoint receives there.
   */
  private async identityHeaders(
    server: RegisteredServer,
    principal: Principal,
  ): Promise<Record<string, string>> {
    const key = `${server.id}|${server.updatedAt.getTime()}|${principal.tenantKey}/${principal.oid}|${principal.roles.join(',')}`;
    let identity = this.identities.get(key);
    if (!identity) {
      identity = await this.tokens.issueIdentity({
        tenantKey: principal.tenantKey,
        oid: principal.oid,
        name: principal.name,
        roles: principal.roles,
        audience: [identityAudience(server.id)],
        ttlSeconds: IDENTITY_TTL_SECONDS,
      });
      this.identities.set(key, identity);
    }
    return {
      'x-mcp-user-id': principal.oid,
      'x-mcp-tenant-id': principal.tenantKey,
      'x-mcp-roles': principal.roles.join(','),
      'x-mcp-identity': identity,
    };
  }

  private async onBehalfOfHeaders(
    scope: string,
    user: UpstreamUser | undefined,
  ): Promise<Record<string, string>> {
    if (!user) {
      throw new ProxyError(
        502,
        ErrorCode.UPSTREAM_AUTH_FAILED,
        'This upstream is called on behalf of a user',
      );
    }
    try {
      return {
        Authorization: `Bearer ${await this.onBehalfOf.tokenFor(user.principal, scope, user.bearer)}`,
      };
    } catch (error) {
      if (error instanceof OnBehalfOfError && error.claims) {
        // Conditional Access wants more (MFA, a compliant device): the client must sign in again with these claims.
        const claims = Buffer.from(error.claims).toString('base64');
        throw new ProxyError(
          401,
          ErrorCode.UPSTREAM_AUTH_FAILED,
          'Entra ID requires additional sign-in claims',
          {
            'WWW-Authenticate': `Bearer error="insufficient_claims", error_description="Conditional Access requires additional claims", claims="${claims}"`,
          },
        );
      }
      throw new ProxyError(
        502,
        ErrorCode.UPSTREAM_AUTH_FAILED,
        `No on-behalf-of token: ${(error as Error).message}`,
      );
    }
  }
}

/** The `aud` of the identity tokens sent to one registered server: an upstream accepts only its own. */
export function identityAudience(serverId: string): string {
  return `urn:mcp-gateway:server:${serverId}`;
}
