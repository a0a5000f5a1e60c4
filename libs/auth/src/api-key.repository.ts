import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { OrganisationKind } from './principal';

export interface ApiKeyRecord {
  readonly id: string;
  readonly prefix: string;
  readonly keySha256: Buffer;
  readonly organisationId: string;
  readonly organisationKind: OrganisationKind;
  readonly organisationName: string;
  readonly divisionCode: string | null;
  readonly createdAt: Date;
  readonly expiresAt: Date | null;
  readonly revokedAt: Date | null;
}

export type NewApiKey = Pick<
  ApiKeyRecord,
  'prefix' | 'keySha256' | 'organisationId' | 'organisationKind' | 'organisationName' | 'divisionCode'
> & { readonly rotatedFrom?: string };

interface Row {
  id: string;
  prefix: string;
  key_sha256: Buffer;
  organisation_id: string;
  organisation_kind: OrganisationKind;
  organisation_name: string;
  division_code: string | null;
  created_at: Date;
  expires_at: Date | null;
  revoked_at: Date | null;
}

const toRecord = (r: Row): ApiKeyRecord => ({
  id: r.id,
  prefix: r.prefix,
  keySha256: r.key_sha256,
  organisationId: r.organisation_id,
  organisationKind: r.organisation_kind,
  organisationName: r.organisation_name,
  divisionCode: r.division_code,
  createdAt: r.created_at,
  expiresAt: r.expires_at,
  revokedAt: r.revoked_at,
});

/** The service's `api_key` table. */
@Injectable()
export class ApiKeyRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The key with this hash if it is neither revoked nor past its expiry. */
  async findUsableByHash(keySha256: Buffer): Promise<ApiKeyRecord | undefined> {
    const rows = await this.tx.manager.query<Row[]>(
      `SELECT * FROM ${this.tx.schema}.api_key
        WHERE key_sha256 = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())`,
      [keySha256],
    );
    return rows[0] && toRecord(rows[0]);
  }

  async findById(id: string): Promise<ApiKeyRecord | undefined> {
    const rows = await this.tx.manager.query<Row[]>(`SELECT * FROM ${this.tx.schema}.api_key WHERE id = $1`, [
      id,
    ]);
    return rows[0] && toRecord(rows[0]);
  }

  async insert(key: NewApiKey): Promise<ApiKeyRecord> {
    const rows = await this.tx.manager.query<Row[]>(
      `INSERT INTO ${this.tx.schema}.api_key
         (prefix, key_sha256, organisation_id, organisation_kind, organisation_name, division_code, rotated_from)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
      [
        key.prefix,
        key.keySha256,
        key.organisationId,
        key.organisationKind,
        key.organisationName,
        key.divisionCode,
        key.rotatedFrom ?? null,
      ],
    );
    return toRecord(rows[0]);
  }

  /**
   * Marks a live key superseded by a rotation: it expires at `at`. Only a key that has no expiry yet (never
   * rotated, not revoked) can be superseded, and the row lock makes concurrent rotations of one key queue here:
   * the first wins, the others find it already expiring. Returns the expiry, or undefined when the key was not
   * live and unexpiring.
   */
  async supersede(id: string, at: Date): Promise<Date | undefined> {
    // TypeORM answers an UPDATE … RETURNING with [rows, affected].
    const [rows] = await this.tx.manager.query<[{ expires_at: Date }[], number]>(
      `UPDATE ${this.tx.schema}.api_key SET expires_at = $2
        WHERE id = $1 AND revoked_at IS NULL AND expires_at IS NULL RETURNING expires_at`,
      [id, at],
    );
    return rows[0]?.expires_at;
  }

  async revoke(id: string): Promise<boolean> {
    const [rows] = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.tx.schema}.api_key SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING id`,
      [id],
    );
    return rows.length === 1;
  }

  /** Revokes every live key of an organisation (an admin re-issue); returns how many. */
  async revokeAllOf(organisationId: string, organisationKind: OrganisationKind): Promise<number> {
    const [rows] = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.tx.schema}.api_key SET revoked_at = now()
        WHERE organisation_id = $1 AND organisation_kind = $2 AND revoked_at IS NULL RETURNING id`,
      [organisationId, organisationKind],
    );
    return rows.length;
  }

  async listOf(organisationId: string | undefined, limit: number, afterId?: string): Promise<ApiKeyRecord[]> {
    const rows = await this.tx.manager.query<Row[]>(
      `SELECT * FROM ${this.tx.schema}.api_key
        WHERE ($1::text IS NULL OR organisation_id = $1) AND ($2::uuid IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [organisationId ?? null, afterId ?? null, limit],
    );
    return rows.map(toRecord);
  }
}
