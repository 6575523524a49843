import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateOAuthTables1795617117478 implements MigrationInterface {
  name = 'CreateOAuthTables1795617117478';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "oauth_clients" (
                "client_id" text NOT NULL,
                "client_secret_hash" text,
                "client_name" text,
                "redirect_uris" text array NOT NULL,
                "token_endpoint_auth_method" text NOT NULL,
                "application_type" text NOT NULL,
                "registration_kind" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_c5c4af500cc8bfc05500fff7f90" PRIMARY KEY ("client_id")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "oauth_authorization_requests" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "client_id" text NOT NULL,
                "redirect_uri" text NOT NULL,
                "state" text,
                "code_challenge" text NOT NULL,
                "scope" text NOT NULL DEFAULT '',
                "resource" text NOT NULL,
                "browser_binding_hash" text NOT NULL,
                "csrf_token_hash" text NOT NULL,
                "decided_at" TIMESTAMP WITH TIME ZONE,
                "upstream_state_hash" text,
                "upstream_code_verifier" text,
                "completed_at" TIMESTAMP WITH TIME ZONE,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_b58675383b1918c882a67ab32e8" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "IDX_oauth_authorization_requests_upstream_state" ON "oauth_authorization_requests" ("upstream_state_hash")
        `);
    await queryRunner.query(`
            CREATE TABLE "oauth_authorization_codes" (
                "code_hash" text NOT NULL,
                "client_id" text NOT NULL,
                "redirect_uri" text NOT NULL,
                "code_challenge" text NOT NULL,
                "resource" text NOT NULL,
                "scope" text NOT NULL DEFAULT '',
                "principal" jsonb NOT NULL,
                "family_id" uuid NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_25c7c7a7cdc5a6eb88200c472ca" PRIMARY KEY ("code_hash")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "oauth_refresh_tokens" (
                "token_hash" text NOT NULL,
                "family_id" uuid NOT NULL,
                "client_id" text NOT NULL,
                "resource" text NOT NULL,
                "scope" text NOT NULL DEFAULT '',
                "principal" jsonb NOT NULL,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "used_at" TIMESTAMP WITH TIME ZONE,
                "revoked_at" TIMESTAMP WITH TIME ZONE,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_e670f36d6278d3f45fce07dbc23" PRIMARY KEY ("token_hash")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_oauth_refresh_tokens_family" ON "oauth_refresh_tokens" ("family_id")
        `);
    await queryRunner.query(`
            CREATE TABLE "upstream_tokens" (
                "tenant_key" text NOT NULL,
                "oid" text NOT NULL,
                "access_token" text NOT NULL,
                "refresh_token" text,
                "expires_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                CONSTRAINT "PK_7c926d1be87e089fdaa65a83060" PRIMARY KEY ("tenant_key", "oid")
            )
        `);
    await queryRunner.query(`
            CREATE TABLE "oauth_signing_keys" (
                "kid" text NOT NULL,
                "public_jwk" jsonb NOT NULL,
                "private_jwk" text NOT NULL,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_c8e0e251f213a0f7b7bd2563201" PRIMARY KEY ("kid")
            )
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            DROP TABLE "oauth_signing_keys"
        `);
    await queryRunner.query(`
            DROP TABLE "upstream_tokens"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_oauth_refresh_tokens_family"
        `);
    await queryRunner.query(`
            DROP TABLE "oauth_refresh_tokens"
        `);
    await queryRunner.query(`
            DROP TABLE "oauth_authorization_codes"
        `);
    await queryRunner.query(`
            DROP INDEX "public"."IDX_oauth_authorization_requests_upstream_state"
        `);
    await queryRunner.query(`
            DROP TABLE "oauth_authorization_requests"
        `);
    await queryRunner.query(`
            DROP TABLE "oauth_clients"
        `);
  }
}
