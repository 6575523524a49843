import { createRemoteJWKSet, decodeJwt, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/app-config.js';
import { TokenRejectedError } from './auth.errors.js';
import { asRejection } from './gateway-tokens.js';
import { ErrorCode } from '../common/errors/error-codes.js';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const CLOCK_SKEW_SECONDS = 300;
/** jose re-fetches the key set on an unknown `kid`, at most once per this many ms per tenant (rate limit). */
const JWKS_COOLDOWN_MS = 30_000;

export interface VerifiedEntraToken {
  payload: JWTPayload & {
    tid: string;
    oid: string;
    roles?: unknown;
    scp?: unknown;
    azp?: unknown;
    appid?: unknown;
    name?: unknown;
  };
}

/**
 * Verifies Microsoft Entra ID access tokens issued to the gateway's app registration: RS256 only, the tenant's own
 * issuer (v2, and v1 when enabled), the tenant in the allow-list, our client id (or `api://` URI) as audience.
 * Keys come from the tenant's JWKS under MREG_ENTRA_AUTHORITY_HOST and are cached by jose.
 */
export class EntraTokens {
  /** One key set per tenant, bounded: with MREG_ALLOWED_TENANTS=* the tenants are not ours to count. */
  private readonly keySets = new LRUCache<string, ReturnType<typeof createRemoteJWKSet>>({ max: 1000 });
  private readonly audiences: string[];

  constructor(private readonly config: AppConfig['auth']) {
    const clientId = config.clientId ?? '';
    this.audiences = [clientId, `api://${clientId}`];
  }

  /** Whether this (unverified) issuer looks like Entra's, so the token should be verified here. */
  claims(issuer: string): boolean {
    return (
      issuer.startsWith(`${this.config.entraAuthorityHost}/`) || issuer.startsWith('https://sts.windows.net/')
    );
  }

  async verify(token: string): Promise<VerifiedEntraToken> {
    let unverified: JWTPayload;
    try {
      unverified = decodeJwt(token);
    } catch {
      throw new TokenRejectedError('malformed token');
    }
    const tid = unverified.tid;
    if (typeof tid !== 'string' || !GUID.test(tid))
      throw new TokenRejectedError('token has no valid tenant id');
    // The issuer must be that tenant's own: a token whose tid and iss disagree is refused before any key is fetched.
    const issuers = [`${this.config.entraAuthorityHost}/${tid}/v2.0`];
    if (this.config.acceptV1Tokens) issuers.push(`https://sts.windows.net/${tid}/`);
    if (!issuers.includes(String(unverified.iss)))
      throw new TokenRejectedError('issuer does not match the token tenant');
    if (!isTenantAllowed(this.config.allowedTenants, tid)) {
      throw new TokenRejectedError('tenant is not allowed on this gateway', ErrorCode.TENANT_NOT_ALLOWED);
    }
    try {
      const { payload } = await jwtVerify(token, this.keySetFor(tid), {
        algorithms: ['RS256'],
        issuer: issuers,
        audience: this.audiences,
        clockTolerance: CLOCK_SKEW_SECONDS,
        requiredClaims: ['exp', 'oid', 'tid'],
      });
      return { payload: payload as VerifiedEntraToken['payload'] };
    } catch (error) {
      throw asRejection(error);
    }
  }

  private keySetFor(tid: string): ReturnType<typeof createRemoteJWKSet> {
    let keySet = this.keySets.get(tid);
    if (!keySet) {
      keySet = createRemoteJWKSet(new URL(`${this.config.entraAuthorityHost}/${tid}/discovery/v2.0/keys`), {
        cooldownDuration: JWKS_COOLDOWN_MS,
        timeoutDuration: 5000,
      });
      this.keySets.set(tid, keySet);
    }
    return keySet;
  }
}

/** Whether an Entra tenant may sign in: listed in MREG_ALLOWED_TENANTS (case-insensitively) or allowed by `*`. */
export function isTenantAllowed(allowed: readonly string[], tid: string): boolean {
  return allowed.includes('*') || allowed.some((entry) => entry.toLowerCase() === tid.toLowerCase());
}
