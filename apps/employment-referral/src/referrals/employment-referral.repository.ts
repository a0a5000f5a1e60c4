import { Injectable } from '@nestjs/common';
import {
  EmploymentDeclineReason,
  EmploymentEndReason,
  EmploymentPauseCause,
  EmploymentProgramme,
  EmploymentUnplacedReason,
  PlacementType,
  RetentionCheckMonth,
} from '@app/contracts';
import { KeysetPosition } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { EmploymentStatus } from './employment-lifecycle';

export interface EmploymentReferralRecord {
  referralId: string;
  siteId: string;
  residenceDivisionCode: string;
  programmes: EmploymentProgramme[];
  status: EmploymentStatus;
  pausedFrom: EmploymentStatus | null;
  providerId: string | null;
  holdsPlace: boolean;
  hop: number;
  readyAt: Date;
  referredAt: Date | null;
  acceptedAt: Date | null;
  trainingProgramme: EmploymentProgramme | null;
  trainingStartedAt: Date | null;
  placementType: PlacementType | null;
  employerName: string | null;
  jobStartDate: string | null;
  placedAt: Date | null;
  endedAt: Date | null;
  endReason: EmploymentEndReason | null;
  /** When the site confirmed the readiness this episode stands on (null: before it was recorded). */
  confirmedAt: Date | null;
  /** The provider's staff code of the employment specialist (IPS caseload); no name. */
  employmentSpecialist: string | null;
  /** The first employer contact made for the person (YYYY-MM-DD). */
  firstEmployerContactOn: string | null;
}

/** The latest relapse or readmission heard for a referral. */
export interface RelapseMark {
  cause: EmploymentPauseCause;
  relapsedAt: Date;
}

export interface RetentionCheckRecord {
  referralId: string;
  month: RetentionCheckMonth;
  providerId: string;
  dueAt: Date;
  checkedAt: Date | null;
  retained: boolean | null;
  overdueAt: Date | null;
}

export type NewEmploymentReferral = Pick<
  EmploymentReferralRecord,
  'referralId' | 'siteId' | 'residenceDivisionCode' | 'programmes' | 'readyAt'
> & { confirmedAt: Date };

/** Columns a stage change may set (undefined: unchanged). */
export type StagePatch = Partial<
  Pick<
    EmploymentReferralRecord,
    | 'status'
    | 'pausedFrom'
    | 'holdsPlace'
    | 'acceptedAt'
    | 'trainingProgramme'
    | 'trainingStartedAt'
    | 'placementType'
    | 'employerName'
    | 'jobStartDate'
    | 'placedAt'
    | 'endedAt'
    | 'endReason'
    | 'confirmedAt'
    | 'employmentSpecialist'
  >
> & { accessRevoked?: boolean };

const COLUMNS: Record<keyof StagePatch, string> = {
  status: 'status',
  pausedFrom: 'paused_from',
  holdsPlace: 'holds_place',
  acceptedAt: 'accepted_at',
  trainingProgramme: 'training_programme',
  trainingStartedAt: 'training_started_at',
  placementType: 'placement_type',
  employerName: 'employer_name',
  jobStartDate: 'job_start_date',
  placedAt: 'placed_at',
  endedAt: 'ended_at',
  endReason: 'end_reason',
  confirmedAt: 'confirmed_at',
  employmentSpecialist: 'employment_specialist',
  accessRevoked: 'access_revoked',
};

interface ReferralRow {
  referral_id: string;
  site_id: string;
  residence_division_code: string;
  programmes: EmploymentProgramme[];
  status: EmploymentStatus;
  paused_from: EmploymentStatus | null;
  provider_id: string | null;
  holds_place: boolean;
  hop: number;
  ready_at: Date;
  referred_at: Date | null;
  accepted_at: Date | null;
  training_programme: EmploymentProgramme | null;
  training_started_at: Date | null;
  placement_type: PlacementType | null;
  employer_name: string | null;
  job_start_date: string | null;
  placed_at: Date | null;
  ended_at: Date | null;
  end_reason: EmploymentEndReason | null;
  confirmed_at: Date | null;
  employment_specialist: string | null;
  first_employer_contact_on: string | null;
}

const SELECT = `SELECT referral_id, site_id, residence_division_code, programmes, status, paused_from, provider_id,
  holds_place, hop, ready_at, referred_at, accepted_at, training_programme, training_started_at, placement_type,
  employer_name, to_char(job_start_date, 'YYYY-MM-DD') AS job_start_date, placed_at, ended_at, end_reason,
  confirmed_at, employment_specialist, to_char(first_employer_contact_on, 'YYYY-MM-DD') AS first_employer_contact_on`;

function map(r: ReferralRow): EmploymentReferralRecord {
  return {
    referralId: r.referral_id,
    siteId: r.site_id,
    residenceDivisionCode: r.residence_division_code,
    programmes: r.programmes,
    status: r.status,
    pausedFrom: r.paused_from,
    providerId: r.provider_id,
    holdsPlace: r.holds_place,
    hop: r.hop,
    readyAt: r.ready_at,
    referredAt: r.referred_at,
    acceptedAt: r.accepted_at,
    trainingProgramme: r.training_programme,
    trainingStartedAt: r.training_started_at,
    placementType: r.placement_type,
    employerName: r.employer_name,
    jobStartDate: r.job_start_date,
    placedAt: r.placed_at,
    endedAt: r.ended_at,
    endReason: r.end_reason,
    confirmedAt: r.confirmed_at,
    employmentSpecialist: r.employment_specialist,
    firstEmployerContactOn: r.first_employer_contact_on,
  };
}

/** All I/O on employment referrals, their provider exclusions and retention checks. */
@Injectable()
export class EmploymentReferralRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** Records a new employment referral unless one exists for the referral; returns whether it was new. */
  async insertReady(referral: NewEmploymentReferral): Promise<boolean> {
    const rows = await this.tx.manager.query<{ referral_id: string }[]>(
      `INSERT INTO ${this.s}.employment_referral
         (referral_id, site_id, residence_division_code, programmes, status, ready_at, confirmed_at)
       VALUES ($1, $2, $3, $4, 'unplaced', $5, $6) ON CONFLICT (referral_id) DO NOTHING RETURNING referral_id`,
      [
        referral.referralId,
        referral.siteId,
        referral.residenceDivisionCode,
        referral.programmes,
        referral.readyAt,
        referral.confirmedAt,
      ],
    );
    return rows.length === 1;
  }

  /** The referral, row locked (`skipLocked`: answers nothing while another transaction holds it). */
  async lock(referralId: string): Promise<EmploymentReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `${SELECT} FROM ${this.s}.employment_referral WHERE referral_id = $1 FOR UPDATE`,
      [referralId],
    );
    return row ? map(row) : undefined;
  }

  /** The referral if this provider holds it and has access (row-level security agrees), row locked. */
  async lockHeldBy(providerId: string, referralId: string): Promise<EmploymentReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `${SELECT} FROM ${this.s}.employment_referral
        WHERE referral_id = $1 AND provider_id = $2 AND NOT access_revoked FOR UPDATE`,
      [referralId, providerId],
    );
    return row ? map(row) : undefined;
  }

  async findHeldBy(providerId: string, referralId: string): Promise<EmploymentReferralRecord | undefined> {
    const [row] = await this.tx.manager.query<ReferralRow[]>(
      `${SELECT} FROM ${this.s}.employment_referral
        WHERE referral_id = $1 AND provider_id = $2 AND NOT access_revoked`,
      [referralId, providerId],
    );
    return row ? map(row) : undefined;
  }

  /** A page of the provider's referrals by (referred_at, referral_id), after the cursor's position. */
  async pageForProvider(
    providerId: string,
    status: EmploymentStatus | undefined,
    after: KeysetPosition | undefined,
    limit: number,
  ): Promise<EmploymentReferralRecord[]> {
    const rows = await this.tx.manager.query<ReferralRow[]>(
      `${SELECT} FROM ${this.s}.employment_referral
        WHERE provider_id = $1 AND NOT access_revoked AND referred_at IS NOT NULL
          AND ($2::text IS NULL OR status = $2)
          AND ($3::timestamptz IS NULL OR (referred_at, referral_id) > ($3::timestamptz, $4::uuid))
        ORDER BY referred_at, referral_id LIMIT $5`,
      [providerId, status ?? null, after?.at ?? null, after?.id ?? null, limit],
    );
    return rows.map(map);
  }

  /** Hands the referral to a provider (a place is already taken there). */
  async assign(referralId: string, providerId: string, hop: number, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.employment_referral
          SET provider_id = $2, hop = $3, referred_at = $4, status = 'referred', holds_place = true,
              accepted_at = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [referralId, providerId, hop, at],
    );
  }

  async markUnplaced(referralId: string, hop: number, reason: EmploymentUnplacedReason): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.employment_referral
          SET provider_id = NULL, hop = $2, status = 'unplaced', unplaced_reason = $3, holds_place = false,
              updated_at = now()
        WHERE referral_id = $1`,
      [referralId, hop, reason],
    );
  }

  async update(referralId: string, patch: StagePatch): Promise<void> {
    const entries = Object.entries(patch).filter(([, v]) => v !== undefined) as [keyof StagePatch, unknown][];
    if (entries.length === 0) return;
    const sets = entries.map(([k], i) => `${COLUMNS[k]} = $${i + 2}`);
    await this.tx.manager.query(
      `UPDATE ${this.s}.employment_referral SET ${sets.join(', ')}, updated_at = now() WHERE referral_id = $1`,
      [referralId, ...entries.map(([, v]) => v)],
    );
  }

  async exclude(
    referralId: string,
    providerId: string,
    reasonCode: EmploymentDeclineReason,
    reasonText: string | undefined,
    hop: number,
    at: Date,
  ): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.provider_exclusion (referral_id, provider_id, reason_code, reason_text, hop, at)
       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`,
      [referralId, providerId, reasonCode, reasonText ?? null, hop, at],
    );
  }

  /**
   * A newer readiness confirmation re-opens an ended or unplaced referral as a new episode: the stages, the
   * providers that declined and the retention checks of the last one are cleared (its events keep them), the
   * hop count starts again, and routing follows.
   */
  async reopen(referral: NewEmploymentReferral): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.employment_referral
          SET site_id = $2, residence_division_code = $3, programmes = $4, ready_at = $5, confirmed_at = $6,
              status = 'unplaced', paused_from = NULL, provider_id = NULL, holds_place = false, hop = 0,
              unplaced_reason = NULL, referred_at = NULL, accepted_at = NULL, training_programme = NULL,
              training_started_at = NULL, placement_type = NULL, employer_name = NULL, job_start_date = NULL,
              placed_at = NULL, ended_at = NULL, end_reason = NULL, employment_specialist = NULL,
              first_employer_contact_on = NULL, updated_at = now()
        WHERE referral_id = $1`,
      [
        referral.referralId,
        referral.siteId,
        referral.residenceDivisionCode,
        referral.programmes,
        referral.readyAt,
        referral.confirmedAt,
      ],
    );
    await this.tx.manager.query(`DELETE FROM ${this.s}.provider_exclusion WHERE referral_id = $1`, [
      referral.referralId,
    ]);
    await this.tx.manager.query(`DELETE FROM ${this.s}.retention_check WHERE referral_id = $1`, [
      referral.referralId,
    ]);
  }

  /** Keeps the latest relapse or readmission of a referral (whether or not it has an employment referral). */
  async recordRelapse(referralId: string, cause: EmploymentPauseCause, at: Date): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.relapse_mark (referral_id, cause, relapsed_at) VALUES ($1, $2, $3)
       ON CONFLICT (referral_id) DO UPDATE SET cause = EXCLUDED.cause, relapsed_at = EXCLUDED.relapsed_at
        WHERE relapse_mark.relapsed_at < EXCLUDED.relapsed_at`,
      [referralId, cause, at],
    );
  }

  async latestRelapse(referralId: string): Promise<RelapseMark | undefined> {
    const [row] = await this.tx.manager.query<{ cause: EmploymentPauseCause; relapsed_at: Date }[]>(
      `SELECT cause, relapsed_at FROM ${this.s}.relapse_mark WHERE referral_id = $1`,
      [referralId],
    );
    return row ? { cause: row.cause, relapsedAt: row.relapsed_at } : undefined;
  }

  /** Records the first employer contact (the earliest date given wins). */
  async recordEmployerContact(referralId: string, on: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.employment_referral
          SET first_employer_contact_on = LEAST(coalesce(first_employer_contact_on, $2::date), $2::date),
              updated_at = now()
        WHERE referral_id = $1`,
      [referralId, on],
    );
  }

  /** Records that consent was withdrawn for a referral; returns whether it was new. */
  async recordWithdrawal(referralId: string, purpose: string, at: Date): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.s}.withdrawn_referral (referral_id, purpose, withdrawn_at) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING referral_id`,
      [referralId, purpose, at],
    );
    return rows.length === 1;
  }

  async isWithdrawn(referralId: string): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `SELECT 1 FROM ${this.s}.withdrawn_referral WHERE referral_id = $1`,
      [referralId],
    );
    return rows.length > 0;
  }
}
