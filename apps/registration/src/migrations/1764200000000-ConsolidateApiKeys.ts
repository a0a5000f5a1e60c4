import { MigrationInterface, QueryRunner } from 'typeorm';
import { createApiKeyTable, dropApiKeyTable } from '@app/auth';
import {
  ACTOR_ORGANISATION_SQL,
  disableOrganisationPolicies,
  enableOrganisationPolicies,
  quotedMigrationSchema,
} from '@app/persistence';

const CHANNEL_KINDS = `('family-portal', 'village-committee', 'social-organisation', 'enterprise', 'county-centre')`;

/**
 * The application policy lets a county centre see its county's residents; it finds the centre's division among
 * the keys, so it moves from `api_client` to `api_key` (a usable key) with them.
 */
async function centrePolicyReading(queryRunner: QueryRunner, s: string, keys: 'api_client' | 'api_key') {
  const org = ACTOR_ORGANISATION_SQL;
  const usable =
    keys === 'api_key'
      ? `c.revoked_at IS NULL AND (c.expires_at IS NULL OR c.expires_at > now())`
      : `c.active`;
  await disableOrganisationPolicies(queryRunner, ['application']);
  await enableOrganisationPolicies(queryRunner, [
    {
      table: 'application',
      organisationCheck: `organisation_id = ${org} OR EXISTS (
          SELECT 1 FROM ${s}.${keys} c
          WHERE c.organisation_id = ${org} AND ${usable} AND c.organisation_kind = 'county-centre'
            AND starts_with(application.residence_division_code, left(c.division_code, 6)))`,
    },
  ]);
}

/** Channel keys move from `api_client` (sha256 hex) into the shared `api_key` shape of @app/auth. */
export class ConsolidateApiKeys1764200000000 implements MigrationInterface {
  name = 'ConsolidateApiKeys1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await createApiKeyTable(queryRunner);
    await queryRunner.query(`
      INSERT INTO ${s}.api_key (prefix, key_sha256, organisation_id, organisation_kind, organisation_name,
                                division_code, created_at, revoked_at)
      SELECT 'legacy', decode(key_hash, 'hex'), organisation_id, organisation_kind, organisation_name,
             division_code, created_at, CASE WHEN active THEN NULL ELSE now() END
        FROM ${s}.api_client`);
    await centrePolicyReading(queryRunner, s, 'api_key');
    await queryRunner.query(`DROP TABLE ${s}.api_client`);
  }

  /** Back to one `api_client` row per organisation: its newest key, active when still usable. */
  async down(queryRunner: QueryRunner): Promise<void> {
    const s = quotedMigrationSchema(queryRunner);
    await queryRunner.query(`
      CREATE TABLE ${s}.api_client (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        organisation_id text NOT NULL UNIQUE,
        organisation_name text NOT NULL,
        organisation_kind text NOT NULL CHECK (organisation_kind IN ${CHANNEL_KINDS}),
        division_code text NOT NULL,
        key_hash text NOT NULL UNIQUE,
        active boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      INSERT INTO ${s}.api_client (organisation_id, organisation_name, organisation_kind, division_code, key_hash,
                                   active, created_at)
      SELECT DISTINCT ON (organisation_id) organisation_id, organisation_name, organisation_kind,
             COALESCE(division_code, ''), encode(key_sha256, 'hex'),
             revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now()), created_at
        FROM ${s}.api_key WHERE organisation_kind IN ${CHANNEL_KINDS}
       ORDER BY organisation_id, (revoked_at IS NULL AND expires_at IS NULL) DESC, created_at DESC`);
    await centrePolicyReading(queryRunner, s, 'api_client');
    await dropApiKeyTable(queryRunner);
  }
}
