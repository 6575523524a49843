import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import type { Principal } from '../../common/principal.js';
import { EntraGrantError, type EntraTokenSet } from './entra-client.js';
import { EntraSignInService } from './entra-sign-in.service.js';
import { oboScopeRefusal } from './obo-scope-policy.js';

/** Why no on-behalf-of token could be had; `claims` carries a Conditional Access challenge for the client. */
export class OnBehalfOfError extends Error {
  constructor(
    message: string,
    readonly claims?: string,
  ) {
    super(message);
    this.name = 'OnBehalfOfError';
  }
}

const EXPIRY_MARGIN_MS = 60_000;

/**
 * Tokens for upstream APIs on behalf of the calling user (Entra OBO), so an upstream sees the user without ever
 * receiving the user's own token. The assertion is the caller's Entra token when it presented one, else the
 * user's stored (encrypted) Entra token from the OAuth proxy sign-in. Results are cached per user and scope.
 */
@Injectable()
export class OnBehalfOfService {
  private readonly tokens = new LRUCache<string, { token: string; expiresAt: number }>({ max: 20_000 });
  private readonly inFlight = new Map<string, Promise<EntraTokenSet>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly signIn: EntraSignInService,
  ) {}

  async tokenFor(principal: Principal, scope: string, presentedBearer?: string): Promise<string> {
    if (this.config.auth.mode !== 'entra') {
      throw new OnBehalfOfError('on-behalf-of needs Entra ID; this gateway runs in local identity mode');
    }
    // Checked again here, not only at registration: servers stored before the policy (or an allowlist change) must
    // not receive users' tokens for a scope the deployment no longer allows.
    const refusal = oboScopeRefusal(scope, {
      gatewayClientId: this.config.auth.clientId,
      allowedScopes: this.config.auth.oboAllowedScopes,
    });
    if (refusal) throw new OnBehalfOfError(`the server's on-behalf-of scope ${refusal}`);
    // Looked up before any assertion is fetched: on the proxy path a cached exchange costs no database read.
    // A caller's own Entra token is part of the key, so a new token (new roles, new claims) gets a new exchange.
    const presented = principal.tokenKind === 'entra' ? presentedBearer : undefined;
    const key = `${principal.tenantKey}/${principal.oid}/${scope}/${presented ? createHash('sha256').update(presented).digest('base64url') : 'stored'}`;
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - EXPIRY_MARGIN_MS > Date.now()) return cached.token;
    // One exchange per key at a time: concurrent requests share it (a stored sign-in refreshes only once).
    let pending = this.inFlight.get(key);
    if (!pending) {
      pending = this.exchange(principal, scope, presented).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, pending);
    }
    const issued = await pending;
    this.tokens.set(key, {
      token: issued.accessToken,
      expiresAt: Date.now() + issued.expiresInSeconds * 1000,
    });
    return issued.accessToken;
  }

  private async exchange(principal: Principal, scope: string, presented: string | undefined) {
    const assertion =
      principal.tokenKind === 'entra'
        ? presented
        : await this.signIn.userAccessToken({
            tenantKey: principal.tenantKey,
            oid: principal.oid,
            sub: principal.sub,
            name: principal.name,
            roles: [...principal.roles],
            scopes: [...principal.scopes],
            kind: 'gateway',
          });
    if (!assertion) throw new OnBehalfOfError('no Entra sign-in on file for this user; sign in again');
    try {
      return await this.signIn.onBehalfOf(assertion, scope);
    } catch (error) {
      if (error instanceof EntraGrantError) throw new OnBehalfOfError(error.message, error.claims);
      throw error;
    }
  }
}
