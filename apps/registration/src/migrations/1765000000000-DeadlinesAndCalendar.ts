import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * Provisional deadlines (counted through a year with no holiday calendar), the refer-to-a-site deadline
 * (from registration to the first site assignment) and the once-per-year missing-calendar alert.
 */
export class DeadlinesAndCalendar1765000000000 implements MigrationInterface {
  name = 'DeadlinesAndCalendar1765000000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.application
        ADD COLUMN register_due_provisional boolean NOT NULL DEFAULT false,
        ADD COLUMN refer_due_at timestamptz,
        ADD COLUMN refer_due_provisional boolean NOT NULL DEFAULT false,
        ADD COLUMN referred_at timestamptz,
        ADD COLUMN refer_breached_at timestamptz`);
    await queryRunner.query(
      `CREATE INDEX application_refer_due_idx ON ${s}.application (refer_due_at)
        WHERE referred_at IS NULL AND refer_breached_at IS NULL AND ended_at IS NULL`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.calendar_alert (
        year integer PRIMARY KEY,
        raised_at timestamptz NOT NULL
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`DROP TABLE ${s}.calendar_alert`);
    await queryRunner.query(`DROP INDEX ${s}.application_refer_due_idx`);
    await queryRunner.query(`
      ALTER TABLE ${s}.application
        DROP COLUMN refer_breached_at,
        DROP COLUMN referred_at,
        DROP COLUMN refer_due_provisional,
        DROP COLUMN refer_due_at,
        DROP COLUMN register_due_provisional`);
  }
}
