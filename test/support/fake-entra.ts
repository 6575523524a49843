import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type CryptoKey, type JWK, type JWTPayload, SignJWT } from 'jose';

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
export class FakeEntra {
  jwksFetches = 0;
  private keys: Key[] = [];

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
    server.on('request', (req: IncomingMessage, res: ServerResponse) => entra.handle(req.url ?? '/', res));
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

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private handle(url: string, res: ServerResponse): void {
    const path = url.split('?')[0];
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
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
