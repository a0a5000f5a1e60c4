import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

/**
 * Notices to the patient and guardian (assessment outcome, assigned site, consent reminders, withdrawal
 * confirmation): one row per notice and recipient, written in the transaction of the fact it tells of and sent
 * by the dispatcher (outbox-like). `idempotency_key` (trigger + recipient) makes a redelivered trigger a no-op.
 * The recipient's number is kept sealed for that notice only (and dropped once the notice is final); lists show
 * the masked number.
 */
export class Notices1766400000000 implements MigrationInterface {
  name = 'Notices1766400000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.notice (
        id uuid PRIMARY KEY,
        idempotency_key text NOT NULL UNIQUE,
        registration_id uuid NOT NULL REFERENCES ${s}.registration (id),
        referral_id uuid,
        recipient_role text NOT NULL CHECK (recipient_role IN ('patient', 'guardian')),
        channel text NOT NULL CHECK (channel IN ('sms')),
        template_code text NOT NULL,
        params jsonb NOT NULL,
        recipient_masked text NOT NULL,
        recipient_sealed jsonb,
        status text NOT NULL DEFAULT 'queued'
          CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed')),
        attempts int NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL,
        lease_until timestamptz,
        sender text,
        provider_message_id text,
        failure_reason text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        delivered_at timestamptz,
        failed_at timestamptz,
        updated_at timestamptz NOT NULL
      )`);
    await queryRunner.query(
      `CREATE INDEX notice_due_idx ON ${s}.notice (next_attempt_at) WHERE status IN ('queued', 'sending')`,
    );
    await queryRunner.query(
      `CREATE INDEX notice_registration_idx ON ${s}.notice (registration_id, created_at)`,
    );
    await queryRunner.query(
      `CREATE UNIQUE INDEX notice_provider_message_idx ON ${s}.notice (provider_message_id)
        WHERE provider_message_id IS NOT NULL`,
    );
    // Only the service reads and writes it (it checks who may list a registration's notices).
    await enableOrganisationPolicies(queryRunner, [{ table: 'notice', organisationCheck: null }]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['notice']);
    await queryRunner.query(`DROP TABLE ${s}.notice`);
  }
}
