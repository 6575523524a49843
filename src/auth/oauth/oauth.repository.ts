import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  type GrantedPrincipal,
  OAuthAuthorizationCodeEntity,
  OAuthAuthorizationRequestEntity,
  OAuthClientEntity,
  OAuthRefreshTokenEntity,
  UpstreamTokenEntity,
} from './oauth.entities.js';

export interface StoredCode {
  clientId: string;
  redirectUri: string;
  codeChallenge: string;
  resource: string;
  scope: string;
  principal: GrantedPrincipal;
  familyId: string;
  expiresAt: Date;
}

export interface StoredRefreshToken {
  familyId: string;
  clientId: string;
  resource: string;
  scope: string;
  principal: GrantedPrincipal;
  expiresAt: Date;
}

interface CodeRow {
  client_id: string;
  redirect_uri: string;
  code_challenge: string;
  resource: string;
  scope: string;
  principal: GrantedPrincipal;
  family_id: string;
  expires_at: Date;
}

interface RefreshRow {
  family_id: string;
  client_id: string;
  resource: string;
  scope: string;
  principal: GrantedPrincipal;
  expires_at: Date;
}

/**
 * All SQL of the authorization server. Single-use state (codes, refresh tokens, pending requests) is consumed with
 * one conditional UPDATE ... RETURNING, so two replicas racing on the same value cannot both succeed.
 */
@Injectable()
export class OAuthRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insertClient(client: Omit<OAuthClientEntity, 'createdAt'>): Promise<OAuthClientEntity> {
    const repository = this.dataSource.getRepository(OAuthClientEntity);
    await repository.insert(client);
    return repository.findOneByOrFail({ clientId: client.clientId });
  }

  findClient(clientId: string): Promise<OAuthClientEntity | null> {
    return this.dataSource.getRepository(OAuthClientEntity).findOneBy({ clientId });
  }

  async insertAuthorizationRequest(
    request: Omit<
      OAuthAuthorizationRequestEntity,
      'id' | 'createdAt' | 'decidedAt' | 'upstreamStateHash' | 'upstreamCodeVerifier' | 'completedAt'
    >,
  ): Promise<OAuthAuthorizationRequestEntity> {
    const repository = this.dataSource.getRepository(OAuthAuthorizationRequestEntity);
    const { identifiers } = await repository.insert(request);
    return repository.findOneByOrFail({ id: identifiers[0].id as string });
  }

  /** A request still awaiting its decision and not expired. */
  findPendingRequest(id: string): Promise<OAuthAuthorizationRequestEntity | null> {
    return this.dataSource
      .getRepository(OAuthAuthorizationRequestEntity)
      .createQueryBuilder('r')
      .where('r.id = :id AND r.decided_at IS NULL AND r.expires_at > now()', { id })
      .getOne();
  }

  /** Marks the request decided; false when another decision already took it. */
  async markRequestDecided(id: string): Promise<boolean> {
    const rows: unknown = await this.dataSource.query(
      `UPDATE oauth_authorization_requests SET decided_at = now() WHERE id = $1 AND decided_at IS NULL RETURNING id`,
      [id],
    );
    return affected(rows) > 0;
  }

  /** Entra leg: remembers our state and (sealed) PKCE verifier towards Entra for the callback. */
  async attachUpstreamLeg(id: string, upstreamStateHash: string, sealedVerifier: string): Promise<void> {
    await this.dataSource
      .getRepository(OAuthAuthorizationRequestEntity)
      .update({ id }, { upstreamStateHash, upstreamCodeVerifier: sealedVerifier });
  }

  /** The consented request Entra is returning to; single use (completed once) and within its lifetime. */
  findAwaitingCallback(upstreamStateHash: string): Promise<OAuthAuthorizationRequestEntity | null> {
    return this.dataSource
      .getRepository(OAuthAuthorizationRequestEntity)
      .createQueryBuilder('r')
      .where(
        'r.upstream_state_hash = :hash AND r.decided_at IS NOT NULL AND r.completed_at IS NULL AND r.expires_at > now()',
        {
          hash: upstreamStateHash,
        },
      )
      .getOne();
  }

  async markRequestCompleted(id: string): Promise<boolean> {
    const rows: unknown = await this.dataSource.query(
      `UPDATE oauth_authorization_requests SET completed_at = now() WHERE id = $1 AND completed_at IS NULL RETURNING id`,
      [id],
    );
    return affected(rows) > 0;
  }

  findUpstreamTokens(tenantKey: string, oid: string): Promise<UpstreamTokenEntity | null> {
    return this.dataSource.getRepository(UpstreamTokenEntity).findOneBy({ tenantKey, oid });
  }

  /** Keeps the user's latest Entra tokens (already sealed) for on-behalf-of calls. */
  async saveUpstreamTokens(tokens: Omit<UpstreamTokenEntity, 'updatedAt'>): Promise<void> {
    await this.dataSource
      .getRepository(UpstreamTokenEntity)
      .upsert({ ...tokens, updatedAt: new Date() }, ['tenantKey', 'oid']);
  }

  async insertCode(codeHash: string, code: StoredCode): Promise<void> {
    await this.dataSource
      .getRepository(OAuthAuthorizationCodeEntity)
      .insert({ codeHash, ...code, usedAt: null });
  }

  /** Uses the code once. Returns undefined if unknown; `replayed` carries the family of a code already used. */
  async consumeCode(codeHash: string): Promise<{ code?: StoredCode; replayedFamily?: string }> {
    const rows: unknown = await this.dataSource.query(
      `UPDATE oauth_authorization_codes SET used_at = now() WHERE code_hash = $1 AND used_at IS NULL RETURNING *`,
      [codeHash],
    );
    const row = firstRow<CodeRow>(rows);
    if (row) {
      return {
        code: {
          clientId: row.client_id,
          redirectUri: row.redirect_uri,
          codeChallenge: row.code_challenge,
          resource: row.resource,
          scope: row.scope,
          principal: row.principal,
          familyId: row.family_id,
          expiresAt: new Date(row.expires_at),
        },
      };
    }
    const used = await this.dataSource.getRepository(OAuthAuthorizationCodeEntity).findOneBy({ codeHash });
    return { replayedFamily: used?.familyId };
  }

  async insertRefreshToken(tokenHash: string, token: StoredRefreshToken): Promise<void> {
    await this.dataSource
      .getRepository(OAuthRefreshTokenEntity)
      .insert({ tokenHash, ...token, usedAt: null, revokedAt: null });
  }

  /** Rotates a refresh token: usable once, and only while its family is not revoked. */
  async consumeRefreshToken(
    tokenHash: string,
  ): Promise<{ token?: StoredRefreshToken; reusedFamily?: string }> {
    const rows: unknown = await this.dataSource.query(
      `UPDATE oauth_refresh_tokens SET used_at = now()
        WHERE token_hash = $1 AND used_at IS NULL AND revoked_at IS NULL RETURNING *`,
      [tokenHash],
    );
    const row = firstRow<RefreshRow>(rows);
    if (row) {
      return {
        token: {
          familyId: row.family_id,
          clientId: row.client_id,
          resource: row.resource,
          scope: row.scope,
          principal: row.principal,
          expiresAt: new Date(row.expires_at),
        },
      };
    }
    const known = await this.dataSource.getRepository(OAuthRefreshTokenEntity).findOneBy({ tokenHash });
    return { reusedFamily: known?.familyId };
  }

  findRefreshToken(tokenHash: string): Promise<OAuthRefreshTokenEntity | null> {
    return this.dataSource.getRepository(OAuthRefreshTokenEntity).findOneBy({ tokenHash });
  }

  async revokeFamily(familyId: string): Promise<void> {
    await this.dataSource.query(
      `UPDATE oauth_refresh_tokens SET revoked_at = now() WHERE family_id = $1 AND revoked_at IS NULL`,
      [familyId],
    );
  }
}

/** pg returns `[rows, count]` for UPDATE ... RETURNING through TypeORM's query(); accept both shapes. */
function firstRow<T>(result: unknown): T | undefined {
  if (!Array.isArray(result)) return undefined;
  const rows = Array.isArray(result[0]) ? (result[0] as T[]) : (result as T[]);
  return rows[0];
}

function affected(result: unknown): number {
  if (!Array.isArray(result)) return 0;
  return Array.isArray(result[0]) ? (result[0] as unknown[]).length : result.length;
}
