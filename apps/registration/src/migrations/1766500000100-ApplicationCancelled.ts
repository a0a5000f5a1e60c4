import { MigrationInterface, QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

const BEFORE = `'received', 'assessment-requested', 'awaiting-consent', 'registered', 'ineligible', 'rejected', 'merged',
  'expired', 'consent-withdrawn', 'refused'`;

/** An application can end `cancelled`: its referring hospital cancelled it before a site accepted (referral.cancelled). */
export class ApplicationCancelled1766500000100 implements MigrationInterface {
  name = 'ApplicationCancelled1766500000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.application DROP CONSTRAINT application_status_check`);
    await queryRunner.query(
      `ALTER TABLE ${s}.application ADD CONSTRAINT application_status_check CHECK (status IN (${BEFORE}, 'cancelled'))`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    const [{ n }] = (await queryRunner.query(
      `SELECT count(*)::int AS n FROM ${s}.application WHERE status = 'cancelled'`,
    )) as { n: number }[];
    if (n > 0) throw new Error(`${n} cancelled applications exist: reverting would lose their status`);
    await queryRunner.query(`ALTER TABLE ${s}.application DROP CONSTRAINT application_status_check`);
    await queryRunner.query(
      `ALTER TABLE ${s}.application ADD CONSTRAINT application_status_check CHECK (status IN (${BEFORE}))`,
    );
  }
}
