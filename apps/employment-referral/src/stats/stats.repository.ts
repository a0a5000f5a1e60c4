import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import {
  EmploymentStatsDto,
  ReasonCountDto,
  RetentionStatsDto,
  SpecialistCaseloadDto,
} from './dto/employment-stats.dto';

interface TotalsRow {
  referrals: number;
  caseload: number;
  placed: number;
  placed_competitive: number;
  median_ready_to_placed: number | null;
  median_ready_to_referred: number | null;
  median_ready_to_employer_contact: number | null;
  employer_contacted: number;
}

const DAYS = (to: string) => `extract(epoch FROM ${to} - ready_at) / 86400`;

/** Aggregates over employment referrals, for all providers or one (row-level security narrows a provider's). */
@Injectable()
export class StatsRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  async measures(
    providerId: string | undefined,
  ): Promise<Omit<EmploymentStatsDto, 'competitiveShare' | 'meanCaseloadPerSpecialist'>> {
    const p = [providerId ?? null];
    const [totals] = await this.tx.manager.query<TotalsRow[]>(
      `SELECT count(*)::int AS referrals,
              count(*) FILTER (WHERE status IN ('referred', 'accepted', 'training', 'placed'))::int AS caseload,
              count(*) FILTER (WHERE placed_at IS NOT NULL)::int AS placed,
              count(first_employer_contact_on)::int AS employer_contacted,
              count(*) FILTER (WHERE placed_at IS NOT NULL AND placement_type = 'competitive')::int AS placed_competitive,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DAYS('placed_at')}) FILTER (WHERE placed_at IS NOT NULL)
                AS median_ready_to_placed,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY ${DAYS('referred_at')}) FILTER (WHERE referred_at IS NOT NULL)
                AS median_ready_to_referred,
              percentile_cont(0.5) WITHIN GROUP (ORDER BY first_employer_contact_on - (ready_at AT TIME ZONE 'Asia/Shanghai')::date)
                FILTER (WHERE first_employer_contact_on IS NOT NULL) AS median_ready_to_employer_contact
         FROM ${this.s}.employment_referral WHERE $1::text IS NULL OR provider_id = $1`,
      p,
    );
    const [{ capacity }] = await this.tx.manager.query<{ capacity: number }[]>(
      `SELECT coalesce(sum(capacity), 0)::int AS capacity FROM ${this.s}.provider WHERE $1::text IS NULL OR id = $1`,
      p,
    );
    const retention = await this.tx.manager.query<RetentionStatsDto[]>(
      `SELECT month, count(checked_at)::int AS checked, count(*) FILTER (WHERE retained)::int AS retained,
              count(overdue_at)::int AS overdue
         FROM ${this.s}.retention_check WHERE $1::text IS NULL OR provider_id = $1 GROUP BY month ORDER BY month`,
      p,
    );
    const reasons = (sql: string) => this.tx.manager.query<ReasonCountDto[]>(sql, p);
    return {
      referrals: totals.referrals,
      caseload: totals.caseload,
      capacity,
      placed: totals.placed,
      placedCompetitive: totals.placed_competitive,
      medianDaysReadyToPlaced: round(totals.median_ready_to_placed),
      medianDaysReadyToReferred: round(totals.median_ready_to_referred),
      medianDaysToFirstEmployerContact: round(totals.median_ready_to_employer_contact),
      employerContacted: totals.employer_contacted,
      caseloadPerSpecialist: await this.tx.manager.query<SpecialistCaseloadDto[]>(
        `SELECT provider_id AS "providerId", employment_specialist AS specialist, count(*)::int AS caseload
           FROM ${this.s}.employment_referral
          WHERE employment_specialist IS NOT NULL AND status IN ('referred', 'accepted', 'training', 'placed')
            AND ($1::text IS NULL OR provider_id = $1)
          GROUP BY provider_id, employment_specialist ORDER BY provider_id, employment_specialist`,
        p,
      ),
      retention,
      declineReasons: await reasons(
        `SELECT reason_code AS reason, count(*)::int AS count FROM ${this.s}.provider_exclusion
          WHERE $1::text IS NULL OR provider_id = $1 GROUP BY reason_code ORDER BY reason_code`,
      ),
      endReasons: await reasons(
        `SELECT end_reason AS reason, count(*)::int AS count FROM ${this.s}.employment_referral
          WHERE end_reason IS NOT NULL AND ($1::text IS NULL OR provider_id = $1) GROUP BY end_reason ORDER BY end_reason`,
      ),
      unplacedReasons: providerId
        ? []
        : await this.tx.manager.query<ReasonCountDto[]>(
            `SELECT unplaced_reason AS reason, count(*)::int AS count FROM ${this.s}.employment_referral
              WHERE status = 'unplaced' GROUP BY unplaced_reason ORDER BY unplaced_reason`,
          ),
    };
  }
}

function round(days: number | null): number | null {
  return days === null ? null : Math.round(days * 10) / 10;
}
