import { Column, CreateDateColumn, Entity, Index, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';
import type { GatewayRole } from '../../config/app-config.js';

export type ClientAuthMethod = 'none' | 'client_secret_post' | 'client_secret_basic';

/** A registered OAuth client of the gateway's authorization server (dynamic registration for now). */
@Entity({ name: 'oauth_clients' })
export class OAuthClientEntity {
  @PrimaryColumn({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'client_secret_hash', type: 'text', nullable: true })
  clientSecretHash!: string | null;

  @Column({ name: 'client_name', type: 'text', nullable: true })
  clientName!: string | null;

  @Column({ name: 'redirect_uris', type: 'text', array: true })
  redirectUris!: string[];

  @Column({ name: 'token_endpoint_auth_method', type: 'text' })
  tokenEndpointAuthMethod!: ClientAuthMethod;

  @Column({ name: 'application_type', type: 'text' })
  applicationType!: 'native' | 'web';

  @Column({ name: 'registration_kind', type: 'text' })
  registrationKind!: 'dcr' | 'cimd' | 'static';

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** What a code or refresh token stands for: the user as authenticated at sign-in. */
export interface GrantedPrincipal {
  tenantKey: string;
  oid: string;
  sub: string;
  name?: string;
  roles: GatewayRole[];
  scopes: string[];
  kind: 'local' | 'gateway';
}

/** An authorization request between `/oauth/authorize` and the user's decision; bound to one browser. */
@Entity({ name: 'oauth_authorization_requests' })
export class OAuthAuthorizationRequestEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri!: string;

  @Column({ type: 'text', nullable: true })
  state!: string | null;

  @Column({ name: 'code_challenge', type: 'text' })
  codeChallenge!: string;

  @Column({ type: 'text', default: '' })
  scope!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ name: 'browser_binding_hash', type: 'text' })
  browserBindingHash!: string;

  @Column({ name: 'csrf_token_hash', type: 'text' })
  csrfTokenHash!: string;

  @Column({ name: 'decided_at', type: 'timestamptz', nullable: true })
  decidedAt!: Date | null;

  /** Entra leg: hash of the `state` we sent to Entra, to find this request again on the callback. */
  @Index('IDX_oauth_authorization_requests_upstream_state', { unique: true })
  @Column({ name: 'upstream_state_hash', type: 'text', nullable: true })
  upstreamStateHash!: string | null;

  /** Entra leg: our own PKCE verifier towards Entra, sealed with MREG_ENCRYPTION_KEY. */
  @Column({ name: 'upstream_code_verifier', type: 'text', nullable: true })
  upstreamCodeVerifier!: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt!: Date | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A one-time authorization code (stored hashed). */
@Entity({ name: 'oauth_authorization_codes' })
export class OAuthAuthorizationCodeEntity {
  @PrimaryColumn({ name: 'code_hash', type: 'text' })
  codeHash!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ name: 'redirect_uri', type: 'text' })
  redirectUri!: string;

  @Column({ name: 'code_challenge', type: 'text' })
  codeChallenge!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'text', default: '' })
  scope!: string;

  @Column({ type: 'jsonb' })
  principal!: GrantedPrincipal;

  /** Refresh-token family minted from this code, so a replayed code can revoke it. */
  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A rotating refresh token (stored hashed); all tokens of one sign-in share a family. */
@Entity({ name: 'oauth_refresh_tokens' })
export class OAuthRefreshTokenEntity {
  @PrimaryColumn({ name: 'token_hash', type: 'text' })
  tokenHash!: string;

  @Index('IDX_oauth_refresh_tokens_family')
  @Column({ name: 'family_id', type: 'uuid' })
  familyId!: string;

  @Column({ name: 'client_id', type: 'text' })
  clientId!: string;

  @Column({ type: 'text' })
  resource!: string;

  @Column({ type: 'text', default: '' })
  scope!: string;

  @Column({ type: 'jsonb' })
  principal!: GrantedPrincipal;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt!: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A user's Entra tokens, sealed (AES-256-GCM), kept for on-behalf-of calls to upstreams. One row per user. */
@Entity({ name: 'upstream_tokens' })
export class UpstreamTokenEntity {
  @PrimaryColumn({ name: 'tenant_key', type: 'text' })
  tenantKey!: string;

  @PrimaryColumn({ type: 'text' })
  oid!: string;

  @Column({ name: 'access_token', type: 'text' })
  accessToken!: string;

  @Column({ name: 'refresh_token', type: 'text', nullable: true })
  refreshToken!: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  @Column({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/** Keys that sign gateway tokens in Entra mode, shared by every replica; private halves sealed. */
@Entity({ name: 'oauth_signing_keys' })
export class OAuthSigningKeyEntity {
  @PrimaryColumn({ type: 'text' })
  kid!: string;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk!: Record<string, unknown>;

  @Column({ name: 'private_jwk', type: 'text' })
  privateJwk!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

export const OAUTH_ENTITIES = [
  UpstreamTokenEntity,
  OAuthSigningKeyEntity,
  OAuthClientEntity,
  OAuthAuthorizationRequestEntity,
  OAuthAuthorizationCodeEntity,
  OAuthRefreshTokenEntity,
];
