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

const PATIENT_TABLES = ['application', 'registration', 'patient', 'consent', 'consent_reminder'];

/**
 * The runtime role the app connects as (not the owner), row-level security on applications, registrations,
 * the patient vault and consents, and the append-only audit trail.
 *
 * An organisation sees the applications it filed, and a county centre those of residents of its county; it
 * sees a registration, patient and consents only through such an application (the policies nest: each
 * EXISTS is itself filtered by the table's policy; columns are qualified by table name in them). Event handlers, sweepers and the cross-organisation
 * effects of consent (duplicate matching, withdrawal everywhere) act as the service. api_client stays
 * readable without an actor: it authenticates callers.
 */
export class RowLevelSecurityAndAudit1763900002100 implements MigrationInterface {
  name = 'RowLevelSecurityAndAudit1763900002100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    const org = ACTOR_ORGANISATION_SQL;
    await createRuntimeRole(queryRunner);
    await enableOrganisationPolicies(queryRunner, [
      {
        table: 'application',
        organisationCheck: `organisation_id = ${org} OR EXISTS (
          SELECT 1 FROM ${s}.api_client c
          WHERE c.organisation_id = ${org} AND c.active AND c.organisation_kind = 'county-centre'
            AND starts_with(application.residence_division_code, left(c.division_code, 6)))`,
      },
      {
        table: 'registration',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.application a WHERE a.registration_id = registration.id)`,
      },
      {
        table: 'patient',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.registration r WHERE r.patient_id = patient.id)`,
      },
      {
        table: 'consent',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.registration r WHERE r.patient_id = consent.patient_id)`,
      },
      {
        table: 'consent_reminder',
        organisationCheck: `EXISTS (SELECT 1 FROM ${s}.application a WHERE a.id = consent_reminder.application_id)`,
      },
    ]);
    await createAuditTrail(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropAuditTrail(queryRunner);
    await disableOrganisationPolicies(queryRunner, PATIENT_TABLES);
    await dropRuntimeRole(queryRunner);
  }
}
