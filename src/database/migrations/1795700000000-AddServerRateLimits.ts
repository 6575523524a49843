import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddServerRateLimits1795700000000 implements MigrationInterface {
  name = 'AddServerRateLimits1795700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers"
            ADD "rate_limits" jsonb NOT NULL DEFAULT '{}'
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers" DROP COLUMN "rate_limits"
        `);
  }
}
