import { Injectable } from '@nestjs/common';
import {
  EmploymentDeclineReason,
  EmploymentEndReason,
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
>;

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
}

const SELECT = `SELECT referral_id, site_id, residence_division_code, programmes, status, paused_from, provider_id,
  holds_place, hop, ready_at, referred_at, accepted_at, training_programme, training_started_at, placement_type,
  employer_name, to_char(job_start_date, 'YYYY-MM-DD') AS job_start_date, placed_at, ended_at, end_reason`;

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
      `INSERT INTO ${this.s}.employment_referral (referral_id, site_id, residence_division_code, programmes, status, ready_at)
       VALUES ($1, $2, $3, $4, 'unplaced', $5) ON CONFLICT (referral_id) DO NOTHING RETURNING referral_id`,
      [
        referral.referralId,
        referral.siteId,
        referral.residenceDivisionCode,
        referral.programmes,
        referral.readyAt,
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
