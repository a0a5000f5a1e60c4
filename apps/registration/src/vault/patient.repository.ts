import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { SealedFields } from './patient-identity';

export interface PatientRow {
  readonly id: string;
  readonly sealed: SealedFields;
  readonly sex: string;
  readonly residenceDivisionCode: string;
  readonly lacksCapacity: boolean;
  readonly hasGuardian: boolean;
  readonly sealedAt: Date | null;
}

interface RawPatient {
  id: string;
  name_sealed: SealedFields['name'];
  id_number_sealed: SealedFields['idNumber'];
  birth_date_sealed: SealedFields['birthDate'];
  phone_sealed: SealedFields['phone'];
  address_sealed: SealedFields['address'];
  guardian_sealed: SealedFields['guardian'];
  sex: string;
  residence_division_code: string;
  lacks_capacity: boolean;
  sealed_at: Date | null;
}

const COLUMNS = `id, name_sealed, id_number_sealed, birth_date_sealed, phone_sealed, address_sealed, guardian_sealed,
  sex, residence_division_code, lacks_capacity, sealed_at`;

const toRow = (r: RawPatient): PatientRow => ({
  id: r.id,
  sealed: {
    name: r.name_sealed,
    idNumber: r.id_number_sealed,
    birthDate: r.birth_date_sealed,
    phone: r.phone_sealed,
    address: r.address_sealed,
    guardian: r.guardian_sealed,
  },
  sex: r.sex,
  residenceDivisionCode: r.residence_division_code,
  lacksCapacity: r.lacks_capacity,
  hasGuardian: r.guardian_sealed !== null,
  sealedAt: r.sealed_at,
});

/** All I/O on the patient vault table. Only seals and blind indexes are ever written. */
@Injectable()
export class PatientRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The patient whose ID number or (name, birth date, county) blind index matches, locked for update. */
  async findForUpdateByIndexes(
    idNumberIndex: string,
    identityIndex: string,
  ): Promise<{ patient: PatientRow; matchedBy: 'id-number' | 'name-birth-division' } | undefined> {
    const rows = await this.tx.manager.query<(RawPatient & { by_id: boolean })[]>(
      `SELECT ${COLUMNS}, id_number_index = $1 AS by_id FROM ${this.tx.schema}.patient
        WHERE id_number_index = $1 OR identity_index = $2
        ORDER BY (id_number_index = $1) DESC, created_at LIMIT 1 FOR UPDATE`,
      [idNumberIndex, identityIndex],
    );
    if (rows.length === 0) return undefined;
    return { patient: toRow(rows[0]), matchedBy: rows[0].by_id ? 'id-number' : 'name-birth-division' };
  }

  async findById(id: string, forUpdate = false): Promise<PatientRow | undefined> {
    const rows = await this.tx.manager.query<RawPatient[]>(
      `SELECT ${COLUMNS} FROM ${this.tx.schema}.patient WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /** Inserts a new patient and returns it; undefined when a concurrent insert took the same ID number first. */
  async insert(patient: {
    id: string;
    idNumberIndex: string;
    identityIndex: string;
    sealed: SealedFields;
    sex: string;
    residenceDivisionCode: string;
    lacksCapacity: boolean;
  }): Promise<PatientRow | undefined> {
    const rows = await this.tx.manager.query<RawPatient[]>(
      `INSERT INTO ${this.tx.schema}.patient (id, id_number_index, identity_index, name_sealed, id_number_sealed,
         birth_date_sealed, phone_sealed, address_sealed, guardian_sealed, sex, residence_division_code, lacks_capacity)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
       ON CONFLICT (id_number_index) DO NOTHING RETURNING ${COLUMNS}`,
      [
        patient.id,
        patient.idNumberIndex,
        patient.identityIndex,
        ...this.sealValues(patient.sealed),
        patient.sex,
        patient.residenceDivisionCode,
        patient.lacksCapacity,
      ],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /**
   * Newer contact data replaces the old (the seals only; blind indexes stay those of the first record).
   * Returns the patient as updated.
   */
  async updateContact(
    id: string,
    update: { sealed: SealedFields; residenceDivisionCode: string; lacksCapacity: boolean },
  ): Promise<PatientRow> {
    const [[row]] = await this.tx.manager.query<[RawPatient[], number]>(
      `UPDATE ${this.tx.schema}.patient SET name_sealed = $2, id_number_sealed = $3, birth_date_sealed = $4,
         phone_sealed = $5, address_sealed = $6, guardian_sealed = $7, residence_division_code = $8,
         lacks_capacity = $9, updated_at = now() WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...this.sealValues(update.sealed), update.residenceDivisionCode, update.lacksCapacity],
    );
    return toRow(row);
  }

  async setGuardian(id: string, guardian: SealedFields['guardian']): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.patient SET guardian_sealed = $2, updated_at = now() WHERE id = $1`,
      [id, JSON.stringify(guardian)],
    );
  }

  /** Replaces every seal by one made for the statutory record only, and marks the patient sealed. */
  async sealForStatutoryRecord(id: string, sealed: SealedFields, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.patient SET name_sealed = $2, id_number_sealed = $3, birth_date_sealed = $4,
         phone_sealed = $5, address_sealed = $6, guardian_sealed = $7, sealed_at = $8, updated_at = now()
       WHERE id = $1`,
      [id, ...this.sealValues(sealed), at],
    );
  }

  private sealValues(sealed: SealedFields): (string | null)[] {
    return [
      sealed.name,
      sealed.idNumber,
      sealed.birthDate,
      sealed.phone,
      sealed.address,
      sealed.guardian,
    ].map((s) => (s === null ? null : JSON.stringify(s)));
  }
}
