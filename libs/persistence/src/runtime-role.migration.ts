import { MigrationInterface, QueryRunner } from 'typeorm';
import { createRuntimeRole, dropRuntimeRole } from './row-security';

/**
 * The runtime role for a service that keeps no referral or patient rows yet (its own later migrations add
 * row-level security to such tables): the app connects as it, never as the owner. Services with protected
 * tables create the role in their row-level security migration instead (creation is idempotent).
 */
export class CreateRuntimeRole1763900000500 implements MigrationInterface {
  name = 'CreateRuntimeRole1763900000500';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createRuntimeRole(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropRuntimeRole(queryRunner);
  }
}
