import type { MigrationInterface, QueryRunner } from 'typeorm';

export class AddServerIdentityHeaders1795629377597 implements MigrationInterface {
  name = 'AddServerIdentityHeaders1795629377597';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers"
            ADD "identity_headers" boolean NOT NULL DEFAULT false
        `);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
            ALTER TABLE "mcp_servers" DROP COLUMN "identity_headers"
        `);
  }
}
