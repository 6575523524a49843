import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddServerToolRoles1795625941838 implements MigrationInterface {
  name = 'AddServerToolRoles1795625941838';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers"
            ADD "tool_roles" jsonb NOT NULL DEFAULT '{}'
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers" DROP COLUMN "tool_roles"
        `);
  }
}
