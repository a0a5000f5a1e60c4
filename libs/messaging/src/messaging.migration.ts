import { MigrationInterface, QueryRunner } from 'typeorm';
import { migrationSchema } from '@app/persistence';

/**
 * The outbox, inbox and dead-letter tables every service keeps in its own schema. Apps list this migration
 * first in their migrations.
 */
export class CreateMessagingTables1763900000000 implements MigrationInterface {
  name = 'CreateMessagingTables1763900000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const raw = migrationSchema(queryRunner);
    const s = `"${raw}"`;
    await queryRunner.query(`
      CREATE TABLE ${s}.outbox (
        id uuid PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        subject text NOT NULL,
        event_type text NOT NULL,
        ordering_key text NOT NULL,
        payload text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        created_at timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        published_at timestamptz,
        stream_seq bigint,
        cancelled_at timestamptz,
        cancel_reason text
      )`);
    await queryRunner.query(
      `CREATE INDEX outbox_unsent_idx ON ${s}.outbox (seq) WHERE published_at IS NULL AND cancelled_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX outbox_unsent_key_idx ON ${s}.outbox (ordering_key, seq) WHERE published_at IS NULL AND cancelled_at IS NULL`,
    );
    await queryRunner.query(
      `CREATE INDEX outbox_published_at_idx ON ${s}.outbox (published_at) WHERE published_at IS NOT NULL`,
    );
    await queryRunner.query(`
      CREATE FUNCTION ${s}.outbox_notify() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        PERFORM pg_notify('outbox_${raw}', '');
        RETURN NULL;
      END $$`);
    await queryRunner.query(
      `CREATE TRIGGER outbox_notify AFTER INSERT ON ${s}.outbox FOR EACH STATEMENT EXECUTE FUNCTION ${s}.outbox_notify()`,
    );
    await queryRunner.query(`
      CREATE TABLE ${s}.inbox (
        consumer text NOT NULL,
        event_id text NOT NULL,
        event_type text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      )`);
    await queryRunner.query(`CREATE INDEX inbox_processed_at_idx ON ${s}.inbox (processed_at)`);
    await queryRunner.query(`
      CREATE TABLE ${s}.dead_letter (
        id uuid PRIMARY KEY,
        consumer text NOT NULL,
        stream text NOT NULL,
        stream_seq bigint NOT NULL,
        subject text NOT NULL,
        event_id text,
        event_type text,
        payload text NOT NULL,
        headers jsonb NOT NULL DEFAULT '{}'::jsonb,
        error_code text NOT NULL,
        error_message text NOT NULL,
        deliveries integer NOT NULL,
        dead_lettered_at timestamptz NOT NULL DEFAULT now(),
        replayed_at timestamptz,
        replay_count integer NOT NULL DEFAULT 0,
        UNIQUE (consumer, stream, stream_seq)
      )`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = `"${migrationSchema(queryRunner)}"`;
    await queryRunner.query(`DROP TABLE ${s}.dead_letter`);
    await queryRunner.query(`DROP TABLE ${s}.inbox`);
    await queryRunner.query(`DROP TABLE ${s}.outbox`);
    await queryRunner.query(`DROP FUNCTION ${s}.outbox_notify()`);
  }
}
