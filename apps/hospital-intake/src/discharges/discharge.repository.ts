import { Injectable } from '@nestjs/common';
import {
  ColourGrade,
  ConditionStatus,
  ConsentGrantDto,
  EncryptedFieldDto,
  RehabService,
} from '@app/contracts';
import { TransactionHost } from '@app/persistence';
import { FunctionalScoreDto } from './dto/submit-discharge.dto';

export type IntakeChannel = 'json' | 'fhir' | 'hl7v2' | 'nats';

export interface NewReferral {
  id: string;
  hospitalId: string;
  encounterId: string;
  channel: IntakeChannel;
  admittedAt: string;
  dischargedAt: string;
  dischargeDisposition?: string;
  residenceDivisionCode: string;
  diagnoses: string[];
  sealedPatient: EncryptedFieldDto;
  idNumberIndex: string;
  consents: ConsentGrantDto[];
}

export interface NewAssessment {
  riskLevel: number;
  conditionStatus: ConditionStatus;
  functionalScores: FunctionalScoreDto[];
  rehabNeeds: RehabService[];
  employmentInterest: boolean;
  colourGrade: ColourGrade;
  eligibleForCommunityRehab: boolean;
  assessedAt: string;
}

export interface StoredAnswer {
  requestSha256: string;
  status: number;
  body: unknown;
}

export interface ReceiptRow {
  referralId: string;
  encounterId: string;
  status: string;
  colourGrade: ColourGrade;
  eligibleForCommunityRehab: boolean;
}

/** Discharge intake I/O: referral + assessment rows and the Idempotency-Key records. */
@Injectable()
export class DischargeRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Inserts the referral and its assessment in one statement unless this hospital already referred this
   * encounter (then neither); true when inserted. The assessment carries the referral's hospital, which its
   * row-level-security policy checks (it cannot see the sibling INSERT's referral row).
   */
  async insertReferralWithAssessmentIfNew(referral: NewReferral, a: NewAssessment): Promise<boolean> {
    const s = this.tx.schema;
    const rows = await this.tx.manager.query<unknown[]>(
      `WITH new_referral AS (
         INSERT INTO ${s}.referral (id, hospital_id, encounter_id, channel, status, admitted_at, discharged_at,
           discharge_disposition, residence_division_code, diagnoses, sealed_patient, id_number_index, consents)
         VALUES ($1, $2, $3, $4, 'assessed', $5, $6, $7, $8, $9, $10, $11, $12)
         ON CONFLICT ON CONSTRAINT referral_hospital_encounter_uq DO NOTHING RETURNING id, hospital_id)
       INSERT INTO ${s}.discharge_assessment (referral_id, hospital_id, risk_level, condition_status,
         functional_scores, rehab_needs, employment_interest, colour_grade, eligible_for_community_rehab, assessed_at)
       SELECT id, hospital_id, $13::smallint, $14::text, $15::jsonb, $16::text[], $17::boolean, $18::text,
              $19::boolean, $20::timestamptz
         FROM new_referral
       RETURNING referral_id`,
      [
        referral.id,
        referral.hospitalId,
        referral.encounterId,
        referral.channel,
        referral.admittedAt,
        referral.dischargedAt,
        referral.dischargeDisposition ?? null,
        referral.residenceDivisionCode,
        referral.diagnoses,
        JSON.stringify(referral.sealedPatient),
        referral.idNumberIndex,
        JSON.stringify(referral.consents),
        a.riskLevel,
        a.conditionStatus,
        JSON.stringify(a.functionalScores),
        a.rehabNeeds,
        a.employmentInterest,
        a.colourGrade,
        a.eligibleForCommunityRehab,
        a.assessedAt,
      ],
    );
    return rows.length === 1;
  }

  async findReceipt(hospitalId: string, encounterId: string): Promise<ReceiptRow | undefined> {
    const rows = await this.tx.manager.query<
      {
        id: string;
        encounter_id: string;
        status: string;
        colour_grade: ColourGrade;
        eligible_for_community_rehab: boolean;
      }[]
    >(
      `SELECT r.id, r.encounter_id, r.status, a.colour_grade, a.eligible_for_community_rehab
         FROM ${this.tx.schema}.referral r JOIN ${this.tx.schema}.discharge_assessment a ON a.referral_id = r.id
        WHERE r.hospital_id = $1 AND r.encounter_id = $2`,
      [hospitalId, encounterId],
    );
    const row = rows[0];
    return (
      row && {
        referralId: row.id,
        encounterId: row.encounter_id,
        status: row.status,
        colourGrade: row.colour_grade,
        eligibleForCommunityRehab: row.eligible_for_community_rehab,
      }
    );
  }

  /**
   * Claims an Idempotency-Key for the rest of this transaction; false when another request holds it (in flight).
   * The lock is per database, so the schema is part of its key.
   */
  async tryLockIdempotencyKey(hospitalId: string, key: string): Promise<boolean> {
    const rows = await this.tx.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtextextended($1, 0)) AS locked`,
      [idempotencyLockKey(this.tx.schema, hospitalId, key)],
    );
    return rows[0].locked;
  }

  async findAnswer(hospitalId: string, key: string): Promise<StoredAnswer | undefined> {
    const rows = await this.tx.manager.query<
      { request_sha256: string; response_status: number; response_body: unknown }[]
    >(
      `SELECT request_sha256, response_status, response_body FROM ${this.tx.schema}.idempotency_key
        WHERE hospital_id = $1 AND key = $2`,
      [hospitalId, key],
    );
    const row = rows[0];
    return row && { requestSha256: row.request_sha256, status: row.response_status, body: row.response_body };
  }

  async saveAnswer(hospitalId: string, key: string, answer: StoredAnswer): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.tx.schema}.idempotency_key (hospital_id, key, request_sha256, response_status, response_body)
       VALUES ($1, $2, $3, $4, $5)`,
      [hospitalId, key, answer.requestSha256, answer.status, JSON.stringify(answer.body)],
    );
  }
}

/** The advisory-lock key of an Idempotency-Key (exported so tests can hold it). */
export function idempotencyLockKey(quotedSchema: string, hospitalId: string, key: string): string {
  return JSON.stringify(['idempotency', quotedSchema, hospitalId, key]);
}
