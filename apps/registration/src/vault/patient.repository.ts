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
  /** The patient has an ID number on record (its blind index). */
  readonly hasIdNumber: boolean;
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
  has_id_number: boolean;
}

const COLUMNS = `id, name_sealed, id_number_sealed, birth_date_sealed, phone_sealed, address_sealed, guardian_sealed,
  sex, residence_division_code, lacks_capacity, sealed_at, id_number_index IS NOT NULL AS has_id_number`;

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
  hasIdNumber: r.has_id_number,
});

/** All I/O on the patient vault table. Only seals and blind indexes are ever written. */
@Injectable()
export class PatientRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** The patient with this ID number (blind index), locked for update: the same ID number is the same person. */
  async findForUpdateByIdNumber(idNumberIndex: string): Promise<PatientRow | undefined> {
    const rows = await this.tx.manager.query<RawPatient[]>(
      `SELECT ${COLUMNS} FROM ${this.tx.schema}.patient WHERE id_number_index = $1 FOR UPDATE`,
      [idNumberIndex],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  async findById(id: string, forUpdate = false): Promise<PatientRow | undefined> {
    const rows = await this.tx.manager.query<RawPatient[]>(
      `SELECT ${COLUMNS} FROM ${this.tx.schema}.patient WHERE id = $1 ${forUpdate ? 'FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? toRow(rows[0]) : undefined;
  }

  /**
   * Inserts a new patient and returns it, with the other records that could be the same person (same name,
   * birth date and county, and one of the two without an ID number; a differing ID number is a different person,
   * never a candidate; records merged into another are left out) in the same round trip. Undefined when a
   * concurrent insert took the same ID number first.
   */
  async insert(patient: {
    id: string;
    idNumberIndex: string | null;
    identityIndex: string;
    sealed: SealedFields;
    sex: string;
    residenceDivisionCode: string;
    lacksCapacity: boolean;
  }): Promise<{ patient: PatientRow; reviewCandidates: string[] } | undefined> {
    const s = this.tx.schema;
    // With an ID number, only records without one are candidates; without, every record of the same identity.
    // Two statement texts rather than `($2 IS NULL OR …)`: a custom plan folds that test away, the generic plan
    // cannot, so the two were costed differently and Postgres could keep planning each call (issue #22).
    const candidates = patient.idNumberIndex === null ? '' : 'AND c.id_number_index IS NULL';
    // The statement's own insert is not visible to its sub-select: the new row is never its own candidate.
    const rows = await this.tx.manager.query<(RawPatient & { review_candidates: string[] })[]>(
      `WITH inserted AS (
         INSERT INTO ${s}.patient (id, id_number_index, identity_index, name_sealed, id_number_sealed,
           birth_date_sealed, phone_sealed, address_sealed, guardian_sealed, sex, residence_division_code, lacks_capacity)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT (id_number_index) DO NOTHING RETURNING ${COLUMNS})
       SELECT inserted.*, ARRAY(
         SELECT c.id FROM ${s}.patient c
          WHERE c.identity_index = $3 AND c.merged_into IS NULL ${candidates}
          ORDER BY c.created_at) AS review_candidates
         FROM inserted`,
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
    return rows[0] ? { patient: toRow(rows[0]), reviewCandidates: rows[0].review_candidates } : undefined;
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

  /**
   * A confirmed merge: the ID number (index and seal, re-sealed for the survivor) moves from the duplicate to a
   * survivor that had none, and the duplicate points at the survivor.
   */
  async markMergedInto(
    duplicateId: string,
    survivorId: string,
    idNumber?: { index: string; sealed: SealedFields['idNumber'] },
  ): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.patient SET merged_into = $2, id_number_index = NULL, updated_at = now() WHERE id = $1`,
      [duplicateId, survivorId],
    );
    if (idNumber) {
      await this.tx.manager.query(
        `UPDATE ${this.tx.schema}.patient SET id_number_index = $2, id_number_sealed = $3, updated_at = now()
          WHERE id = $1`,
        [survivorId, idNumber.index, JSON.stringify(idNumber.sealed)],
      );
    }
  }

  /** The ID number blind index of a patient (null when none was given). */
  async idNumberIndexOf(id: string): Promise<string | null> {
    const rows = await this.tx.manager.query<{ id_number_index: string | null }[]>(
      `SELECT id_number_index FROM ${this.tx.schema}.patient WHERE id = $1`,
      [id],
    );
    return rows[0]?.id_number_index ?? null;
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
