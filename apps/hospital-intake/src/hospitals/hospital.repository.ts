import { Injectable } from '@nestjs/common';
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
}

const toHospital = (row: HospitalRow): Hospital => ({
  id: row.id,
  name: row.name,
  level: row.level,
  countyDivisionCode: row.county_division_code,
  kind: row.kind,
  onCall: { name: row.on_call_name, phone: row.on_call_phone },
});

@Injectable()
export class HospitalRepository {
  constructor(private readonly tx: TransactionHost) {}

  async findById(id: string): Promise<Hospital | undefined> {
    const rows = await this.tx.manager.query<HospitalRow[]>(
      `SELECT * FROM ${this.tx.schema}.hospital WHERE id = $1`,
      [id],
    );
    return rows[0] && toHospital(rows[0]);
  }

  /** Inserts the hospital unless it exists; returns whether it was new. */
  async insertIfAbsent(hospital: Hospital): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.tx.schema}.hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        hospital.id,
        hospital.name,
        hospital.level,
        hospital.countyDivisionCode,
        hospital.kind,
        hospital.onCall.name,
        hospital.onCall.phone,
      ],
    );
    return rows.length === 1;
  }
}
