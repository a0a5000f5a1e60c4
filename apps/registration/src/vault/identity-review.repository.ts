import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

export type IdentityReviewStatus = 'open' | 'merged' | 'kept-separate';

export interface IdentityReviewRow {
  readonly id: string;
  /** The newer record, filed when the candidate already existed. */
  readonly patientId: string;
  /** The older record with the same name, birth date and county. */
  readonly candidatePatientId: string;
  readonly matchedBy: 'name-birth-division';
  readonly countyCode: string;
  readonly status: IdentityReviewStatus;
  readonly decidedBy: string | null;
  readonly decidedAt: Date | null;
  readonly note: string | null;
  readonly createdAt: Date;
}

interface RawReview {
  id: string;
  patient_id: string;
  candidate_patient_id: string;
  matched_by: 'name-birth-division';
  county_code: string;
  status: IdentityReviewStatus;
  decided_by: string | null;
  decided_at: Date | null;
  note: string | null;
  created_at: Date;
}

const toReview = (r: RawReview): IdentityReviewRow => ({
  id: r.id,
  patientId: r.patient_id,
  candidatePatientId: r.candidate_patient_id,
  matchedBy: r.matched_by,
  countyCode: r.county_code,
  status: r.status,
  decidedBy: r.decided_by,
  decidedAt: r.decided_at,
  note: r.note,
  createdAt: r.created_at,
});

/** The identity review worklist (`identity_review`): possible duplicates the registration office decides on. */
@Injectable()
export class IdentityReviewRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** One open review per pair of records (filing the same pair again adds nothing). */
  async openReviews(
    reviews: readonly { id: string; patientId: string; candidatePatientId: string; countyCode: string }[],
    at: Date,
  ): Promise<void> {
    if (reviews.length === 0) return;
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.identity_review (id, patient_id, candidate_patient_id, matched_by, county_code, created_at)
       SELECT id, patient_id, candidate_patient_id, 'name-birth-division', county_code, $5
         FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS r(id, patient_id, candidate_patient_id, county_code)
       ON CONFLICT (patient_id, candidate_patient_id) DO NOTHING`,
      [
        reviews.map((r) => r.id),
        reviews.map((r) => r.patientId),
        reviews.map((r) => r.candidatePatientId),
        reviews.map((r) => r.countyCode),
        at,
      ],
    );
  }

  /** Reviews of a status, oldest first, in one county (a county centre) or every county (ops: undefined). */
  async findByStatus(
    status: IdentityReviewStatus,
    countyCode: string | undefined,
    limit: number,
  ): Promise<IdentityReviewRow[]> {
    const rows = await this.tx.manager.query<RawReview[]>(
      `SELECT * FROM ${this.s}.identity_review WHERE status = $1 AND ($2::text IS NULL OR county_code = $2)
        ORDER BY created_at, id LIMIT $3`,
      [status, countyCode ?? null, limit],
    );
    return rows.map(toReview);
  }

  async findForUpdate(id: string): Promise<IdentityReviewRow | undefined> {
    const rows = await this.tx.manager.query<RawReview[]>(
      `SELECT * FROM ${this.s}.identity_review WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return rows[0] ? toReview(rows[0]) : undefined;
  }

  async decide(
    id: string,
    status: Exclude<IdentityReviewStatus, 'open'>,
    by: string,
    at: Date,
    note: string | null,
  ): Promise<IdentityReviewRow> {
    const rows = await this.tx.manager.query<[RawReview[], number]>(
      `UPDATE ${this.s}.identity_review SET status = $2, decided_by = $3, decided_at = $4, note = $5 WHERE id = $1
        RETURNING *`,
      [id, status, by, at, note],
    );
    return toReview(rows[0][0]);
  }

  /** Other open reviews naming a merged record now name its survivor, or close when they name the pair. */
  async retargetOpenReviews(duplicateId: string, survivorId: string, by: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.identity_review SET status = 'merged', decided_by = $3, decided_at = $4,
         note = 'closed: both records were merged by another review'
        WHERE status = 'open' AND ((patient_id = $1 AND candidate_patient_id = $2) OR (patient_id = $2 AND candidate_patient_id = $1))`,
      [duplicateId, survivorId, by, at],
    );
    for (const [column, other] of [
      ['patient_id', 'candidate_patient_id'],
      ['candidate_patient_id', 'patient_id'],
    ] as const) {
      await this.tx.manager.query(
        `UPDATE ${this.s}.identity_review r SET ${column} = $2
          WHERE r.status = 'open' AND r.${column} = $1 AND r.${other} <> $2 AND NOT EXISTS (
            SELECT 1 FROM ${this.s}.identity_review o WHERE o.${column} = $2 AND o.${other} = r.${other})`,
        [duplicateId, survivorId],
      );
    }
    // Left naming the merged record: the same pair with the survivor is open already (it stands for them).
    await this.tx.manager.query(
      `UPDATE ${this.s}.identity_review SET status = 'merged', decided_by = $2, decided_at = $3,
         note = 'closed: its record was merged; the review with the surviving record stands'
        WHERE status = 'open' AND $1 IN (patient_id, candidate_patient_id)`,
      [duplicateId, by, at],
    );
  }
}
