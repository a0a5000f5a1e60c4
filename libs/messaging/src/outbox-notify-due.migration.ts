import { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '@app/persistence';

/**
 * The outbox trigger wakes the relays only for rows they may send now. Rows held for the process that committed
 * them (OutboxRepository.handOffTo: their `next_attempt_at` ahead) are published by that process; waking the
 * relays for them would cost each an empty round. Apps list this migration after CreateMessagingTables.
 */
export class OutboxNotifyDue1767400000000 implements MigrationInterface {
  name = 'OutboxNotifyDue1767400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const raw = migrationSchema(queryRunner);
    const s = `"${raw}"`;
    await queryRunner.query(`DROP TRIGGER outbox_notify ON ${s}.outbox`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${s}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF EXISTS (SELECT 1 FROM inserted WHERE next_attempt_at <= now()) THEN
          PERFORM pg_notify('outbox_${raw}', '');
        END IF;
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON ${s}.outbox REFERENCING NEW TABLE AS inserted
         FOR EACH STATEMENT EXECUTE FUNCTION ${s}.outbox_notify()`,
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const raw = migrationSchema(queryRunner);
    const s = `"${raw}"`;
    await queryRunner.query(`DROP TRIGGER outbox_notify ON ${s}.outbox`);
    await queryRunner.query(`
      CREATE OR REPLACE FUNCTION ${s}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_${raw}', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON ${s}.outbox FOR EACH STATEMENT EXECUTE FUNCTION ${s}.outbox_notify()`,
    );
  }
}
