import { createHash } from 'node:crypto';
import { apiKeyPrefix, sha256 } from './api-key';
import { OrganisationKind } from './principal';

export interface StaticApiKey {
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  readonly divisionCode?: string | null;
  /** The key in clear (demo seeds and tests only; production keys are issued at random). */
  readonly apiKey: string;
}

type Query = (sql: string, params: unknown[]) => Promise<unknown>;

/** Idempotently stores known keys (by their sha256) in a service's `api_key` table: demo seeds and tests. */
export async function upsertApiKeys(
  query: Query,
  schema: string,
  keys: readonly StaticApiKey[],
): Promise<void> {
  const s = `"${schema.replace(/"/g, '""')}"`;
  for (const k of keys) {
    await query(
      `INSERT INTO ${s}.api_key (prefix, key_sha256, organisation_id, organisation_kind, organisation_name, division_code)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (key_sha256) DO UPDATE SET organisation_id = EXCLUDED.organisation_id,
         organisation_kind = EXCLUDED.organisation_kind, organisation_name = EXCLUDED.organisation_name,
         division_code = EXCLUDED.division_code, revoked_at = NULL, expires_at = NULL`,
      [
        apiKeyPrefix(k.apiKey),
        sha256(k.apiKey),
        k.organisationId,
        k.organisationKind,
        k.organisationName,
        k.divisionCode ?? null,
      ],
    );
  }
}

/**
 * A deterministic demo key for a seeded organisation (never in production; each seed prints the formula):
 * `demo_` + the first 40 hex of sha256("referral-bus demo <label> key: <id>").
 */
export function demoApiKey(label: string, organisationId: string): string {
  const digest = createHash('sha256')
    .update(`referral-bus demo ${label} key: ${organisationId}`, 'utf8')
    .digest('hex');
  return `demo_${digest.slice(0, 40)}`;
}
