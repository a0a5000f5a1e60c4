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
import { ReferralAsReceived } from './resend';

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
  /** The patient's other hospital identifiers (MRN…), sealed; undefined when none were sent. */
  sealedHospitalIdentifiers?: EncryptedFieldDto;
}

/** A discharge kept without its assessment: what is missing and by when it is due. */
export interface AwaitedAssessment {
  missing: string[];
  dueAt: Date;
  /** When to remind the hospital before dueAt; undefined = no reminder. */
  remindAt?: Date;
}

/** A referral still awaiting its assessment, locked for completing it. */
export interface AwaitingReferralRow {
  id: string;
  encounterId: string;
  admittedAt: Date;
  dischargedAt: Date;
  residenceDivisionCode: string;
  sealedPatient: EncryptedFieldDto;
  consents: ConsentGrantDto[];
}

export interface OverdueAssessmentRow {
  id: string;
  hospitalId: string;
  dueAt: Date;
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
  colourGrade?: ColourGrade;
  eligibleForCommunityRehab?: boolean;
  missing?: string[];
  assessmentDueAt?: string;
}

/**
 * A referral as first received, locked: what a discharge sent again for its encounter is compared with (its
 * patient and hospital identifiers still sealed).
 */
export type ReceivedReferralRow = Omit<ReferralAsReceived, 'patient' | 'hospitalIdentifiers'> & {
  id: string;
  sealedPatient: EncryptedFieldDto;
  sealedHospitalIdentifiers: EncryptedFieldDto | null;
};

const REFERRAL_COLUMNS = `id, hospital_id, encounter_id, channel, status, admitted_at, discharged_at,
  discharge_disposition, residence_division_code, diagnoses, sealed_patient, id_number_index, consents,
  sealed_hospital_identifiers`;

function referralValues(r: NewReferral): unknown[] {
  return [
    r.id,
    r.hospitalId,
    r.encounterId,
    r.channel,
    r.admittedAt,
    r.dischargedAt,
    r.dischargeDisposition ?? null,
    r.residenceDivisionCode,
    r.diagnoses,
    JSON.stringify(r.sealedPatient),
    r.idNumberIndex,
    JSON.stringify(r.consents),
    r.sealedHospitalIdentifiers ? JSON.stringify(r.sealedHospitalIdentifiers) : null,
  ];
}

/**
 * A referral rebuilt from its own `referral.assessed` after a database restore: what the event carries. The rest
 * (channel, admission, diagnoses, disposition, hospital identifiers) is not known: the row is marked restored.
 */
export interface RestoredReferral {
  id: string;
  hospitalId: string;
  encounterId: string;
  dischargedAt: string;
  residenceDivisionCode: string;
  sealedPatient: EncryptedFieldDto;
  idNumberIndex: string;
  consents: ConsentGrantDto[];
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
         INSERT INTO ${s}.referral (${REFERRAL_COLUMNS})
         VALUES ($1, $2, $3, $4, 'assessed', $5, $6, $7, $8, $9, $10, $11, $12, $13)
         ON CONFLICT ON CONSTRAINT referral_hospital_encounter_uq DO NOTHING RETURNING id, hospital_id)
       INSERT INTO ${s}.discharge_assessment (referral_id, hospital_id, risk_level, condition_status,
         functional_scores, rehab_needs, employment_interest, colour_grade, eligible_for_community_rehab, assessed_at)
       SELECT id, hospital_id, $14::smallint, $15::text, $16::jsonb, $17::text[], $18::boolean, $19::text,
              $20::boolean, $21::timestamptz
         FROM new_referral
       RETURNING referral_id`,
      [...referralValues(referral), ...assessmentValues(a)],
    );
    return rows.length === 1;
  }

  /**
   * The caller's referral of an encounter with its assessment, locked for the rest of the transaction (a discharge
   * sent again twice at once adds its consents once); undefined when there is none.
   */
  async lockReferralOfEncounter(
    hospitalId: string,
    encounterId: string,
  ): Promise<ReceivedReferralRow | undefined> {
    const s = this.tx.schema;
    const rows = await this.tx.manager.query<
      {
        id: string;
        status: string;
        restored_at: Date | null;
        admitted_at: Date | null;
        discharged_at: Date;
        discharge_disposition: string | null;
        diagnoses: string[];
        sealed_patient: EncryptedFieldDto;
        sealed_hospital_identifiers: EncryptedFieldDto | null;
        consents: ConsentGrantDto[];
        risk_level: number | null;
        condition_status: string | null;
        functional_scores: FunctionalScoreDto[] | null;
        rehab_needs: string[] | null;
        employment_interest: boolean | null;
        assessed_at: Date | null;
      }[]
    >(
      `SELECT r.id, r.status, r.restored_at, r.admitted_at, r.discharged_at, r.discharge_disposition, r.diagnoses,
              r.sealed_patient, r.sealed_hospital_identifiers, r.consents, a.risk_level, a.condition_status,
              a.functional_scores, a.rehab_needs, a.employment_interest, a.assessed_at
         FROM ${s}.referral r LEFT JOIN ${s}.discharge_assessment a ON a.referral_id = r.id
        WHERE r.hospital_id = $1 AND r.encounter_id = $2
        FOR UPDATE OF r`,
      [hospitalId, encounterId],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      id: row.id,
      status: row.status,
      restored: row.restored_at !== null,
      admittedAt: row.admitted_at,
      dischargedAt: row.discharged_at,
      dischargeDisposition: row.discharge_disposition,
      diagnoses: row.diagnoses,
      sealedPatient: row.sealed_patient,
      sealedHospitalIdentifiers: row.sealed_hospital_identifiers,
      consents: row.consents,
      ...(row.risk_level !== null
        ? {
            assessment: {
              riskLevel: Number(row.risk_level),
              conditionStatus: row.condition_status!,
              functionalScores: row.functional_scores ?? [],
              rehabNeeds: row.rehab_needs ?? [],
              employmentInterest: row.employment_interest!,
              assessedAt: row.assessed_at!,
            },
          }
        : {}),
    };
  }

  /** Adds consents signed after the discharge to the referral's own (kept in the order received). */
  async addConsents(referralId: string, consents: readonly ConsentGrantDto[]): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.tx.schema}.referral SET consents = consents || $2::jsonb, updated_at = now() WHERE id = $1`,
      [referralId, JSON.stringify(consents)],
    );
  }

  /** The status of a referral hospital-intake holds, by id (its primary key); undefined when it holds none. */
  async statusOf(referralId: string): Promise<string | undefined> {
    const rows = await this.tx.manager.query<{ status: string }[]>(
      `SELECT status FROM ${this.tx.schema}.referral WHERE id = $1`,
      [referralId],
    );
    return rows[0]?.status;
  }

  /**
   * Inserts a referral rebuilt after a restore (`restored_at` now, channel `restored`, no admission time, no
   * diagnoses) with its assessment, unless the id or the (hospital, encounter) is taken; true when inserted.
   */
  async insertRestoredReferral(r: RestoredReferral, a: NewAssessment): Promise<boolean> {
    const s = this.tx.schema;
    const rows = await this.tx.manager.query<unknown[]>(
      `WITH new_referral AS (
         INSERT INTO ${s}.referral (id, hospital_id, encounter_id, channel, status, admitted_at, discharged_at,
           residence_division_code, diagnoses, sealed_patient, id_number_index, consents, restored_at)
         VALUES ($1, $2, $3, 'restored', 'assessed', NULL, $4, $5, '{}', $6, $7, $8, now())
         ON CONFLICT DO NOTHING RETURNING id, hospital_id)
       INSERT INTO ${s}.discharge_assessment (referral_id, hospital_id, risk_level, condition_status,
         functional_scores, rehab_needs, employment_interest, colour_grade, eligible_for_community_rehab, assessed_at)
       SELECT id, hospital_id, $9::smallint, $10::text, $11::jsonb, $12::text[], $13::boolean, $14::text,
              $15::boolean, $16::timestamptz
         FROM new_referral
       RETURNING referral_id`,
      [
        r.id,
        r.hospitalId,
        r.encounterId,
        r.dischargedAt,
        r.residenceDivisionCode,
        JSON.stringify(r.sealedPatient),
        r.idNumberIndex,
        JSON.stringify(r.consents),
        ...assessmentValues(a),
      ],
    );
    return rows.length === 1;
  }

  /** Inserts a referral awaiting its assessment unless this hospital already referred this encounter. */
  async insertAwaitingReferralIfNew(referral: NewReferral, awaited: AwaitedAssessment): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.tx.schema}.referral (${REFERRAL_COLUMNS}, missing_assessment, assessment_due_at,
         assessment_remind_at)
       VALUES ($1, $2, $3, $4, 'awaiting-assessment', $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT ON CONSTRAINT referral_hospital_encounter_uq DO NOTHING RETURNING id`,
      [...referralValues(referral), awaited.missing, awaited.dueAt, awaited.remindAt ?? null],
    );
    return rows.length === 1;
  }

  /** The caller's referral by id or encounter id, locked, when it still awaits its assessment. */
  async lockAwaitingReferral(
    hospitalId: string,
    by: { referralId: string } | { encounterId: string },
  ): Promise<AwaitingReferralRow | undefined> {
    const [column, value] =
      'referralId' in by ? ['id::text', by.referralId] : ['encounter_id', by.encounterId];
    const rows = await this.tx.manager.query<
      {
        id: string;
        encounter_id: string;
        admitted_at: Date;
        discharged_at: Date;
        residence_division_code: string;
        sealed_patient: EncryptedFieldDto;
        consents: ConsentGrantDto[];
      }[]
    >(
      `SELECT id, encounter_id, admitted_at, discharged_at, residence_division_code, sealed_patient, consents
         FROM ${this.tx.schema}.referral
        WHERE hospital_id = $1 AND ${column} = $2 AND status = 'awaiting-assessment'
        FOR UPDATE`,
      [hospitalId, value],
    );
    const row = rows[0];
    return (
      row && {
        id: row.id,
        encounterId: row.encounter_id,
        admittedAt: row.admitted_at,
        dischargedAt: row.discharged_at,
        residenceDivisionCode: row.residence_division_code,
        sealedPatient: row.sealed_patient,
        consents: row.consents,
      }
    );
  }

  /** Records the assessment of a referral that awaited it; the referral becomes assessed. */
  async completeAssessment(referralId: string, hospitalId: string, a: NewAssessment): Promise<void> {
    const s = this.tx.schema;
    await this.tx.manager.query(
      `WITH assessed AS (
         UPDATE ${s}.referral SET status = 'assessed', missing_assessment = NULL, updated_at = now()
          WHERE id = $1 AND hospital_id = $2 AND status = 'awaiting-assessment' RETURNING id, hospital_id)
       INSERT INTO ${s}.discharge_assessment (referral_id, hospital_id, risk_level, condition_status,
         functional_scores, rehab_needs, employment_interest, colour_grade, eligible_for_community_rehab, assessed_at)
       SELECT id, hospital_id, $3::smallint, $4::text, $5::jsonb, $6::text[], $7::boolean, $8::text,
              $9::boolean, $10::timestamptz
         FROM assessed`,
      [referralId, hospitalId, ...assessmentValues(a)],
    );
  }

  /** Referrals whose assessment is overdue and not yet reported, claimed once across replicas. */
  claimOverdueAssessments(now: Date, limit = 100): Promise<OverdueAssessmentRow[]> {
    return this.claimAwaiting(
      'assessment_overdue_at',
      'assessment_due_at <= $1',
      'assessment_due_at',
      now,
      limit,
    );
  }

  /**
   * Referrals awaiting their assessment whose reminder is due (and whose deadline is still ahead), each claimed
   * once across replicas.
   */
  claimDueReminders(now: Date, limit = 100): Promise<OverdueAssessmentRow[]> {
    return this.claimAwaiting(
      'assessment_reminded_at',
      'assessment_remind_at <= $1 AND assessment_due_at > $1',
      'assessment_remind_at',
      now,
      limit,
    );
  }

  /** Stamps `stamp` = now on awaiting referrals where it is unset and `due` holds (SKIP LOCKED). */
  private async claimAwaiting(
    stamp: 'assessment_overdue_at' | 'assessment_reminded_at',
    due: string,
    order: string,
    now: Date,
    limit: number,
  ): Promise<OverdueAssessmentRow[]> {
    // An UPDATE … RETURNING answers [rows, count] through TypeORM's Postgres driver.
    const [rows] = await this.tx.manager.query<
      [{ id: string; hospital_id: string; assessment_due_at: Date }[], number]
    >(
      `UPDATE ${this.tx.schema}.referral SET ${stamp} = $1
        WHERE id IN (SELECT id FROM ${this.tx.schema}.referral
                      WHERE status = 'awaiting-assessment' AND ${stamp} IS NULL AND ${due}
                      ORDER BY ${order} LIMIT $2 FOR UPDATE SKIP LOCKED)
        RETURNING id, hospital_id, assessment_due_at`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, hospitalId: r.hospital_id, dueAt: r.assessment_due_at }));
  }

  async findReceipt(
    hospitalId: string,
    by: { encounterId: string } | { referralId: string },
  ): Promise<ReceiptRow | undefined> {
    const [column, value] =
      'referralId' in by ? ['r.id::text', by.referralId] : ['r.encounter_id', by.encounterId];
    const rows = await this.tx.manager.query<
      {
        id: string;
        encounter_id: string;
        status: string;
        colour_grade: ColourGrade | null;
        eligible_for_community_rehab: boolean | null;
        missing_assessment: string[] | null;
        assessment_due_at: Date | null;
      }[]
    >(
      `SELECT r.id, r.encounter_id, r.status, a.colour_grade, a.eligible_for_community_rehab,
              r.missing_assessment, r.assessment_due_at
         FROM ${this.tx.schema}.referral r LEFT JOIN ${this.tx.schema}.discharge_assessment a ON a.referral_id = r.id
        WHERE r.hospital_id = $1 AND ${column} = $2`,
      [hospitalId, value],
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      referralId: row.id,
      encounterId: row.encounter_id,
      status: row.status,
      ...(row.colour_grade !== null ? { colourGrade: row.colour_grade } : {}),
      ...(row.eligible_for_community_rehab !== null
        ? { eligibleForCommunityRehab: row.eligible_for_community_rehab }
        : {}),
      ...(row.missing_assessment ? { missing: row.missing_assessment } : {}),
      ...(row.assessment_due_at && row.status === 'awaiting-assessment'
        ? { assessmentDueAt: row.assessment_due_at.toISOString() }
        : {}),
    };
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

function assessmentValues(a: NewAssessment): unknown[] {
  return [
    a.riskLevel,
    a.conditionStatus,
    JSON.stringify(a.functionalScores),
    a.rehabNeeds,
    a.employmentInterest,
    a.colourGrade,
    a.eligibleForCommunityRehab,
    a.assessedAt,
  ];
}

/** The advisory-lock key of an Idempotency-Key (exported so tests can hold it). */
export function idempotencyLockKey(quotedSchema: string, hospitalId: string, key: string): string {
  return JSON.stringify(['idempotency', quotedSchema, hospitalId, key]);
}
