import { MigrationInterface, QueryRunner } from 'typeorm';
import { createApiKeyTable, dropApiKeyTable } from '@app/auth';
import { quotedMigrationSchema } from '@app/persistence';

/** Site keys move from `site.api_key_hash` (sha256 hex) into the shared `api_key` shape of @app/auth. */
export class ConsolidateApiKeys1764200000000 implements MigrationInterface {
  name = 'ConsolidateApiKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await createApiKeyTable(queryRunner);
    await queryRunner.query(`
      INSERT INTO ${s}.api_key (prefix, key_sha256, organisation_id, organisation_kind, organisation_name,
                                division_code)
      SELECT 'legacy', decode(api_key_hash, 'hex'), id, 'site', name, county_code
        FROM ${s}.site WHERE api_key_hash IS NOT NULL`);
    await queryRunner.query(`ALTER TABLE ${s}.site DROP COLUMN api_key_hash`);
  }

  /** Back to one hash per site: its newest usable key (none when every key is revoked or expired). */
  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`ALTER TABLE ${s}.site ADD COLUMN api_key_hash text UNIQUE`);
    await queryRunner.query(`
      UPDATE ${s}.site SITE SET api_key_hash = k.hash
        FROM (SELECT DISTINCT ON (organisation_id) organisation_id, encode(key_sha256, 'hex') AS hash
                FROM ${s}.api_key
               WHERE organisation_kind = 'site' AND revoked_at IS NULL
                 AND (expires_at IS NULL OR expires_at > now())
               ORDER BY organisation_id, (expires_at IS NULL) DESC, created_at DESC) k
       WHERE k.organisation_id = SITE.id`);
    await dropApiKeyTable(queryRunner);
  }
}
