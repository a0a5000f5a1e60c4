import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The shared rate-limit counters of a service (in its own schema, so every replica of the service counts into
 * the same rows): one row per limited key (a principal, an IP digest, a hospital on the bus or MLLP), holding
 * the current fixed window and its hits. Rows of past windows are purged by the limiter.
 *
 * UNLOGGED: a counter is bumped on every request, and a logged table would make each request wait for a WAL
 * flush of its own. Counters need no durability: after a database crash the table comes back empty and the
 * current windows start again from zero (a brief grace, never a refusal).
 */
export class CreateRateLimitTable1766700000000 implements MigrationInterface {
  name = 'CreateRateLimitTable1766700000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE UNLOGGED TABLE ${s}.rate_limit (
        key text PRIMARY KEY CHECK (length(key) <= 200),
        window_start bigint NOT NULL,
        hits integer NOT NULL CHECK (hits > 0)
      )`);
    await queryRunner.query(`CREATE INDEX rate_limit_window_idx ON ${s}.rate_limit (window_start)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE ${quotedMigrationSchema(queryRunner)}.rate_limit`);
  }
}
