import { DomainException } from '@app/core';
import { Injectable } from '@nestjs/common';
import { EmploymentProgramme, EncryptedFieldDto } from '@app/contracts';
import { DeferredPlaces, TransactionHost } from '@app/persistence';

export interface ProviderRecord {
  id: string;
  name: string;
  countyCode: string;
  areaCodes: string[];
  programmes: EmploymentProgramme[];
  accepting: boolean;
  capacity: number;
  reserved: number;
  webhookUrl: string | null;
}

export type NewProvider = Omit<ProviderRecord, 'reserved'> & { webhookSecret: EncryptedFieldDto | null };
export type ProviderPatch = Partial<
  Pick<ProviderRecord, 'name' | 'programmes' | 'capacity' | 'accepting'> & {
    webhookUrl: string;
    webhookSecret: EncryptedFieldDto;
  }
>;

/** A provider as routing announces it. */
export interface MatchedProvider {
  id: string;
  name: string;
}

export interface MatchQuery {
  referralId: string;
  /** The residence and its township and county (most specific first). */
  areaCodes: string[];
  programmes: string[];
}

interface ProviderRow {
  id: string;
  name: string;
  county_code: string;
  area_codes: string[] | null;
  programmes: EmploymentProgramme[];
  accepting: boolean;
  capacity: number;
  reserved: number;
  webhook_url: string | null;
}

/** All I/O on the provider directory; it owns the providers' places (the shared place-taking SQL). */
@Injectable()
export class ProviderRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  private get columns(): string {
    return `p.id, p.name, p.county_code, p.programmes, p.accepting, p.capacity, p.reserved, p.webhook_url,
      ARRAY(SELECT a.division_code FROM ${this.s}.provider_area a WHERE a.provider_id = p.id ORDER BY a.division_code) AS area_codes`;
  }

  private map(row: ProviderRow): ProviderRecord {
    return {
      id: row.id,
      name: row.name,
      countyCode: row.county_code,
      areaCodes: row.area_codes ?? [],
      programmes: row.programmes,
      accepting: row.accepting,
      capacity: row.capacity,
      reserved: row.reserved,
      webhookUrl: row.webhook_url,
    };
  }

  /** Inserts the provider unless its id exists; returns whether it was inserted. */
  async insert(provider: NewProvider): Promise<boolean> {
    const inserted = await this.tx.manager.query<{ id: string }[]>(
      `INSERT INTO ${this.s}.provider
         (id, name, county_code, programmes, accepting, capacity, webhook_url, webhook_secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        provider.id,
        provider.name,
        provider.countyCode,
        provider.programmes,
        provider.accepting,
        provider.capacity,
        provider.webhookUrl,
        provider.webhookSecret ? JSON.stringify(provider.webhookSecret) : null,
      ],
    );
    if (inserted.length === 0) return false;
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.provider_area (division_code, provider_id) SELECT unnest($1::text[]), $2
       ON CONFLICT DO NOTHING`,
      [provider.areaCodes, provider.id],
    );
    return true;
  }

  async update(id: string, patch: ProviderPatch): Promise<boolean> {
    const [rows] = await this.tx.manager.query<[{ id: string }[], number]>(
      `UPDATE ${this.s}.provider SET
          name = COALESCE($2, name),
          programmes = COALESCE($3::text[], programmes),
          capacity = COALESCE($4, capacity),
          accepting = COALESCE($5, accepting),
          webhook_url = COALESCE($6, webhook_url),
          webhook_secret = COALESCE($7::jsonb, webhook_secret),
          updated_at = now()
        WHERE id = $1 RETURNING id`,
      [
        id,
        patch.name ?? null,
        patch.programmes ?? null,
        patch.capacity ?? null,
        patch.accepting ?? null,
        patch.webhookUrl ?? null,
        patch.webhookSecret ? JSON.stringify(patch.webhookSecret) : null,
      ],
    );
    return rows.length > 0;
  }

  async find(id: string): Promise<ProviderRecord | undefined> {
    const [row] = await this.tx.manager.query<ProviderRow[]>(
      `SELECT ${this.columns} FROM ${this.s}.provider p WHERE p.id = $1`,
      [id],
    );
    return row ? this.map(row) : undefined;
  }

  async list(limit: number, afterId?: string): Promise<ProviderRecord[]> {
    const rows = await this.tx.manager.query<ProviderRow[]>(
      `SELECT ${this.columns} FROM ${this.s}.provider p
        WHERE ($2::text IS NULL OR p.id > $2) ORDER BY p.id LIMIT $1`,
      [limit, afterId ?? null],
    );
    return rows.map((r) => this.map(r));
  }

  /**
   * Takes a place at the best provider for a referral, in one statement: serving the residence, its township
   * or county; offering one of the wanted programmes; accepting with a free place; never one that declined
   * this referral. The most local area first, then most free places, then id. The row is not locked here: the
   * place is taken just before the commit in provider-id order and re-checked on the locked row
   * ({@link PROVIDER_PLACES}), so concurrent matches never overbook a provider nor deadlock (issue #22).
   */
  async reserveBestMatch(query: MatchQuery): Promise<MatchedProvider | undefined> {
    const provider = `${this.s}.provider`;
    const [row] = await this.tx.manager.query<MatchedProvider[]>(
      `WITH picked AS (
         SELECT p.id
           FROM ${this.s}.provider_area a
           JOIN ${provider} p ON p.id = a.provider_id
          WHERE a.division_code = ANY($1::text[])
            AND p.accepting AND p.reserved < p.capacity
            AND p.programmes && $2::text[]
            AND NOT EXISTS (SELECT 1 FROM ${this.s}.provider_exclusion x
                             WHERE x.referral_id = $3 AND x.provider_id = p.id)
          ORDER BY length(a.division_code) DESC, p.capacity - p.reserved DESC, p.id
          LIMIT 1
       )
       SELECT p.id, p.name FROM ${provider} p WHERE p.id = (SELECT id FROM picked)`,
      [query.areaCodes, query.programmes, query.referralId],
    );
    if (row) await PROVIDER_PLACES.take(this.tx, row.id);
    return row;
  }

  /** Whether the provider registered a webhook (URL and secret): its notices are then queued for delivery. */
  async hasWebhook(id: string): Promise<boolean> {
    return (await this.webhookTarget(id)) !== undefined;
  }

  /** The provider's webhook URL and sealed signing secret, if it registered one. */
  async webhookTarget(id: string): Promise<{ url: string; secret: EncryptedFieldDto } | undefined> {
    const [row] = await this.tx.manager.query<
      { webhook_url: string | null; webhook_secret: EncryptedFieldDto | null }[]
    >(`SELECT webhook_url, webhook_secret FROM ${this.s}.provider WHERE id = $1`, [id]);
    return row?.webhook_url && row.webhook_secret
      ? { url: row.webhook_url, secret: row.webhook_secret }
      : undefined;
  }

  /** Gives back a place an employment referral held (declined, ended, withdrawn). */
  async releasePlace(providerId: string): Promise<void> {
    await PROVIDER_PLACES.give(this.tx, providerId);
  }
}

/** Provider places, taken and given back at the end of the unit of work in provider-id order (DeferredPlaces). */
const PROVIDER_PLACES = new DeferredPlaces(
  (tx) => `${tx.schema}.provider`,
  (ids) =>
    new DomainException(
      'PROVIDER_FILLED_CONCURRENTLY',
      'unavailable',
      'A provider filled up meanwhile; retry',
      {
        providerIds: ids.join(','),
      },
    ),
);
