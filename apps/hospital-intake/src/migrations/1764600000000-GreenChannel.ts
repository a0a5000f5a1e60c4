import { MigrationInterface, QueryRunner } from 'typeorm';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';
import { createWebhookTables, dropWebhookTables } from '@app/webhooks';

/**
 * The green channel's lane: the hospital registry learns who takes green cases (psychiatric ward, opt-in,
 * webhook) and which hospitals are designated for a county or prefecture, in ladder order; a green case
 * becomes a workflow with its current hospital, status and acknowledgement deadline (the timer, swept with
 * SKIP LOCKED); the webhook outbox of @app/webhooks. Row-level security lets the hospital a case is assigned to
 * see it even when the patient never came from a hospital (no owning referral row).
 */
export class GreenChannel1764600000000 implements MigrationInterface {
  name = 'GreenChannel1764600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      ALTER TABLE ${s}.hospital
        ADD COLUMN has_psychiatric_ward boolean NOT NULL DEFAULT false,
        ADD COLUMN takes_green_cases boolean NOT NULL DEFAULT true,
        ADD COLUMN webhook_url text,
        ADD COLUMN webhook_secret jsonb,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`
      CREATE TABLE ${s}.green_designation (
        division_code text NOT NULL CHECK (division_code ~ '^[0-9]{6}$'),
        hospital_id text NOT NULL REFERENCES ${s}.hospital (id) ON DELETE CASCADE,
        rank smallint NOT NULL CHECK (rank BETWEEN 1 AND 50),
        PRIMARY KEY (division_code, hospital_id),
        CONSTRAINT green_designation_rank_uq UNIQUE (division_code, rank)
      )`);
    // The backfill acts for the service itself (row-level security is forced, the owner included).
    await queryRunner.query(`SELECT set_config('app.system', 'on', true)`);
    await queryRunner.query(`
      ALTER TABLE ${s}.green_case
        ADD COLUMN hospital_id text REFERENCES ${s}.hospital (id),
        ADD COLUMN status text NOT NULL DEFAULT 'unplaced'
          CHECK (status IN ('offered', 'acknowledged', 'readmitted', 'unplaced')),
        ADD COLUMN route text,
        ADD COLUMN step smallint NOT NULL DEFAULT 0,
        ADD COLUMN tried_hospital_ids text[] NOT NULL DEFAULT '{}',
        ADD COLUMN county_division_code text,
        ADD COLUMN trigger text NOT NULL DEFAULT 'relapse-report',
        ADD COLUMN joint_management boolean NOT NULL DEFAULT false,
        ADD COLUMN notified_at timestamptz,
        ADD COLUMN answer_due_at timestamptz,
        ADD COLUMN acknowledged_by text,
        ADD COLUMN acknowledged_at timestamptz,
        ADD COLUMN readmitted_at timestamptz,
        ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now()`);
    await queryRunner.query(`ALTER TABLE ${s}.green_case ALTER COLUMN status DROP DEFAULT`);
    await queryRunner.query(
      `CREATE INDEX green_case_due_idx ON ${s}.green_case (answer_due_at) WHERE status = 'offered'`,
    );
    await queryRunner.query(
      `CREATE INDEX green_case_worklist_idx ON ${s}.green_case (hospital_id, status, reported_at, event_id)`,
    );
    // One open case per referral: a second relapse report of the same referral joins the open one.
    await queryRunner.query(
      `CREATE UNIQUE INDEX green_case_open_uq ON ${s}.green_case (referral_id)
        WHERE status IN ('offered', 'acknowledged')`,
    );
    await disableOrganisationPolicies(queryRunner, ['green_case']);
    await enableOrganisationPolicies(queryRunner, [
      {
        table: 'green_case',
        organisationCheck: `hospital_id = ${ACTOR_ORGANISATION_SQL} OR EXISTS (SELECT 1 FROM ${s}.referral r WHERE r.id = green_case.referral_id AND r.hospital_id = ${ACTOR_ORGANISATION_SQL})`,
      },
    ]);
    await createWebhookTables(queryRunner, 'hospital');
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await dropWebhookTables(queryRunner);
    await disableOrganisationPolicies(queryRunner, ['green_case']);
    await enableOrganisationPolicies(queryRunner, [
      {
        table: 'green_case',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.referral r WHERE r.id = green_case.referral_id AND r.hospital_id = ${ACTOR_ORGANISATION_SQL})`,
      },
    ]);
    await queryRunner.query(`DROP INDEX ${s}.green_case_open_uq`);
    await queryRunner.query(`DROP INDEX ${s}.green_case_worklist_idx`);
    await queryRunner.query(`DROP INDEX ${s}.green_case_due_idx`);
    await queryRunner.query(`
      ALTER TABLE ${s}.green_case
        DROP COLUMN hospital_id, DROP COLUMN status, DROP COLUMN route, DROP COLUMN step,
        DROP COLUMN tried_hospital_ids, DROP COLUMN county_division_code, DROP COLUMN trigger,
        DROP COLUMN joint_management, DROP COLUMN notified_at, DROP COLUMN answer_due_at,
        DROP COLUMN acknowledged_by, DROP COLUMN acknowledged_at, DROP COLUMN readmitted_at,
        DROP COLUMN updated_at`);
    await queryRunner.query(`DROP TABLE ${s}.green_designation`);
    await queryRunner.query(`
      ALTER TABLE ${s}.hospital
        DROP COLUMN has_psychiatric_ward, DROP COLUMN takes_green_cases, DROP COLUMN webhook_url,
        DROP COLUMN webhook_secret, DROP COLUMN updated_at`);
  }
}
