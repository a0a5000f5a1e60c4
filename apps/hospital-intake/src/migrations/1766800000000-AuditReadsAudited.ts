import { MigrationInterface, QueryRunner } from 'typeorm';
import { allowAuditTrailReads, disallowAuditTrailReads } from '@app/audit';

/** Reads of the audit trail are audited: its table accepts `audit-trail` records (who, which filter, when). */
export class AuditReadsAudited1766800000000 implements MigrationInterface {
  name = 'AuditReadsAudited1766800000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await allowAuditTrailReads(queryRunner);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await disallowAuditTrailReads(queryRunner);
  }
}
