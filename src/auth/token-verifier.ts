import { createHash } from 'node:crypto';
import { decodeJwt } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AppConfig, GatewayRole } from '../config/app-config.js';
import { TokenRejectedError } from './auth.errors.js';
import type { EntraTokens } from './entra-tokens.js';
import type { GatewayTokens } from './gateway-tokens.js';
import { effectiveRoles, isGatewayRole, type TokenKind } from '../common/principal.js';

/** A token that passed signature and claim checks, before tenant resolution and the per-request audience check. */
export interface VerifiedIdentity {
  tenantKey: string;
  oid: string;
  sub: string;
  name?: string;
  roles: GatewayRole[];
  scopes: string[];
  clientId?: string;
  tokenKind: TokenKind;
  expiresAt: number;
  /** Audiences to match against the resource being accessed; undefined when the verifier already fixed them (Entra). */
  audiences?: string[];
  /** Issuer to match against the gateway's issuers for this request (gateway tokens only). */
  issuer?: string;
}

const MAX_CACHED_TOKENS = 10_000;

/**
 * Verifies bearer tokens of both kinds and remembers the result by token hash until the token expires, so the hot
 * path does not re-verify signatures on every request. Failures are not cached (a key rotation must be picked up).
 * A gateway token remembered under an older key set is verified again: its key may have been retired since.
 */
export class TokenVerifier {
  private readonly cache = new LRUCache<string, { identity: VerifiedIdentity; keySetVersion: number }>({
    max: MAX_CACHED_TOKENS,
    ttlAutopurge: false,
  });
  private hits = 0;
  private lookups = 0;

  constructor(
    private readonly auth: AppConfig['auth'],
    private readonly gatewayTokens: GatewayTokens,
    private readonly entraTokens?: EntraTokens,
  ) {}

  async verify(token: string): Promise<VerifiedIdentity> {
    const key = createHash('sha256').update(token).digest('base64url');
    this.lookups++;
    const cached = this.cache.get(key);
    const keySetVersion = this.gatewayTokens.keySetVersion;
    if (
      cached &&
      cached.identity.expiresAt * 1000 > Date.now() &&
      (cached.identity.tokenKind === 'entra' || cached.keySetVersion === keySetVersion)
    ) {
      this.hits++;
      return cached.identity;
    }
    const identity = await this.verifyUncached(token);
    const ttl = identity.expiresAt * 1000 - Date.now();
    if (ttl > 0) this.cache.set(key, { identity, keySetVersion }, { ttl });
    return identity;
  }

  /** Share of lookups answered from the cache, for metrics. */
  cacheHitRatio(): number {
    return this.lookups === 0 ? 0 : this.hits / this.lookups;
  }

  private async verifyUncached(token: string): Promise<VerifiedIdentity> {
    if (this.gatewayTokens.owns(token)) return this.fromGatewayToken(token);
    let issuer: unknown;
    try {
      issuer = decodeJwt(token).iss;
    } catch {
      throw new TokenRejectedError('malformed token');
    }
    if (typeof issuer === 'string' && this.entraTokens?.claims(issuer))
      return this.fromEntraToken(token, this.entraTokens);
    throw new TokenRejectedError('token issuer is not trusted by this gateway');
  }

  private async fromGatewayToken(token: string): Promise<VerifiedIdentity> {
    const { payload, audiences } = await this.gatewayTokens.verify(token);
    return {
      tenantKey: payload.tid,
      oid: payload.oid,
      sub: payload.sub ?? payload.oid,
      name: payload.name,
      roles: effectiveRoles(payload.roles.filter(isGatewayRole)),
      scopes: typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [],
      clientId: payload.azp,
      tokenKind: payload.kind === 'local' ? 'local' : 'gateway',
      expiresAt: payload.exp ?? 0,
      audiences,
      issuer: payload.iss,
    };
  }

  private async fromEntraToken(token: string, entra: EntraTokens): Promise<VerifiedIdentity> {
    const { payload } = await entra.verify(token);
    const appRoles = Array.isArray(payload.roles)
      ? payload.roles.filter((r): r is string => typeof r === 'string')
      : [];
    const mapped = appRoles
      .map((role) => this.auth.roleMap[role])
      .filter((role): role is GatewayRole => role !== undefined);
    const clientId =
      typeof payload.azp === 'string'
        ? payload.azp
        : typeof payload.appid === 'string'
          ? payload.appid
          : undefined;
    const scopes = typeof payload.scp === 'string' ? payload.scp.split(' ').filter(Boolean) : [];
    // Only access tokens issued to an application (an id_token has neither azp nor appid), and of one of two kinds:
    // delegated (a user, with our API scope) or app-only (no scp; allowed only with an assigned app role).
    if (!clientId) throw new TokenRejectedError('not an access token');
    if (typeof payload.scp === 'string') {
      if (!scopes.includes(this.auth.apiScope))
        throw new TokenRejectedError(`token lacks the ${this.auth.apiScope} scope`);
    } else if (mapped.length === 0) {
      throw new TokenRejectedError('application token without an assigned gateway role');
    }
    return {
      tenantKey: payload.tid.toLowerCase(),
      oid: payload.oid,
      sub: payload.sub ?? payload.oid,
      name: typeof payload.name === 'string' ? payload.name : undefined,
      // Users with no app-role assignment are ordinary users; the tenant allow-list already decided they may come in.
      roles: effectiveRoles(mapped.length > 0 ? mapped : ['user']),
      scopes,
      clientId,
      tokenKind: 'entra',
      expiresAt: payload.exp ?? 0,
    };
  }
}
