import type { AppConfig } from '../../config/app-config.js';

const TOKEN_TIMEOUT_MS = 10_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** Entra refused a grant. `claims` is set for a Conditional Access challenge the user must satisfy interactively. */
export class EntraGrantError extends Error {
  constructor(
    message: string,
    readonly error: string,
    readonly claims?: string,
  ) {
    super(message);
    this.name = 'EntraGrantError';
  }
}

export interface EntraTokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresInSeconds: number;
}

/**
 * The gateway as a confidential client of Entra ID: the authorize URL it sends browsers to and the code exchange.
 * Plain `fetch` rather than MSAL, which refuses non-https authorities (tests use a local stand-in).
 */
export class EntraClient {
  constructor(private readonly auth: AppConfig['auth']) {}

  get configured(): boolean {
    return Boolean(this.auth.clientId && this.auth.clientSecret);
  }

  /** Single tenant: the tenant's own endpoints. Several or any tenants: `organizations`. */
  private get tenantSegment(): string {
    const allowed = this.auth.allowedTenants;
    const single = allowed.length === 1 && allowed[0] !== '*' ? allowed[0] : undefined;
    return single ?? (allowed.length === 0 ? (this.auth.tenantId ?? 'organizations') : 'organizations');
  }

  /** Scopes for our own API plus the seed's OpenID scopes. Never `resource`: Entra rejects it (AADSTS9010010). */
  get scope(): string {
    return [`api://${this.auth.clientId}/${this.auth.apiScope}`, ...this.auth.oauthScopes].join(' ');
  }

  authorizeUrl(params: { redirectUri: string; state: string; codeChallenge: string }): string {
    const url = new URL(`${this.auth.entraAuthorityHost}/${this.tenantSegment}/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: this.auth.clientId ?? '',
      response_type: 'code',
      response_mode: 'query',
      redirect_uri: params.redirectUri,
      scope: this.scope,
      state: params.state,
      code_challenge: params.codeChallenge,
      code_challenge_method: 'S256',
    }).toString();
    return url.toString();
  }

  exchangeCode(code: string, codeVerifier: string, redirectUri: string): Promise<EntraTokenSet> {
    return this.tokenRequest({
      grant_type: 'authorization_code',
      code,
      code_verifier: codeVerifier,
      redirect_uri: redirectUri,
    });
  }

  /** A fresh access token for a signed-in user: current roles, and a refusal if the account was disabled. */
  refresh(refreshToken: string): Promise<EntraTokenSet> {
    return this.tokenRequest({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /**
   * On-behalf-of (RFC 7523 jwt-bearer): exchanges the user's access token for our API for a token to a downstream
   * API (`scope`, e.g. `api://upstream/.default`), so an upstream sees the user without ever seeing the user's token.
   */
  onBehalfOf(userAccessToken: string, scope: string): Promise<EntraTokenSet> {
    return this.tokenRequest({
      grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer',
      requested_token_use: 'on_behalf_of',
      assertion: userAccessToken,
      scope,
    });
  }

  private async tokenRequest(grant: Record<string, string>): Promise<EntraTokenSet> {
    const response = await fetch(`${this.auth.entraAuthorityHost}/${this.tenantSegment}/oauth2/v2.0/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({
        client_id: this.auth.clientId ?? '',
        client_secret: this.auth.clientSecret ?? '',
        scope: this.scope,
        ...grant,
      }).toString(),
      signal: AbortSignal.timeout(TOKEN_TIMEOUT_MS),
    });
    const text = await response.text();
    if (text.length > MAX_TOKEN_RESPONSE_BYTES) throw new Error('Entra token response is too large');
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      throw new Error(`Entra token endpoint answered ${response.status} with a non-JSON body`);
    }
    if (!response.ok || typeof body.access_token !== 'string') {
      const code = typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
      throw new EntraGrantError(
        `Entra refused the ${grant.grant_type} grant (${code})`,
        code,
        typeof body.claims === 'string' ? body.claims : undefined,
      );
    }
    return {
      accessToken: body.access_token,
      refreshToken: typeof body.refresh_token === 'string' ? body.refresh_token : undefined,
      expiresInSeconds:
        typeof body.expires_in === 'number' ? body.expires_in : Number(body.expires_in ?? 3600),
    };
  }
}
