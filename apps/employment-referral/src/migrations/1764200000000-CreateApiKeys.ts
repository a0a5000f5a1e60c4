import { MigrationInterface, QueryRunner } from 'typeorm';
import { createApiKeyTable, dropApiKeyTable } from '@app/auth';

/** The shared `api_key` table of @app/auth (this service's organisations, issued by ops admins). */
export class CreateApiKeys1764200000000 implements MigrationInterface {
  name = 'CreateApiKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createApiKeyTable(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropApiKeyTable(queryRunner);
  }
}
