import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateMcpServers1795623610875 implements MigrationInterface {
  name = 'CreateMcpServers1795623610875';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "mcp_servers" (
                "id" uuid NOT NULL DEFAULT gen_random_uuid(),
                "tenant_id" uuid NOT NULL,
                "name" text NOT NULL,
                "title" text,
                "description" text NOT NULL DEFAULT '',
                "version" text,
                "endpoints" jsonb NOT NULL,
                "transport" text NOT NULL,
                "visibility" text NOT NULL DEFAULT 'tenant',
                "required_roles" text array NOT NULL DEFAULT '{}',
                "owner_oid" text NOT NULL,
                "tags" text array NOT NULL DEFAULT '{}',
                "upstream_auth" jsonb NOT NULL DEFAULT '{"type": "none"}',
                "timeouts" jsonb NOT NULL DEFAULT '{}',
                "health_check" jsonb NOT NULL DEFAULT '{}',
                "lb_strategy" text NOT NULL DEFAULT 'round_robin',
                "status" text NOT NULL DEFAULT 'unknown',
                "last_checked_at" TIMESTAMP WITH TIME ZONE,
                "next_check_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "consecutive_failures" integer NOT NULL DEFAULT '0',
                "last_error" text,
                "latency_ms" integer,
                "protocol_version" text,
                "server_info" jsonb,
                "capabilities" jsonb,
                "capabilities_hash" text,
                "approved_capabilities" jsonb,
                "approved_capabilities_hash" text,
                "created_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                "updated_at" TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT now(),
                CONSTRAINT "PK_c781b3dc7cb2a5d19460b71914d" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`
            CREATE INDEX "IDX_mcp_servers_next_check" ON "mcp_servers" ("next_check_at")
        `);
    await queryRunner.query(`
            CREATE UNIQUE INDEX "UQ_mcp_servers_tenant_name" ON "mcp_servers" ("tenant_id", "name")
        `);
    await queryRunner.query(`
            ALTER TABLE "mcp_servers"
            ADD CONSTRAINT "FK_5e666dbd569a6b665767b2beda6" FOREIGN KEY ("tenant_id") REFERENCES "tenants"("id") ON DELETE CASCADE ON UPDATE NO ACTION
        `);

    // Row-Level Security: the application switches to the unprivileged role "mreg_app" (SET LOCAL ROLE) with
    // app.tenant_id set for every tenant-scoped transaction, so a query that forgets its tenant sees no rows.
    // Superusers and the table owner bypass these policies; the gateway uses that only for cross-tenant system
    // work (health checks, cache loads). Roles are cluster-wide, hence "if not exists".
    await queryRunner.query(`
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'mreg_app') THEN
                    CREATE ROLE mreg_app NOLOGIN;
                END IF;
                IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
                    EXECUTE format('GRANT mreg_app TO %I', current_user);
                END IF;
            END
            $$
        `);
    await queryRunner.query(`GRANT USAGE ON SCHEMA public TO mreg_app`);
    await queryRunner.query(`GRANT SELECT ON "tenants" TO mreg_app`);
    await queryRunner.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON "mcp_servers" TO mreg_app`);
    await queryRunner.query(`ALTER TABLE "mcp_servers" ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`
            CREATE POLICY "mcp_servers_tenant" ON "mcp_servers" FOR ALL TO mreg_app
            USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid)
            WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid)
        `);
    await queryRunner.query(`
            CREATE POLICY "mcp_servers_global_read" ON "mcp_servers" FOR SELECT TO mreg_app
            USING ("visibility" = 'global')
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP POLICY "mcp_servers_global_read" ON "mcp_servers"`);
    await queryRunner.query(`DROP POLICY "mcp_servers_tenant" ON "mcp_servers"`);
    await queryRunner.query(`REVOKE ALL ON "mcp_servers" FROM mreg_app`);
    await queryRunner.query(`REVOKE ALL ON "tenants" FROM mreg_app`);
    await queryRunner.query(`
            ALTER TABLE "mcp_servers" DROP CONSTRAINT "FK_5e666dbd569a6b665767b2beda6"
        `);
    await queryRunner.query(`
            DROP INDEX "UQ_mcp_servers_tenant_name"
        `);
    await queryRunner.query(`
            DROP INDEX "IDX_mcp_servers_next_check"
        `);
    await queryRunner.query(`
            DROP TABLE "mcp_servers"
        `);
  }
}
