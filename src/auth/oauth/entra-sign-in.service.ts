import { Inject, Injectable, Logger } from '@nestjs/common';
import { SecretBox } from '../../common/crypto/secret-box.js';
import { APP_CONFIG, type AppConfig } from '../../config/app-config.js';
import { TenantsService } from '../../tenancy/index.js';
import { TokenRejectedError } from '../auth.errors.js';
import { TokenVerifier } from '../token-verifier.js';
import { EntraClient, type EntraTokenSet } from './entra-client.js';
import type { GrantedPrincipal, OAuthAuthorizationRequestEntity } from './oauth.entities.js';
import { constantTimeEquals, hashSecret, pkceChallenge, randomToken } from './oauth-crypto.js';
import { OAuthProtocolError } from '../../common/errors/oauth-protocol.error.js';
import { OAuthRepository } from './oauth.repository.js';
import { upstreamTokenBinding } from './upstream-tokens-at-rest.js';

/** A stored Entra access token this close to expiry is refreshed before use in an on-behalf-of exchange. */
const ACCESS_TOKEN_MARGIN_MS = 120_000;

/** A failure to show in the browser (the request cannot be tied to a client safely). */
export class SignInPageError extends OAuthProtocolError {}

export type SignInOutcome =
  | { ok: true; request: OAuthAuthorizationRequestEntity; principal: GrantedPrincipal }
  | {
      ok: false;
      request: OAuthAuthorizationRequestEntity;
      error: 'access_denied' | 'server_error';
      description: string;
    };

/**
 * The Entra leg of the proxy: after consent the browser goes to Entra with our own PKCE pair and our callback (never
 * the client's `resource`, which Entra rejects); on return the code is exchanged with the client secret, the access
 * token is verified like any bearer token, and the Entra tokens are kept sealed for later on-behalf-of use.
 */
@Injectable()
export class EntraSignInService {
  private readonly logger = new Logger('EntraSignIn');
  private readonly entra: EntraClient;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(SecretBox) private readonly box: SecretBox | null,
    private readonly oauth: OAuthRepository,
    private readonly verifier: TokenVerifier,
    private readonly tenants: TenantsService,
  ) {
    this.entra = new EntraClient(config.auth);
  }

  /** Why the proxy cannot sign users in through Entra, or undefined when it can. */
  unavailableReason(): string | undefined {
    if (this.config.auth.mode !== 'entra') return undefined;
    if (!this.entra.configured || !this.box) {
      return 'the OAuth proxy needs MREG_AZURE_CLIENT_SECRET and MREG_ENCRYPTION_KEY';
    }
    return undefined;
  }

  callbackUrl(issuer: string): string {
    return this.config.auth.oauthCallbackUrl ?? `${issuer}/oauth/callback`;
  }

  /** Records our PKCE verifier and state for this request and returns Entra's authorize URL. */
  async start(request: OAuthAuthorizationRequestEntity, issuer: string): Promise<string> {
    const box = this.requireBox();
    const state = randomToken();
    const verifier = randomToken(48);
    await this.oauth.attachUpstreamLeg(request.id, hashSecret(state), box.seal(verifier, request.id));
    return this.entra.authorizeUrl({
      redirectUri: this.callbackUrl(issuer),
      state,
      codeChallenge: pkceChallenge(verifier),
    });
  }

  async complete(
    query: Record<string, unknown>,
    bindingToken: string | undefined,
    issuer: string,
  ): Promise<SignInOutcome> {
    const state = typeof query.state === 'string' && query.state.length <= 256 ? query.state : undefined;
    const request = state ? await this.oauth.findAwaitingCallback(hashSecret(state)) : null;
    if (!request)
      throw new SignInPageError('invalid_request', 'this sign-in is unknown, expired or already completed');
    // Single use, and only in the browser that consented (state alone could have leaked through a referrer or log).
    const bound =
      bindingToken !== undefined && constantTimeEquals(hashSecret(bindingToken), request.browserBindingHash);
    if (!bound) throw new SignInPageError('access_denied', 'this sign-in did not start in this browser', 403);
    if (!(await this.oauth.markRequestCompleted(request.id))) {
      throw new SignInPageError('invalid_request', 'this sign-in was already completed');
    }
    if (typeof query.error === 'string') {
      return {
        ok: false,
        request,
        error: 'access_denied',
        description: `sign-in at Entra ID failed (${query.error.slice(0, 100)})`,
      };
    }
    if (typeof query.code !== 'string' || query.code.length > 4096 || !request.upstreamCodeVerifier) {
      return {
        ok: false,
        request,
        error: 'server_error',
        description: 'Entra ID returned no authorization code',
      };
    }
    const box = this.requireBox();
    try {
      const tokens = await this.entra.exchangeCode(
        query.code,
        box.open(request.upstreamCodeVerifier, request.id),
        this.callbackUrl(issuer),
      );
      const identity = await this.verifier.verify(tokens.accessToken);
      const tenant = await this.tenants.resolve(identity.tenantKey);
      if (tenant.status !== 'active')
        return {
          ok: false,
          request,
          error: 'access_denied',
          description: 'your organisation is suspended on this gateway',
        };
      const sealWith = upstreamTokenBinding(identity.tenantKey, identity.oid);
      await this.oauth.saveUpstreamTokens({
        tenantKey: identity.tenantKey,
        oid: identity.oid,
        accessToken: box.seal(tokens.accessToken, sealWith),
        refreshToken: tokens.refreshToken ? box.seal(tokens.refreshToken, sealWith) : null,
        expiresAt: new Date(Date.now() + tokens.expiresInSeconds * 1000),
      });
      return {
        ok: true,
        request,
        principal: {
          tenantKey: identity.tenantKey,
          oid: identity.oid,
          sub: identity.sub,
          name: identity.name,
          roles: identity.roles,
          scopes: identity.scopes,
          kind: 'gateway',
        },
      };
    } catch (error) {
      const description =
        error instanceof TokenRejectedError
          ? `Entra ID issued a token this gateway does not accept: ${error.message}`
          : 'sign-in at Entra ID could not be completed';
      this.logger.warn(`Entra sign-in failed: ${(error as Error).message}`);
      return {
        ok: false,
        request,
        error: error instanceof TokenRejectedError ? 'access_denied' : 'server_error',
        description,
      };
    }
  }

  /**
   * Refresh of a gateway token family in Entra mode: the user's stored Entra refresh token is redeemed at Entra, so a
   * disabled account, a revoked consent or changed app roles take effect at the next refresh (15 minutes at most)
   * rather than when the 30-day family ends. Undefined when Entra no longer vouches for the user.
   */
  async refreshPrincipal(principal: GrantedPrincipal): Promise<GrantedPrincipal | undefined> {
    const box = this.requireBox();
    const stored = await this.oauth.findUpstreamTokens(principal.tenantKey, principal.oid);
    if (!stored?.refreshToken) return undefined;
    const sealWith = upstreamTokenBinding(principal.tenantKey, principal.oid);
    try {
      const tokens = await this.entra.refresh(box.open(stored.refreshToken, sealWith));
      const identity = await this.verifier.verify(tokens.accessToken);
      if (identity.tenantKey !== principal.tenantKey || identity.oid !== principal.oid) return undefined;
      await this.oauth.saveUpstreamTokens({
        tenantKey: identity.tenantKey,
        oid: identity.oid,
        accessToken: box.seal(tokens.accessToken, sealWith),
        refreshToken: box.seal(tokens.refreshToken ?? box.open(stored.refreshToken, sealWith), sealWith),
        expiresAt: new Date(Date.now() + tokens.expiresInSeconds * 1000),
      });
      return {
        ...principal,
        name: identity.name ?? principal.name,
        roles: identity.roles,
        scopes: identity.scopes,
      };
    } catch (error) {
      this.logger.warn(`Entra refused to refresh ${sealWith}: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * The user's current Entra access token for our API, from the encrypted store, refreshed at Entra when it is
   * (nearly) expired. Undefined when none is on file or Entra no longer vouches for the user.
   */
  async userAccessToken(principal: GrantedPrincipal): Promise<string | undefined> {
    const box = this.requireBox();
    const sealWith = upstreamTokenBinding(principal.tenantKey, principal.oid);
    let stored = await this.oauth.findUpstreamTokens(principal.tenantKey, principal.oid);
    if (stored && stored.expiresAt.getTime() - Date.now() < ACCESS_TOKEN_MARGIN_MS) {
      if (!(await this.refreshPrincipal(principal))) return undefined;
      stored = await this.oauth.findUpstreamTokens(principal.tenantKey, principal.oid);
    }
    return stored ? box.open(stored.accessToken, sealWith) : undefined;
  }

  /** On-behalf-of exchange at Entra (the caller handles caching and challenges). */
  onBehalfOf(assertion: string, scope: string): Promise<EntraTokenSet> {
    return this.entra.onBehalfOf(assertion, scope);
  }

  private requireBox(): SecretBox {
    if (!this.box)
      throw new SignInPageError('temporarily_unavailable', 'the OAuth proxy needs MREG_ENCRYPTION_KEY', 503);
    return this.box;
  }
}
