import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateAuditEvents1795710000000 implements MigrationInterface {
  name = 'CreateAuditEvents1795710000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            CREATE TABLE "audit_events" (
                "id" BIGSERIAL NOT NULL,
                "event_id" uuid NOT NULL,
                "occurred_at" TIMESTAMP WITH TIME ZONE NOT NULL,
                "tenant_id" uuid NOT NULL,
                "chain_seq" bigint NOT NULL,
                "actor_oid" text,
                "actor_name" text,
                "roles" text array NOT NULL DEFAULT '{}',
                "client_id" text,
                "surface" text NOT NULL,
                "action" text NOT NULL,
                "server_id" uuid,
                "tool" text,
                "request_id" text,
                "session_hash" text,
                "outcome" text NOT NULL,
                "status" integer,
                "error_code" text,
                "duration_ms" integer,
                "bytes" integer,
                "params" jsonb,
                "ip" text,
                "user_agent" text,
                "prev_hash" text NOT NULL,
                "hash" text NOT NULL,
                CONSTRAINT "PK_audit_events" PRIMARY KEY ("id")
            )
        `);
    await queryRunner.query(`CREATE UNIQUE INDEX "UQ_audit_events_event_id" ON "audit_events" ("event_id")`);
    await queryRunner.query(
      `CREATE UNIQUE INDEX "UQ_audit_events_chain" ON "audit_events" ("tenant_id", "chain_seq")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_time" ON "audit_events" ("tenant_id", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_actor" ON "audit_events" ("tenant_id", "actor_oid", "occurred_at")`,
    );
    await queryRunner.query(
      `CREATE INDEX "IDX_audit_events_server" ON "audit_events" ("tenant_id", "server_id", "occurred_at")`,
    );
    await queryRunner.query(`
            CREATE TABLE "audit_chain_heads" (
                "tenant_id" uuid NOT NULL,
                "seq" bigint NOT NULL,
                "hash" text NOT NULL,
                CONSTRAINT "PK_audit_chain_heads" PRIMARY KEY ("tenant_id")
            )
        `);
    await queryRunner.query(
      `ALTER TABLE "mcp_servers" ADD "audit_redact_keys" text array NOT NULL DEFAULT '{}'`,
    );

    // Append-only: rows can be inserted, never changed, and deleted only by the retention job, which says so with a
    // transaction-local setting. This binds the table owner too; the hash chain catches whoever goes around it.
    await queryRunner.query(`
            CREATE FUNCTION mreg_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF TG_OP = 'DELETE' AND current_setting('mreg.audit_retention', true) = 'on' THEN
                    RETURN OLD;
                END IF;
                RAISE EXCEPTION 'audit_events is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
            END
            $$
        `);
    await queryRunner.query(`
            CREATE TRIGGER "audit_events_append_only" BEFORE UPDATE OR DELETE ON "audit_events"
            FOR EACH ROW EXECUTE FUNCTION mreg_audit_append_only()
        `);
    await queryRunner.query(`
            CREATE TRIGGER "audit_events_no_truncate" BEFORE TRUNCATE ON "audit_events"
            FOR EACH STATEMENT EXECUTE FUNCTION mreg_audit_append_only()
        `);
    // Tenant-scoped reads (RLS, as for mcp_servers): the application role may read its tenant's events, nothing else.
    await queryRunner.query(`GRANT SELECT ON "audit_events" TO mreg_app`);
    await queryRunner.query(`ALTER TABLE "audit_events" ENABLE ROW LEVEL SECURITY`);
    await queryRunner.query(`
            CREATE POLICY "audit_events_tenant_read" ON "audit_events" FOR SELECT TO mreg_app
            USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid)
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP POLICY "audit_events_tenant_read" ON "audit_events"`);
    await queryRunner.query(`REVOKE ALL ON "audit_events" FROM mreg_app`);
    await queryRunner.query(`ALTER TABLE "mcp_servers" DROP COLUMN "audit_redact_keys"`);
    await queryRunner.query(`DROP TABLE "audit_chain_heads"`);
    await queryRunner.query(`DROP TABLE "audit_events"`);
    await queryRunner.query(`DROP FUNCTION mreg_audit_append_only()`);
  }
}
