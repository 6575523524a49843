import { Injectable } from '@nestjs/common';
import { GatewayTokens } from '../gateway-tokens.js';
import { ClientDirectory } from './client-directory.js';
import { EntraSignInService } from './entra-sign-in.service.js';
import type { GrantedPrincipal, OAuthClientEntity } from './oauth.entities.js';
import { constantTimeEquals, hashSecret, pkceChallenge, PKCE_VERIFIER, randomToken } from './oauth-crypto.js';
import { OAuthProtocolError } from '../../common/errors/oauth-protocol.error.js';
import { OAuthRepository } from './oauth.repository.js';

/** Access tokens are short-lived; clients refresh them. Refresh families end 30 days after sign-in. */
export const ACCESS_TOKEN_TTL_SECONDS = 900;
const REFRESH_FAMILY_TTL_MS = 30 * 24 * 3600_000;

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
  scope?: string;
}

export interface ClientCredentials {
  clientId?: string;
  clientSecret?: string;
}

const invalidGrant = (description: string) => new OAuthProtocolError('invalid_grant', description);

/** `/oauth/token` and `/oauth/revoke`: code exchange with PKCE, rotating refresh tokens with reuse detection. */
@Injectable()
export class TokenEndpointService {
  constructor(
    private readonly oauth: OAuthRepository,
    private readonly tokens: GatewayTokens,
    private readonly clients: ClientDirectory,
    private readonly entraSignIn: EntraSignInService,
  ) {}

  async exchange(
    body: Record<string, unknown>,
    credentials: ClientCredentials,
    issuer: string,
  ): Promise<TokenResponse> {
    const client = await this.authenticateClient(credentials);
    switch (body.grant_type) {
      case 'authorization_code':
        return this.redeemCode(client, body, issuer);
      case 'refresh_token':
        return this.refresh(client, body, issuer);
      default:
        throw new OAuthProtocolError(
          'unsupported_grant_type',
          'grant_type must be authorization_code or refresh_token',
        );
    }
  }

  /** RFC 7009: revoking a refresh token ends its whole family; unknown tokens are not an error. */
  async revoke(token: unknown, credentials: ClientCredentials): Promise<void> {
    const client = await this.authenticateClient(credentials);
    if (typeof token !== 'string' || token.length > 512) return;
    const stored = await this.oauth.findRefreshToken(hashSecret(token));
    if (stored && stored.clientId === client.clientId) await this.oauth.revokeFamily(stored.familyId);
  }

  private async redeemCode(
    client: OAuthClientEntity,
    body: Record<string, unknown>,
    issuer: string,
  ): Promise<TokenResponse> {
    const { code, code_verifier: verifier, redirect_uri: redirectUri } = body;
    if (typeof code !== 'string' || code.length > 512)
      throw new OAuthProtocolError('invalid_request', 'code is required');
    if (typeof verifier !== 'string' || !PKCE_VERIFIER.test(verifier)) {
      throw new OAuthProtocolError(
        'invalid_request',
        'code_verifier is required (43-128 unreserved characters)',
      );
    }
    const { code: stored, replayedFamily } = await this.oauth.consumeCode(hashSecret(code));
    if (!stored) {
      // A code used twice means it leaked: revoke what the first use produced (RFC 6749 §4.1.2).
      if (replayedFamily) await this.oauth.revokeFamily(replayedFamily);
      throw invalidGrant('the authorization code is invalid or was already used');
    }
    if (stored.clientId !== client.clientId) throw invalidGrant('the code was issued to another client');
    if (stored.expiresAt.getTime() < Date.now()) throw invalidGrant('the authorization code expired');
    if (redirectUri !== stored.redirectUri)
      throw invalidGrant('redirect_uri does not match the authorization request');
    if (!constantTimeEquals(pkceChallenge(verifier), stored.codeChallenge))
      throw invalidGrant('PKCE verification failed');
    const familyExpiresAt = new Date(Date.now() + REFRESH_FAMILY_TTL_MS);
    return this.issue(
      client,
      stored.principal,
      stored.resource,
      stored.scope,
      stored.familyId,
      familyExpiresAt,
      issuer,
    );
  }

  private async refresh(
    client: OAuthClientEntity,
    body: Record<string, unknown>,
    issuer: string,
  ): Promise<TokenResponse> {
    const presented = body.refresh_token;
    if (typeof presented !== 'string' || presented.length > 512)
      throw new OAuthProtocolError('invalid_request', 'refresh_token is required');
    const { token, reusedFamily } = await this.oauth.consumeRefreshToken(hashSecret(presented));
    if (!token) {
      // A rotated-away refresh token came back: someone holds a copy. End the family for everyone.
      if (reusedFamily) await this.oauth.revokeFamily(reusedFamily);
      throw invalidGrant('the refresh token is invalid, expired or was already used');
    }
    if (token.clientId !== client.clientId)
      throw invalidGrant('the refresh token was issued to another client');
    if (token.expiresAt.getTime() < Date.now())
      throw invalidGrant('the refresh token expired; sign in again');
    if (body.resource !== undefined && body.resource !== token.resource) {
      throw new OAuthProtocolError('invalid_target', 'a refresh token keeps the resource it was issued for');
    }
    let principal = token.principal;
    if (principal.kind === 'gateway') {
      const current = await this.entraSignIn.refreshPrincipal(principal);
      if (!current) {
        await this.oauth.revokeFamily(token.familyId);
        throw invalidGrant('Entra ID no longer vouches for this user; sign in again');
      }
      principal = current;
    }
    return this.issue(
      client,
      principal,
      token.resource,
      token.scope,
      token.familyId,
      token.expiresAt,
      issuer,
    );
  }

  private async issue(
    client: OAuthClientEntity,
    principal: GrantedPrincipal,
    resource: string,
    scope: string,
    familyId: string,
    familyExpiresAt: Date,
    issuer: string,
  ): Promise<TokenResponse> {
    const accessToken = await this.tokens.issue({
      tenantKey: principal.tenantKey,
      oid: principal.oid,
      sub: principal.sub,
      name: principal.name,
      roles: principal.roles,
      // What the user was actually granted (by Entra), never what the client asked for: a client cannot mint itself scopes.
      scopes: principal.scopes,
      clientId: client.clientId,
      kind: principal.kind,
      audience: resource,
      ttlSeconds: ACCESS_TOKEN_TTL_SECONDS,
      issuer,
    });
    const refreshToken = randomToken();
    await this.oauth.insertRefreshToken(hashSecret(refreshToken), {
      familyId,
      clientId: client.clientId,
      resource,
      scope,
      principal,
      expiresAt: familyExpiresAt,
    });
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ACCESS_TOKEN_TTL_SECONDS,
      refresh_token: refreshToken,
      ...(principal.scopes.length > 0 ? { scope: principal.scopes.join(' ') } : {}),
    };
  }

  private async authenticateClient({
    clientId,
    clientSecret,
  }: ClientCredentials): Promise<OAuthClientEntity> {
    const client = clientId ? await this.clients.find(clientId) : undefined;
    const unauthorized = () =>
      new OAuthProtocolError('invalid_client', 'client authentication failed', 401, {
        'WWW-Authenticate': 'Basic realm="oauth"',
      });
    if (!client) throw unauthorized();
    if (client.clientSecretHash === null) {
      if (clientSecret !== undefined) throw unauthorized();
      return client;
    }
    if (clientSecret === undefined || !constantTimeEquals(hashSecret(clientSecret), client.clientSecretHash))
      throw unauthorized();
    return client;
  }
}
