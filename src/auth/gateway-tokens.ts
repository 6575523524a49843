import { randomUUID } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, errors, jwtVerify, SignJWT, type JWTPayload } from 'jose';
import type { GatewayRole } from '../config/app-config.js';
import { TokenRejectedError } from './auth.errors.js';
import type { TokenKind } from '../common/principal.js';
import { GATEWAY_TOKEN_ALG, type SigningKeyStore } from './signing-keys.js';

export const LOCAL_ISSUER = 'urn:mcp-registry-gateway:local';
const TOKEN_TYPE = 'at+jwt';
const IDENTITY_TYPE = 'mcp-identity+jwt';
/** Verifiers accept a token this long past its expiry (clocks differ between hosts). */
export const CLOCK_SKEW_SECONDS = 300;
/** The longest lifetime `mcp-gateway token` (local mode) gives a token; key retirement waits this long too. */
export const LOCAL_TOKEN_MAX_TTL_SECONDS = 30 * 24 * 3600;

export interface GatewayTokenClaims {
  tenantKey: string;
  oid: string;
  sub: string;
  name?: string;
  roles: readonly GatewayRole[];
  scopes?: readonly string[];
  clientId?: string;
  kind: Exclude<TokenKind, 'entra'>;
  audience: string | readonly string[];
  ttlSeconds: number;
  /** Default: the configured issuer. The authorization server passes the issuer the client discovered. */
  issuer?: string;
}

export interface VerifiedGatewayToken {
  payload: JWTPayload & {
    tid: string;
    oid: string;
    roles: GatewayRole[];
    scp?: string;
    azp?: string;
    name?: string;
    kind: TokenKind;
  };
  audiences: string[];
}

/** Issues and verifies the gateway's own ES256 access tokens (RFC 9068 shape, `aud` bound to one resource). */
export class GatewayTokens {
  private localJwks: ReturnType<typeof createLocalJWKSet>;
  private jwksVersion: number;

  constructor(
    private readonly keys: SigningKeyStore,
    readonly issuer: string,
  ) {
    this.localJwks = createLocalJWKSet(keys.publicJwks());
    this.jwksVersion = keys.version;
  }

  /** Moves whenever the key set changes (a key added or retired): what a verified token was checked against. */
  get keySetVersion(): number {
    return this.keys.version;
  }

  /** The verification key set, rebuilt when the store picked up a rotated key. */
  private get jwks(): ReturnType<typeof createLocalJWKSet> {
    if (this.jwksVersion !== this.keys.version) {
      this.localJwks = createLocalJWKSet(this.keys.publicJwks());
      this.jwksVersion = this.keys.version;
    }
    return this.localJwks;
  }

  async issue(claims: GatewayTokenClaims): Promise<string> {
    const { kid, privateKey } = this.keys.signingKey;
    return new SignJWT({
      tid: claims.tenantKey,
      oid: claims.oid,
      name: claims.name,
      roles: [...claims.roles],
      scp: claims.scopes?.join(' '),
      azp: claims.clientId,
      kind: claims.kind,
    })
      .setProtectedHeader({ alg: GATEWAY_TOKEN_ALG, kid, typ: TOKEN_TYPE })
      .setIssuer(claims.issuer ?? this.issuer)
      .setSubject(claims.sub)
      .setAudience(typeof claims.audience === 'string' ? claims.audience : [...claims.audience])
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${Math.max(1, Math.floor(claims.ttlSeconds))}s`)
      .setJti(randomUUID())
      .sign(privateKey);
  }

  /**
   * A short-lived statement of who is calling, for upstreams that want the user's identity
   * (`X-Mcp-Identity`). Its `typ` is not `at+jwt`, so it can never be used as an access token here; upstreams
   * verify it with the gateway's JWKS (`/oauth/jwks`) and check that `aud` names their endpoint.
   */
  async issueIdentity(claims: {
    tenantKey: string;
    oid: string;
    name?: string;
    roles: readonly GatewayRole[];
    audience: readonly string[];
    ttlSeconds: number;
  }): Promise<string> {
    const { kid, privateKey } = this.keys.signingKey;
    return new SignJWT({
      tid: claims.tenantKey,
      oid: claims.oid,
      name: claims.name,
      roles: [...claims.roles],
    })
      .setProtectedHeader({ alg: GATEWAY_TOKEN_ALG, kid, typ: IDENTITY_TYPE })
      .setIssuer(this.issuer)
      .setSubject(claims.oid)
      .setAudience([...claims.audience])
      .setIssuedAt()
      .setExpirationTime(`${claims.ttlSeconds}s`)
      .sign(privateKey);
  }

  /** Whether the token claims to be signed by one of our keys (unverified: decides which verifier runs). */
  owns(token: string): boolean {
    try {
      const { kid } = decodeProtectedHeader(token);
      return kid !== undefined && this.keys.hasKey(kid);
    } catch {
      return false;
    }
  }

  /**
   * Checks signature, type and lifetime. Issuer and audience depend on the URL the request used (the authorization
   * server's issuer is the base URL its client discovered), so the caller checks both per request.
   */
  async verify(token: string): Promise<VerifiedGatewayToken> {
    try {
      const { payload } = await jwtVerify(token, this.jwks, {
        algorithms: [GATEWAY_TOKEN_ALG],
        typ: TOKEN_TYPE,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'sub', 'aud', 'iss'],
      });
      if (
        typeof payload.tid !== 'string' ||
        typeof payload.oid !== 'string' ||
        !Array.isArray(payload.roles)
      ) {
        throw new TokenRejectedError('token lacks tenant, user or roles');
      }
      const audiences = typeof payload.aud === 'string' ? [payload.aud] : (payload.aud ?? []);
      return { payload: payload as VerifiedGatewayToken['payload'], audiences };
    } catch (error) {
      throw asRejection(error);
    }
  }
}

/** Maps jose's errors to a reason the caller may see; never the library's internals. */
export function asRejection(error: unknown): TokenRejectedError {
  if (error instanceof TokenRejectedError) return error;
  if (error instanceof errors.JWTExpired) return new TokenRejectedError('token expired');
  if (error instanceof errors.JWTClaimValidationFailed)
    return new TokenRejectedError(`claim "${error.claim}" is not valid (${error.reason})`);
  if (error instanceof errors.JOSEAlgNotAllowed)
    return new TokenRejectedError('signing algorithm not allowed');
  if (error instanceof errors.JWKSNoMatchingKey) return new TokenRejectedError('signed by an unknown key');
  if (error instanceof errors.JWSSignatureVerificationFailed)
    return new TokenRejectedError('signature verification failed');
  if (error instanceof errors.JWKSTimeout)
    return new TokenRejectedError('signing keys could not be fetched in time');
  return new TokenRejectedError('malformed token');
}
