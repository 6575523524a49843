import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { LRUCache } from 'lru-cache';
import type { UpstreamAuthDto } from './dto/server-settings.dto.js';
import { invalidServer } from './registry.errors.js';
import type { StoredUpstreamAuth } from './registry.types.js';
import { UpstreamSecrets } from './upstream-secrets.js';
import { UpstreamFetch } from './discovery/upstream-fetch.js';

/** What API responses show of upstream auth: settings, never secrets. */
export interface UpstreamAuthView {
  type: StoredUpstreamAuth['type'];
  headerName?: string;
  tokenUrl?: string;
  clientId?: string;
  scope?: string;
  audience?: string;
  hasSecret: boolean;
}

export function describeUpstreamAuth(auth: StoredUpstreamAuth): UpstreamAuthView {
  switch (auth.type) {
    case 'none':
      return { type: 'none', hasSecret: false };
    case 'static':
      return { type: 'static', headerName: auth.headerName, hasSecret: true };
    case 'client_credentials':
      return {
        type: 'client_credentials',
        tokenUrl: auth.tokenUrl,
        clientId: auth.clientId,
        scope: auth.scope,
        audience: auth.audience,
        hasSecret: true,
      };
    case 'entra_obo':
      return { type: 'entra_obo', scope: auth.scope, hasSecret: false };
  }
}

const TOKEN_SAFETY_MARGIN_MS = 30_000;
const MAX_TOKEN_RESPONSE_BYTES = 64 * 1024;

/** Thrown when an upstream's credentials need a signed-in user (Entra on-behalf-of), e.g. during a health check. */
export class UserCredentialsRequired extends Error {}

/**
 * Turns a server's stored upstream auth into request headers. Secrets are opened only here, only when used.
 * Client-credentials tokens are cached until shortly before they expire.
 */
@Injectable()
export class UpstreamCredentials {
  private readonly tokens = new LRUCache<string, { token: string; expiresAt: number }>({ max: 10_000 });

  constructor(private readonly secrets: UpstreamSecrets) {}

  /** Seals a requested auth setting; omitted secrets keep the previous ones when the type is unchanged. */
  toStored(dto: UpstreamAuthDto, serverId: string, previous?: StoredUpstreamAuth): StoredUpstreamAuth {
    switch (dto.type) {
      case 'none':
        return { type: 'none' };
      case 'static': {
        const kept = previous?.type === 'static' ? previous.sealedValue : undefined;
        if (!dto.value && !kept) throw invalidServer('upstreamAuth.value is required for type static');
        return {
          type: 'static',
          headerName: dto.headerName ?? 'Authorization',
          sealedValue: dto.value ? this.secrets.seal(dto.value, serverId) : kept!,
        };
      }
      case 'client_credentials': {
        // The stored secret is reused only towards the same token endpoint and client, never sent somewhere new.
        const kept =
          previous?.type === 'client_credentials' &&
          previous.tokenUrl === dto.tokenUrl &&
          previous.clientId === dto.clientId
            ? previous.sealedClientSecret
            : undefined;
        if (!dto.tokenUrl || !dto.clientId || (!dto.clientSecret && !kept)) {
          throw invalidServer('client_credentials needs upstreamAuth.tokenUrl, clientId and clientSecret');
        }
        return {
          type: 'client_credentials',
          tokenUrl: dto.tokenUrl,
          clientId: dto.clientId,
          sealedClientSecret: dto.clientSecret ? this.secrets.seal(dto.clientSecret, serverId) : kept!,
          ...(dto.scope ? { scope: dto.scope } : {}),
          ...(dto.audience ? { audience: dto.audience } : {}),
        };
      }
      case 'entra_obo':
        if (!dto.scope) throw invalidServer('entra_obo needs upstreamAuth.scope (the upstream API scope)');
        return { type: 'entra_obo', scope: dto.scope };
    }
  }

  /** Headers for a request made by the gateway itself (no user): discovery and health checks. */
  async serviceHeaders(
    auth: StoredUpstreamAuth,
    serverId: string,
    upstream: UpstreamFetch,
  ): Promise<Record<string, string>> {
    switch (auth.type) {
      case 'none':
        return {};
      case 'static':
        return { [auth.headerName]: this.secrets.open(auth.sealedValue, serverId) };
      case 'client_credentials':
        return { Authorization: `Bearer ${await this.clientCredentialsToken(auth, serverId, upstream)}` };
      case 'entra_obo':
        throw new UserCredentialsRequired('this server is called on behalf of each user');
    }
  }

  private async clientCredentialsToken(
    auth: Extract<StoredUpstreamAuth, { type: 'client_credentials' }>,
    serverId: string,
    upstream: UpstreamFetch,
  ): Promise<string> {
    // Keyed by everything that obtains the token, the sealed secret included: once any of it changes (an update that
    // also moves the server elsewhere), the token obtained with the old secret is never handed out again.
    const key = createHash('sha256')
      .update(
        JSON.stringify([
          serverId,
          auth.tokenUrl,
          auth.clientId,
          auth.scope,
          auth.audience,
          auth.sealedClientSecret,
        ]),
      )
      .digest('base64url');
    const cached = this.tokens.get(key);
    if (cached && cached.expiresAt - TOKEN_SAFETY_MARGIN_MS > Date.now()) return cached.token;
    const body = new URLSearchParams({ grant_type: 'client_credentials' });
    if (auth.scope) body.set('scope', auth.scope);
    if (auth.audience) body.set('audience', auth.audience);
    const basic = Buffer.from(
      `${encodeURIComponent(auth.clientId)}:${encodeURIComponent(this.secrets.open(auth.sealedClientSecret, serverId))}`,
    ).toString('base64');
    const response = await upstream.fetch(auth.tokenUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${basic}` },
      body,
      redirect: 'error',
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    if (!response.ok || text.length > MAX_TOKEN_RESPONSE_BYTES) {
      throw new Error(`token endpoint answered ${response.status}`);
    }
    const parsed = JSON.parse(text) as { access_token?: unknown; expires_in?: unknown };
    if (typeof parsed.access_token !== 'string' || parsed.access_token.length === 0) {
      throw new Error('token endpoint returned no access_token');
    }
    const lifetime = typeof parsed.expires_in === 'number' ? parsed.expires_in * 1000 : 300_000;
    this.tokens.set(key, { token: parsed.access_token, expiresAt: Date.now() + lifetime });
    return parsed.access_token;
  }
}
