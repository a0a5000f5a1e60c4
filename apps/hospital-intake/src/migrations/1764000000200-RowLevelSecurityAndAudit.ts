import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTrail, dropAuditTrail } from '@app/audit';
import {
  ACTOR_ORGANISATION_SQL,
  createRuntimeRole,
  disableOrganisationPolicies,
  dropRuntimeRole,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

const REFERRAL_TABLES = ['referral', 'discharge_assessment', 'idempotency_key', 'green_case'];

/**
 * The runtime role the app connects as (not the owner), row-level security on everything that holds a
 * referral (a hospital sees only its own; event handlers act as the service) and the append-only audit trail.
 * The hospital registry and its API keys stay readable without an actor: they authenticate the caller.
 */
export class RowLevelSecurityAndAudit1764000000200 implements MigrationInterface {
  name = 'RowLevelSecurityAndAudit1764000000200';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await createRuntimeRole(queryRunner);
    const ownReferral = (column: string): string =>
      `EXISTS (SELECT 1 FROM ${s}.referral r WHERE r.id = ${column} AND r.hospital_id = ${ACTOR_ORGANISATION_SQL})`;
    await enableOrganisationPolicies(queryRunner, [
      { table: 'referral', organisationCheck: `hospital_id = ${ACTOR_ORGANISATION_SQL}` },
      { table: 'discharge_assessment', organisationCheck: ownReferral('discharge_assessment.referral_id') },
      { table: 'idempotency_key', organisationCheck: `hospital_id = ${ACTOR_ORGANISATION_SQL}` },
      { table: 'green_case', organisationCheck: ownReferral('green_case.referral_id') },
    ]);
    await createAuditTrail(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAuditTrail(queryRunner);
    await disableOrganisationPolicies(queryRunner, REFERRAL_TABLES);
    await dropRuntimeRole(queryRunner);
  }
}
