import { MigrationInterface, QueryRunner } from 'typeorm';
import { createAuditTrail, dropAuditTrail } from '@app/audit';
import {
  ACTOR_ORGANISATION_SQL,
  createRuntimeRole,
  disableOrganisationPolicies,
  dropRuntimeRole,
  enableOrganisationPolicies,
} from '@app/persistence';

const REFERRAL_TABLES = ['referral', 'referral_exclusion', 'service_record'];

/**
 * The runtime role the app connects as (not the owner), row-level security on the referrals, their exclusions
 * and service records (a site sees only what it holds or wrote; routing, escalation and event handlers act as
 * the service) and the append-only audit trail. The site directory stays readable: it authenticates callers.
 */
export class RowLevelSecurityAndAudit1764100000100 implements MigrationInterface {
  name = 'RowLevelSecurityAndAudit1764100000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createRuntimeRole(queryRunner);
    const ownSite = `site_id = ${ACTOR_ORGANISATION_SQL}`;
    await enableOrganisationPolicies(
      queryRunner,
      REFERRAL_TABLES.map((table) => ({ table, organisationCheck: ownSite })),
    );
    await createAuditTrail(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAuditTrail(queryRunner);
    await disableOrganisationPolicies(queryRunner, REFERRAL_TABLES);
    await dropRuntimeRole(queryRunner);
  }
}
