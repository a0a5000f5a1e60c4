import { Injectable } from '@nestjs/common';
import { EncryptedFieldDto } from '@app/contracts';
import { TransactionHost } from '@app/persistence';
import { Hospital } from './hospital.types';

interface HospitalRow {
  id: string;
  name: string;
  level: Hospital['level'];
  county_division_code: string;
  kind: Hospital['kind'];
  on_call_name: string;
  on_call_phone: string;
  has_psychiatric_ward: boolean;
  takes_green_cases: boolean;
  webhook_url: string | null;
}

const COLUMNS = `id, name, level, county_division_code, kind, on_call_name, on_call_phone, has_psychiatric_ward,
  takes_green_cases, webhook_url`;

const JOINED_COLUMNS = COLUMNS.split(',')
  .map((c) => `h.${c.trim()}`)
  .join(', ');

const toHospital = (row: HospitalRow): Hospital => ({
  id: row.id,
  name: row.name,
  level: row.level,
  countyDivisionCode: row.county_division_code,
  kind: row.kind,
  onCall: { name: row.on_call_name, phone: row.on_call_phone },
  hasPsychiatricWard: row.has_psychiatric_ward,
  takesGreenCases: row.takes_green_cases,
  webhookUrl: row.webhook_url,
});

export type HospitalPatch = Partial<
  Pick<Hospital, 'name' | 'level' | 'kind' | 'onCall' | 'hasPsychiatricWard' | 'takesGreenCases'>
> & { webhook?: { url: string; secret: EncryptedFieldDto } | null };

/** The hospital registry and the green-channel designations (which hospitals take a county's cases, in order). */
@Injectable()
export class HospitalRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  async findById(id: string): Promise<Hospital | undefined> {
    const rows = await this.tx.manager.query<HospitalRow[]>(
      `SELECT ${COLUMNS} FROM ${this.s}.hospital WHERE id = $1`,
      [id],
    );
    return rows[0] && toHospital(rows[0]);
  }

  async listInCounty(countyCode: string | undefined, limit: number, afterId?: string): Promise<Hospital[]> {
    const rows = await this.tx.manager.query<HospitalRow[]>(
      `SELECT ${COLUMNS} FROM ${this.s}.hospital
        WHERE ($1::text IS NULL OR county_division_code = $1) AND ($2::text IS NULL OR id > $2)
        ORDER BY id LIMIT $3`,
      [countyCode ?? null, afterId ?? null, limit],
    );
    return rows.map(toHospital);
  }

  /** Inserts the hospital unless it exists; returns whether it was new. */
  async insertIfAbsent(hospital: Omit<Hospital, 'webhookUrl'>): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.s}.hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone,
                                       has_psychiatric_ward, takes_green_cases)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        hospital.id,
        hospital.name,
        hospital.level,
        hospital.countyDivisionCode,
        hospital.kind,
        hospital.onCall.name,
        hospital.onCall.phone,
        hospital.hasPsychiatricWard,
        hospital.takesGreenCases,
      ],
    );
    return rows.length === 1;
  }

  /** Changes what the patch names; `webhook: null` removes the webhook. Returns whether the hospital exists. */
  async update(id: string, patch: HospitalPatch): Promise<boolean> {
    const [, count] = await this.tx.manager.query<[unknown, number]>(
      `UPDATE ${this.s}.hospital SET
          name = COALESCE($2, name),
          level = COALESCE($3, level),
          kind = COALESCE($4, kind),
          on_call_name = COALESCE($5, on_call_name),
          on_call_phone = COALESCE($6, on_call_phone),
          has_psychiatric_ward = COALESCE($7, has_psychiatric_ward),
          takes_green_cases = COALESCE($8, takes_green_cases),
          webhook_url = CASE WHEN $9 THEN $10 ELSE webhook_url END,
          webhook_secret = CASE WHEN $9 THEN $11::jsonb ELSE webhook_secret END,
          updated_at = now()
        WHERE id = $1`,
      [
        id,
        patch.name ?? null,
        patch.level ?? null,
        patch.kind ?? null,
        patch.onCall?.name ?? null,
        patch.onCall?.phone ?? null,
        patch.hasPsychiatricWard ?? null,
        patch.takesGreenCases ?? null,
        patch.webhook !== undefined,
        patch.webhook?.url ?? null,
        patch.webhook ? JSON.stringify(patch.webhook.secret) : null,
      ],
    );
    return count === 1;
  }

  async webhookTarget(id: string): Promise<{ url: string; secret: EncryptedFieldDto } | undefined> {
    const [row] = await this.tx.manager.query<
      { webhook_url: string | null; webhook_secret: EncryptedFieldDto | null }[]
    >(`SELECT webhook_url, webhook_secret FROM ${this.s}.hospital WHERE id = $1`, [id]);
    return row?.webhook_url && row.webhook_secret
      ? { url: row.webhook_url, secret: row.webhook_secret }
      : undefined;
  }

  /** Replaces the designated hospitals of a county or prefecture (ladder order: first is asked first). */
  async replaceDesignations(divisionCode: string, hospitalIds: readonly string[]): Promise<void> {
    await this.tx.manager.query(`DELETE FROM ${this.s}.green_designation WHERE division_code = $1`, [
      divisionCode,
    ]);
    if (hospitalIds.length === 0) return;
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.green_designation (division_code, hospital_id, rank)
       SELECT $1, id, rank FROM unnest($2::text[]) WITH ORDINALITY AS d(id, rank)`,
      [divisionCode, hospitalIds],
    );
  }

  /** The designated hospitals of a county or prefecture, in ladder order. */
  async designated(divisionCode: string): Promise<Hospital[]> {
    const rows = await this.tx.manager.query<HospitalRow[]>(
      `SELECT ${JOINED_COLUMNS}
         FROM ${this.s}.green_designation d JOIN ${this.s}.hospital h ON h.id = d.hospital_id
        WHERE d.division_code = $1 ORDER BY d.rank`,
      [divisionCode],
    );
    return rows.map(toHospital);
  }

  /** Which of these ids are registered hospitals. */
  async existing(ids: readonly string[]): Promise<Set<string>> {
    const rows = await this.tx.manager.query<{ id: string }[]>(
      `SELECT id FROM ${this.s}.hospital WHERE id = ANY($1::text[])`,
      [ids],
    );
    return new Set(rows.map((r) => r.id));
  }
}
