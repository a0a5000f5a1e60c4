import { QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The webhook outbox and attempt log of one app (`WebhookRepository`). `recipientTable` (e.g. `site`,
 * `hospital`) makes `recipient_id` a foreign key to the recipient's row.
 */
export async function createWebhookTables(queryRunner: QueryRunner, recipientTable?: string): Promise<void> {
  const s = quotedMigrationSchema(queryRunner);
  const reference = recipientTable ? ` REFERENCES ${s}.${recipientTable} (id) ON DELETE CASCADE` : '';
  await queryRunner.query(`
    CREATE TABLE ${s}.webhook_delivery (
      id uuid PRIMARY KEY,
      recipient_id text NOT NULL${reference},
      subject_id uuid NOT NULL,
      event_type text NOT NULL,
      body text NOT NULL,
      created_at timestamptz NOT NULL DEFAULT now(),
      attempts integer NOT NULL DEFAULT 0,
      next_attempt_at timestamptz NOT NULL DEFAULT now(),
      delivered_at timestamptz,
      given_up_at timestamptz,
      last_status integer,
      last_error text
    )`);
  await queryRunner.query(
    `CREATE INDEX webhook_delivery_due_idx ON ${s}.webhook_delivery (next_attempt_at)
      WHERE delivered_at IS NULL AND given_up_at IS NULL`,
  );
  await queryRunner.query(
    `CREATE INDEX webhook_delivery_recipient_idx ON ${s}.webhook_delivery (recipient_id, created_at)`,
  );
  await queryRunner.query(`
    CREATE TABLE ${s}.webhook_attempt (
      delivery_id uuid NOT NULL REFERENCES ${s}.webhook_delivery (id) ON DELETE CASCADE,
      attempt integer NOT NULL,
      at timestamptz NOT NULL DEFAULT now(),
      status integer,
      error text,
      duration_ms integer NOT NULL,
      PRIMARY KEY (delivery_id, attempt)
    )`);
}

export async function dropWebhookTables(queryRunner: QueryRunner): Promise<void> {
  const s = quotedMigrationSchema(queryRunner);
  await queryRunner.query(`DROP TABLE ${s}.webhook_attempt`);
  await queryRunner.query(`DROP TABLE ${s}.webhook_delivery`);
}
