import { QueryRunner } from 'typeorm';
import { quotedMigrationSchema } from '@app/persistence';

/**
 * The one API key table of a service (in its own schema). Each app's migration calls this and then moves its
 * older key storage into it; `dropApiKeyTable` is the last step of that migration's down.
 */
export async function createApiKeyTable(queryRunner: QueryRunner): Promise<void> {
  const s = quotedMigrationSchema(queryRunner);
  await queryRunner.query(`
    CREATE TABLE ${s}.api_key (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      prefix text NOT NULL,
      key_sha256 bytea NOT NULL UNIQUE CHECK (octet_length(key_sha256) = 32),
      organisation_id text NOT NULL,
      organisation_kind text NOT NULL,
      organisation_name text NOT NULL,
      division_code text,
      created_at timestamptz NOT NULL DEFAULT now(),
      expires_at timestamptz,
      revoked_at timestamptz,
      rotated_from uuid REFERENCES ${s}.api_key (id)
    )`);
  await queryRunner.query(`CREATE INDEX api_key_organisation_idx ON ${s}.api_key (organisation_id)`);
}

export async function dropApiKeyTable(queryRunner: QueryRunner): Promise<void> {
  await queryRunner.query(`DROP TABLE ${quotedMigrationSchema(queryRunner)}.api_key`);
}
