import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddServerDownEndpoints1795629943715 implements MigrationInterface {
  name = 'AddServerDownEndpoints1795629943715';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers"
            ADD "down_endpoints" text array NOT NULL DEFAULT '{}'
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers" DROP COLUMN "down_endpoints"
        `);
  }
}
