import { MigrationInterface, QueryRunner } from 'typeorm';
import { createApiKeyTable, dropApiKeyTable } from '@app/auth';
import { quotedMigrationSchema } from '@app/persistence';

/** Hospital keys move from `hospital_api_key` into the shared `api_key` shape of @app/auth (hashes kept). */
export class ConsolidateApiKeys1764200000000 implements MigrationInterface {
  name = 'ConsolidateApiKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await createApiKeyTable(queryRunner);
    await queryRunner.query(`
      INSERT INTO ${s}.api_key (prefix, key_sha256, organisation_id, organisation_kind, organisation_name,
                                division_code, created_at, revoked_at)
      SELECT k.prefix, k.key_sha256, k.hospital_id, 'hospital', h.name, h.county_division_code, k.created_at,
             k.revoked_at
        FROM ${s}.hospital_api_key k JOIN ${s}.hospital h ON h.id = k.hospital_id`);
    await queryRunner.query(`DROP TABLE ${s}.hospital_api_key`);
  }

  /** Back to `hospital_api_key`: expired keys come back revoked (rbk_ keys keep their prefix). */
  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.hospital_api_key (
        prefix text PRIMARY KEY,
        hospital_id text NOT NULL REFERENCES ${s}.hospital (id),
        key_sha256 bytea NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        revoked_at timestamptz
      )`);
    await queryRunner.query(`
      INSERT INTO ${s}.hospital_api_key (prefix, hospital_id, key_sha256, created_at, revoked_at)
      SELECT DISTINCT ON (k.prefix) k.prefix, k.organisation_id, k.key_sha256, k.created_at,
             COALESCE(k.revoked_at, CASE WHEN k.expires_at <= now() THEN k.expires_at END)
        FROM ${s}.api_key k JOIN ${s}.hospital h ON h.id = k.organisation_id
       WHERE k.organisation_kind = 'hospital'
       ORDER BY k.prefix, k.created_at DESC`);
    await dropApiKeyTable(queryRunner);
  }
}
