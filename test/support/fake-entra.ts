import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  jwtVerify,
  type CryptoKey,
  type JWK,
  type JWTPayload,
  SignJWT,
} from 'jose';

interface Key {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

export interface EntraTokenOptions {
  tid?: string;
  version?: 'v1' | 'v2';
  /** Sign with this key instead of the current published one (e.g. an unpublished key). */
  key?: Key;
  expiresInSeconds?: number;
  notBeforeOffsetSeconds?: number;
}

/**
 * A small stand-in for Microsoft Entra ID on 127.0.0.1, shaped like the real one where it matters to the gateway:
 * issuer `{authority}/{tid}/v2.0` (and v1 `https://sts.windows.net/{tid}/`), per-tenant JWKS that can rotate, RS256
 * tokens with `tid`, `oid`, `roles`, `scp`, and a discovery document without PKCE methods or a registration endpoint.
 */
export interface EntraUser {
  tid: string;
  /** Set to make Entra refuse this user's refresh tokens, as for a disabled account. */
  disabled?: boolean;
  oid?: string;
  name?: string;
  roles?: string[];
}

interface IssuedCode {
  user: EntraUser;
  challenge: string;
  redirectUri: string;
}

export class FakeEntra {
  jwksFetches = 0;
  /** Every query or form Entra's authorize and token endpoints received, for assertions (e.g. never `resource`). */
  readonly received: { endpoint: 'authorize' | 'token'; params: Record<string, string> }[] = [];
  /** When set, on-behalf-of requests answer with this Conditional Access claims challenge. */
  oboClaimsChallenge?: string;
  /** The user the authorize endpoint signs in, as if they had typed their password. */
  nextUser: EntraUser = { tid: '00000000-0000-0000-0000-000000000000' };
  clientSecret = 'fake-entra-client-secret';
  private keys: Key[] = [];
  private readonly codes = new Map<string, IssuedCode>();
  private readonly refreshTokens = new Map<string, EntraUser>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    readonly clientId: string,
  ) {}

  static async start(clientId: string): Promise<FakeEntra> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const entra = new FakeEntra(server, `http://127.0.0.1:${port}`, clientId);
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => void entra.handle(req.url ?? '/', res, req.method ?? 'GET', body));
    });
    await entra.rotate();
    return entra;
  }

  /** Publishes a new signing key and makes it the current one; older keys stay published. */
  async rotate(): Promise<Key> {
    const key = await FakeEntra.newKey();
    this.keys.push(key);
    return key;
  }

  /** A key that signs validly but is not in the published key set. */
  static async newKey(): Promise<Key> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    return { kid: randomUUID(), privateKey, publicJwk: await exportJWK(publicKey) };
  }

  get currentKey(): Key {
    return this.keys[this.keys.length - 1];
  }

  issuer(tid: string, version: 'v1' | 'v2' = 'v2'): string {
    return version === 'v2' ? `${this.url}/${tid}/v2.0` : `https://sts.windows.net/${tid}/`;
  }

  /** An access token for the gateway app, with claims overridable one by one. */
  async token(claims: JWTPayload = {}, options: EntraTokenOptions = {}): Promise<string> {
    const tid = options.tid ?? (claims.tid as string | undefined) ?? '00000000-0000-0000-0000-000000000000';
    const version = options.version ?? 'v2';
    const key = options.key ?? this.currentKey;
    const now = Math.floor(Date.now() / 1000);
    const oid = randomUUID();
    const payload: JWTPayload = {
      aud: version === 'v2' ? this.clientId : `api://${this.clientId}`,
      iss: this.issuer(tid, version),
      tid,
      oid,
      sub: `sub-${oid}`,
      name: 'Test User',
      preferred_username: 'test.user@contoso.example',
      scp: 'access_as_user',
      azp: randomUUID(),
      ver: version === 'v2' ? '2.0' : '1.0',
      iat: now,
      nbf: now + (options.notBeforeOffsetSeconds ?? 0),
      exp: now + (options.expiresInSeconds ?? 3600),
      ...claims,
    };
    return new SignJWT(payload)
      .setProtectedHeader({ alg: 'RS256', kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  private authorize(
    params: Record<string, string>,
    res: ServerResponse,
    send: (status: number, body: unknown) => void,
  ): void {
    this.received.push({ endpoint: 'authorize', params });
    // Entra's quirk that the gateway's proxy exists for.
    if (params.resource !== undefined) {
      send(400, {
        error: 'invalid_target',
        error_description:
          'AADSTS9010010: The resource parameter provided in the request does not match the requested scopes.',
      });
      return;
    }
    if (params.client_id !== this.clientId)
      return send(400, {
        error: 'unauthorized_client',
        error_description: 'AADSTS700016: unknown application',
      });
    if (params.code_challenge_method !== 'S256' || !params.code_challenge)
      return send(400, { error: 'invalid_request', error_description: 'PKCE required' });
    const code = randomUUID();
    this.codes.set(code, {
      user: this.nextUser,
      challenge: params.code_challenge,
      redirectUri: params.redirect_uri,
    });
    const target = new URL(params.redirect_uri);
    target.searchParams.set('code', code);
    target.searchParams.set('state', params.state);
    res.writeHead(302, { location: target.toString() });
    res.end();
  }

  private async tokenEndpoint(
    params: Record<string, string>,
    send: (status: number, body: unknown) => void,
  ): Promise<void> {
    this.received.push({ endpoint: 'token', params });
    if (params.resource !== undefined)
      return send(400, { error: 'invalid_target', error_description: 'AADSTS9010010' });
    if (params.client_id !== this.clientId || params.client_secret !== this.clientSecret) {
      return send(401, {
        error: 'invalid_client',
        error_description: 'AADSTS7000215: Invalid client secret provided.',
      });
    }
    if (params.grant_type === 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
      // On-behalf-of: the assertion must be a valid token for this app; the new token is for the requested API.
      if (params.requested_token_use !== 'on_behalf_of' || !params.assertion || !params.scope) {
        return send(400, {
          error: 'invalid_request',
          error_description: 'AADSTS90014: missing on_behalf_of parameters',
        });
      }
      if (this.oboClaimsChallenge) {
        // Conditional Access: the user must sign in again satisfying these claims (e.g. MFA).
        return send(400, {
          error: 'interaction_required',
          error_description:
            'AADSTS50076: Due to a configuration change made by your administrator, you must use MFA.',
          claims: this.oboClaimsChallenge,
        });
      }
      const claims = await this.verifyOwnToken(params.assertion);
      if (!claims)
        return send(400, {
          error: 'invalid_grant',
          error_description: 'AADSTS50013: Assertion failed signature validation.',
        });
      const audience = params.scope.split(' ')[0].replace(/\/\.default$|\/[^/]+$/, '');
      const obo = await this.token({
        tid: claims.tid,
        oid: claims.oid,
        name: claims.name,
        aud: audience,
        scp: 'user_impersonation',
      });
      return send(200, { token_type: 'Bearer', scope: params.scope, expires_in: 3600, access_token: obo });
    }
    if (params.grant_type === 'refresh_token') {
      const user = this.refreshTokens.get(params.refresh_token);
      this.refreshTokens.delete(params.refresh_token);
      if (!user || user.disabled) {
        return send(400, {
          error: 'invalid_grant',
          error_description: 'AADSTS50057: The user account is disabled.',
        });
      }
      return send(200, await this.tokenResponse(user, params.scope));
    }
    if (params.grant_type !== 'authorization_code') return send(400, { error: 'unsupported_grant_type' });

    const issued = this.codes.get(params.code);
    this.codes.delete(params.code);
    const verifierHash = createHash('sha256')
      .update(params.code_verifier ?? '')
      .digest('base64url');
    if (!issued || issued.redirectUri !== params.redirect_uri || issued.challenge !== verifierHash) {
      return send(400, {
        error: 'invalid_grant',
        error_description:
          'AADSTS70008: The provided authorization code or refresh token has expired or is invalid.',
      });
    }
    send(200, await this.tokenResponse(issued.user, params.scope));
  }

  private async verifyOwnToken(token: string): Promise<JWTPayload | undefined> {
    try {
      const jwks = createLocalJWKSet({
        keys: this.keys.map((key) => ({ ...key.publicJwk, kid: key.kid, alg: 'RS256' })),
      });
      const { payload } = await jwtVerify(token, jwks, {
        audience: [this.clientId, `api://${this.clientId}`],
      });
      return payload;
    } catch {
      return undefined;
    }
  }

  /** Tokens as Entra issues them for the user's current state; the refresh token remembers the (mutable) user. */
  private async tokenResponse(user: EntraUser, scope: string | undefined): Promise<Record<string, unknown>> {
    const { tid, oid, name, roles } = user;
    const access = await this.token({
      tid,
      ...(oid ? { oid } : {}),
      ...(name ? { name } : {}),
      ...(roles ? { roles } : {}),
    });
    const refresh = `rt-${randomUUID()}`;
    this.refreshTokens.set(refresh, user);
    return {
      token_type: 'Bearer',
      scope,
      expires_in: 3600,
      access_token: access,
      refresh_token: refresh,
      id_token: access,
    };
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(url: string, res: ServerResponse, method: string, body: string): Promise<void> {
    const path = url.split('?')[0];
    const send = (status: number, payload: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    };
    if (/^\/[^/]+\/oauth2\/v2\.0\/authorize$/.test(path) && method === 'GET') {
      this.authorize(Object.fromEntries(new URL(url, this.url).searchParams), res, send);
      return;
    }
    if (/^\/[^/]+\/oauth2\/v2\.0\/token$/.test(path) && method === 'POST') {
      await this.tokenEndpoint(Object.fromEntries(new URLSearchParams(body)), send);
      return;
    }
    const keys = /^\/([^/]+)\/discovery\/v2\.0\/keys$/.exec(path);
    if (keys) {
      this.jwksFetches++;
      send(200, {
        keys: this.keys.map((key) => ({ ...key.publicJwk, kid: key.kid, use: 'sig', alg: 'RS256' })),
      });
      return;
    }
    const discovery = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(path);
    if (discovery) {
      const tid = discovery[1];
      // Entra's document: no code_challenge_methods_supported, no registration_endpoint.
      send(200, {
        issuer: `${this.url}/${tid}/v2.0`,
        authorization_endpoint: `${this.url}/${tid}/oauth2/v2.0/authorize`,
        token_endpoint: `${this.url}/${tid}/oauth2/v2.0/token`,
        jwks_uri: `${this.url}/${tid}/discovery/v2.0/keys`,
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        id_token_signing_alg_values_supported: ['RS256'],
        subject_types_supported: ['pairwise'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
      });
      return;
    }
    send(404, { error: 'not_found' });
  }
}
