import { Injectable } from '@nestjs/common';
import { EncryptedFieldDto, MAX_COMMUNITY_RISK, RehabService } from '@app/contracts';
import { DomainException } from '@app/core';
import { DeferredPlaces, TransactionHost } from '@app/persistence';
import { CountyCentreFunction, SiteLevel } from './site-vocabulary';

export interface SiteRecord {
  id: string;
  name: string;
  level: SiteLevel;
  countyCode: string;
  areaCodes: string[];
  functions: CountyCentreFunction[];
  services: RehabService[];
  maxRiskLevel: number;
  accepting: boolean;
  capacity: number;
  reserved: number;
  webhookUrl: string | null;
  /** The site's public front desk (never a person): told to the patient and guardian on assignment. */
  contactAddress: string | null;
  contactPhone: string | null;
}

export interface NewSite extends Omit<SiteRecord, 'reserved' | 'areaCodes'> {
  areaCodes: string[];
  webhookSecret: EncryptedFieldDto | null;
}

export interface CandidateQuery {
  referralId: string;
  /** Residence committee, township and county codes (most specific first). */
  areaCodes: string[];
  needs: string[];
  riskLevel: number;
  previousSiteId?: string | null;
  preferredSiteId?: string | null;
}

/** The assignment written with a reservation (status assigned, holding the place, not manual). */
export interface CandidateAssignment {
  hop: number;
  assignedAt: Date;
  answerDueAt: Date;
}

/** A site as routing announces it. */
export interface RoutingTarget {
  id: string;
  name: string;
  /** The site's county (GB/T 2260): tells sites of the same name apart for the referring hospital. */
  countyCode?: string;
  /** Whether it registered a webhook (URL and secret): notices are then also queued for delivery. */
  hasWebhook: boolean;
  /** The site's public contact, when the directory has it (referral.assigned siteAddress / sitePhone). */
  contactAddress: string | null;
  contactPhone: string | null;
}

/** The row of {@link ROUTING_TARGET_COLUMNS}. */
export interface RoutingTargetRow {
  id: string;
  name: string;
  county_code: string;
  has_webhook: boolean;
  contact_address: string | null;
  contact_phone: string | null;
}

/** The columns (of the site aliased `s`) a {@link RoutingTarget} is read from. */
const ROUTING_TARGET_COLUMNS = `s.id, s.name, s.county_code,
  (s.webhook_url IS NOT NULL AND s.webhook_secret IS NOT NULL) AS has_webhook, s.contact_address, s.contact_phone`;

export function toRoutingTarget(row: RoutingTargetRow): RoutingTarget {
  return {
    id: row.id,
    name: row.name,
    countyCode: row.county_code ?? undefined,
    hasWebhook: row.has_webhook,
    contactAddress: row.contact_address,
    contactPhone: row.contact_phone,
  };
}

interface SiteRow {
  id: string;
  name: string;
  level: SiteLevel;
  county_code: string;
  area_codes: string[] | null;
  functions: CountyCentreFunction[];
  services: RehabService[];
  max_risk_level: number;
  accepting: boolean;
  capacity: number;
  reserved: number;
  webhook_url: string | null;
  contact_address: string | null;
  contact_phone: string | null;
}

const SITE_COLUMNS = `s.id, s.name, s.level, s.county_code, s.functions, s.services, s.max_risk_level, s.accepting,
  s.capacity, s.reserved, s.webhook_url, s.contact_address, s.contact_phone,
  ARRAY(SELECT a.division_code FROM __S__.site_area a WHERE a.site_id = s.id ORDER BY a.division_code) AS area_codes`;

/**
 * How many serving areas routing looks in: the residence committee, township and county (DivisionDirectory's
 * `ancestry`, most specific first).
 */
export const ROUTING_AREA_LEVELS = 3;

/**
 * The serving-area codes as the {@link ROUTING_AREA_LEVELS} scalar parameters of a {@link bestCandidateSql}
 * statement, null where a level is missing (a residence given as a township or county matches nothing there).
 * Scalars rather than one array parameter: Postgres estimates a generic plan as if an array parameter held 10
 * codes (10 site probes), so the prepared statement's generic plan looked twice as dear as its custom plans and
 * was replanned on every call (issue #22); with three scalars both estimates are 3 and the generic plan is kept.
 */
export function routingAreaValues(areaCodes: readonly string[]): (string | null)[] {
  if (areaCodes.length > ROUTING_AREA_LEVELS) {
    throw new Error(`Routing looks in at most ${ROUTING_AREA_LEVELS} areas, got ${areaCodes.join(', ')}`);
  }
  return Array.from({ length: ROUTING_AREA_LEVELS }, (_, i) => areaCodes[i] ?? null);
}

/** Placeholders (or expressions) a {@link bestCandidateSql} statement takes its values from. */
export interface CandidateParams {
  /** One text placeholder per level, bound with {@link routingAreaValues}. */
  areaCodes: readonly [string, string, string];
  needs: string;
  riskLevel: string;
  referralId: string;
  previousSiteId: string;
  preferredSiteId: string;
  /** A further condition (e.g. that the referral is not yet known). */
  also?: string;
}

/**
 * SELECT of the best site that may take a referral: serving the residence committee, township or county;
 * offering every need; taking its risk (never above MAX_COMMUNITY_RISK); accepting; with a free place; not
 * excluded for this referral. Order: previous site, preferred site, the most local level, most free places, then
 * id (deterministic). The serving areas are read first (site_area's primary key leads with division_code), then
 * each one's site by id (a LATERAL with LIMIT 1, which the planner keeps as a primary-key probe), so the cost
 * does not grow with the directory: joined freely, the generic plan of this prepared statement scanned every
 * site and probed site_area per site (1.04 ms a call with 477 sites; issue #22). The areas are scalar parameters
 * ({@link routingAreaValues}) so that Postgres keeps that generic plan instead of planning every call.
 *
 * Capacity: the site row is NOT locked here (issue #22: locks held from here to commit, taken in routing order,
 * deadlocked lanes and replicas). The place is noted with {@link SITE_PLACES} and taken just before the commit,
 * in site-id order, re-checked on the locked row: a site that filled up meanwhile rolls the work back to retry.
 */
function bestCandidateSql(schema: string, p: CandidateParams): string {
  return `WITH areas AS MATERIALIZED (
           SELECT a.site_id, a.division_code FROM ${schema}.site_area a WHERE a.division_code IN (${p.areaCodes.join(', ')}))
         SELECT s.id
           FROM areas a
          CROSS JOIN LATERAL (
                SELECT s.id, s.capacity, s.reserved FROM ${schema}.site s
                 WHERE s.id = a.site_id AND s.accepting AND s.reserved < s.capacity
                   AND s.services @> ${p.needs}
                   AND s.max_risk_level >= ${p.riskLevel} AND ${p.riskLevel} <= ${MAX_COMMUNITY_RISK}
                 LIMIT 1) s
          WHERE NOT EXISTS (SELECT 1 FROM ${schema}.referral_exclusion x WHERE x.referral_id = ${p.referralId} AND x.site_id = s.id)
            ${p.also ? `AND ${p.also}` : ''}
          ORDER BY (s.id = ${p.previousSiteId}) IS TRUE DESC, (s.id = ${p.preferredSiteId}) IS TRUE DESC,
                   length(a.division_code) DESC, s.capacity - s.reserved DESC, s.id
          LIMIT 1`;
}

/** The site announced for the picked candidate (no place taken yet: see {@link SITE_PLACES}). */
function routingTargetSql(schema: string, siteId: string): string {
  return `SELECT ${ROUTING_TARGET_COLUMNS} FROM ${schema}.site s WHERE s.id = ${siteId}`;
}

/**
 * Site places, taken and given back at the end of the unit of work in site-id order (see DeferredPlaces): the
 * only writer of `site.reserved`. A site that filled up before the commit fails the work with a transient error.
 */
export const SITE_PLACES = new DeferredPlaces(
  (tx) => `${tx.schema}.site`,
  (ids) =>
    new DomainException('SITE_FILLED_CONCURRENTLY', 'unavailable', 'A site filled up meanwhile; retry', {
      siteIds: ids.join(','),
    }),
);

/**
 * CTEs `picked` ({@link bestCandidateSql}) and `placed` (the picked site as routing announces it): a statement
 * that starts `WITH ${placeAtBestCandidateSql(…)}` writes the referral from `placed` in the same round trip (see
 * ReferralRepository), and its caller then takes the place through {@link SITE_PLACES}.
 */
export function placeAtBestCandidateSql(schema: string, candidate: CandidateParams): string {
  return `picked AS (
         ${bestCandidateSql(schema, candidate)}
       ), placed AS (
         ${routingTargetSql(schema, '(SELECT id FROM picked)')}
       )`;
}

/** All I/O on the site directory; it owns the places ({@link SITE_PLACES}). */
@Injectable()
export class SiteRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  private columns(): string {
    return SITE_COLUMNS.replace('__S__', this.s);
  }

  private map(row: SiteRow): SiteRecord {
    return {
      id: row.id,
      name: row.name,
      level: row.level,
      countyCode: row.county_code,
      areaCodes: row.area_codes ?? [],
      functions: row.functions,
      services: row.services,
      maxRiskLevel: row.max_risk_level,
      accepting: row.accepting,
      capacity: row.capacity,
      reserved: row.reserved,
      webhookUrl: row.webhook_url,
      contactAddress: row.contact_address,
      contactPhone: row.contact_phone,
    };
  }

  /** Inserts the site unless its id exists; returns whether it was inserted. */
  async insert(site: NewSite): Promise<boolean> {
    const inserted = await this.tx.manager.query<{ id: string }[]>(
      `INSERT INTO ${this.s}.site (id, name, level, county_code, functions, services, max_risk_level, accepting,
              capacity, webhook_url, webhook_secret, contact_address, contact_phone)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        site.id,
        site.name,
        site.level,
        site.countyCode,
        site.functions,
        site.services,
        site.maxRiskLevel,
        site.accepting,
        site.capacity,
        site.webhookUrl,
        site.webhookSecret ? JSON.stringify(site.webhookSecret) : null,
        site.contactAddress,
        site.contactPhone,
      ],
    );
    if (inserted.length === 0) return false;
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.site_area (division_code, site_id) SELECT unnest($1::text[]), $2 ON CONFLICT DO NOTHING`,
      [site.areaCodes, site.id],
    );
    return true;
  }

  /**
   * Changes the given fields; an absent (undefined) field is kept. The contact address and phone may also be
   * given as null, which clears them.
   */
  async update(
    id: string,
    patch: Partial<
      Pick<SiteRecord, 'name' | 'services' | 'maxRiskLevel' | 'capacity' | 'accepting' | 'webhookUrl'>
    > & {
      /** `webhookUrl: null` removes the webhook and its secret; undefined leaves it. */
      webhookSecret?: EncryptedFieldDto;
      contactAddress?: string | null;
      contactPhone?: string | null;
    },
  ): Promise<boolean> {
    const [rows] = await this.tx.manager.query<[{ id: string }[], number]>(
      `UPDATE ${this.s}.site SET
          name = COALESCE($2, name),
          services = COALESCE($3::text[], services),
          max_risk_level = COALESCE($4, max_risk_level),
          capacity = COALESCE($5, capacity),
          accepting = COALESCE($6, accepting),
          webhook_url = CASE WHEN $7 THEN $13::text ELSE webhook_url END,
          webhook_secret = CASE WHEN $7 AND $13::text IS NULL THEN NULL ELSE COALESCE($8::jsonb, webhook_secret) END,
          contact_address = CASE WHEN $9 THEN $10::text ELSE contact_address END,
          contact_phone = CASE WHEN $11 THEN $12::text ELSE contact_phone END,
          updated_at = now()
        WHERE id = $1 RETURNING id`,
      [
        id,
        patch.name ?? null,
        patch.services ?? null,
        patch.maxRiskLevel ?? null,
        patch.capacity ?? null,
        patch.accepting ?? null,
        patch.webhookUrl !== undefined,
        patch.webhookSecret ? JSON.stringify(patch.webhookSecret) : null,
        patch.contactAddress !== undefined,
        patch.contactAddress ?? null,
        patch.contactPhone !== undefined,
        patch.contactPhone ?? null,
        patch.webhookUrl ?? null,
      ],
    );
    return rows.length > 0;
  }

  async find(id: string): Promise<SiteRecord | undefined> {
    const [row] = await this.tx.manager.query<SiteRow[]>(
      `SELECT ${this.columns()} FROM ${this.s}.site s WHERE s.id = $1`,
      [id],
    );
    return row ? this.map(row) : undefined;
  }

  /** Sites serving a division code (exactly), or every site when none is given; ordered by id. */
  async list(divisionCode: string | undefined, limit: number, afterId?: string): Promise<SiteRecord[]> {
    const rows = await this.tx.manager.query<SiteRow[]>(
      `SELECT ${this.columns()} FROM ${this.s}.site s
        WHERE ($1::text IS NULL OR EXISTS (SELECT 1 FROM ${this.s}.site_area a WHERE a.site_id = s.id AND a.division_code = $1))
          AND ($3::text IS NULL OR s.id > $3)
        ORDER BY s.id LIMIT $2`,
      [divisionCode ?? null, limit, afterId ?? null],
    );
    return rows.map((r) => this.map(r));
  }

  async webhookTarget(id: string): Promise<{ url: string; secret: EncryptedFieldDto } | undefined> {
    const [row] = await this.tx.manager.query<
      { webhook_url: string | null; webhook_secret: EncryptedFieldDto | null }[]
    >(`SELECT webhook_url, webhook_secret FROM ${this.s}.site WHERE id = $1`, [id]);
    return row?.webhook_url && row.webhook_secret
      ? { url: row.webhook_url, secret: row.webhook_secret }
      : undefined;
  }

  /** What routing announces about a site: its name, public contact and whether it takes webhooks. */
  async routingTarget(id: string): Promise<RoutingTarget | undefined> {
    const [row] = await this.tx.manager.query<RoutingTargetRow[]>(
      `SELECT ${ROUTING_TARGET_COLUMNS} FROM ${this.s}.site s WHERE s.id = $1`,
      [id],
    );
    return row ? toRoutingTarget(row) : undefined;
  }

  /** The county centre of a county not excluded for this referral (lowest id), if any. */
  async countyCentreFor(countyCode: string, referralId: string): Promise<string | undefined> {
    const [row] = await this.tx.manager.query<{ id: string }[]>(
      `SELECT s.id FROM ${this.s}.site_area a JOIN ${this.s}.site s ON s.id = a.site_id
        WHERE a.division_code = $1 AND s.level = 'county-centre'
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.referral_exclusion x WHERE x.referral_id = $2 AND x.site_id = s.id)
        ORDER BY s.id LIMIT 1`,
      [countyCode, referralId],
    );
    return row?.id;
  }

  /** The county centre serving a county (lowest id), whatever this referral's exclusions: it oversees the county. */
  async countyCentreOf(countyCode: string): Promise<string | undefined> {
    const [row] = await this.tx.manager.query<{ id: string }[]>(
      `SELECT s.id FROM ${this.s}.site_area a JOIN ${this.s}.site s ON s.id = a.site_id
        WHERE a.division_code = $1 AND s.level = 'county-centre'
        ORDER BY s.id LIMIT 1`,
      [countyCode],
    );
    return row?.id;
  }

  /**
   * Takes one place at this site if one looks free now (accepting, `reserved < capacity`); the place is taken
   * and re-checked on the locked row before the commit ({@link SITE_PLACES}). A transfer or the county centre.
   */
  async reservePlace(siteId: string): Promise<boolean> {
    const [row] = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM ${this.s}.site WHERE id = $1 AND accepting AND reserved < capacity`,
      [siteId],
    );
    if (!row) return false;
    await SITE_PLACES.take(this.tx, siteId);
    return true;
  }

  /** Gives back a place an assignment held (declined, closed, withdrawn, transferred away). */
  async releasePlace(siteId: string): Promise<void> {
    await SITE_PLACES.give(this.tx, siteId);
  }
}
