import { Injectable } from '@nestjs/common';
import {
  EmploymentEndReason,
  EmploymentPauseCause,
  EmploymentStage,
  EmploymentStageChangedData,
  PlacementType,
} from '@app/contracts';
import { TransactionHost } from '@app/persistence';

export interface EmploymentOutcomeRecord {
  stage: EmploymentStage;
  providerName: string | null;
  placementType: PlacementType | null;
  retentionMonth: number | null;
  retained: boolean | null;
  endReason: EmploymentEndReason | null;
  pauseCause: EmploymentPauseCause | null;
  changedAt: Date;
}

interface OutcomeRow {
  stage: EmploymentOutcomeRecord['stage'];
  provider_name: string | null;
  placement_type: EmploymentOutcomeRecord['placementType'];
  retention_month: number | null;
  retained: boolean | null;
  end_reason: EmploymentOutcomeRecord['endReason'];
  pause_cause: EmploymentOutcomeRecord['pauseCause'];
  changed_at: Date;
}

/** The latest employment step of each referral the site service holds. */
@Injectable()
export class EmploymentOutcomeRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /**
   * Keeps the step unless a later one is already kept (events of one referral may arrive out of order); the
   * provider name stays from the step that named it. Answers whether it was kept (false: unknown or older).
   */
  async record(data: EmploymentStageChangedData): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.s}.employment_outcome AS o
         (referral_id, stage, provider_name, placement_type, retention_month, retained, end_reason, pause_cause, changed_at)
       SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9
        WHERE EXISTS (SELECT 1 FROM ${this.s}.referral r WHERE r.referral_id = $1)
       ON CONFLICT (referral_id) DO UPDATE
          SET stage = EXCLUDED.stage, provider_name = coalesce(EXCLUDED.provider_name, o.provider_name),
              placement_type = coalesce(EXCLUDED.placement_type, o.placement_type),
              retention_month = EXCLUDED.retention_month, retained = EXCLUDED.retained,
              end_reason = EXCLUDED.end_reason, pause_cause = EXCLUDED.pause_cause, changed_at = EXCLUDED.changed_at
        WHERE o.changed_at <= EXCLUDED.changed_at
       RETURNING referral_id`,
      [
        data.referralId,
        data.stage,
        data.providerName ?? null,
        data.placementType ?? null,
        data.retentionMonth ?? null,
        data.retained ?? null,
        data.endReason ?? null,
        data.pauseCause ?? null,
        data.changedAt,
      ],
    );
    return rows.length === 1;
  }

  async find(referralId: string): Promise<EmploymentOutcomeRecord | undefined> {
    const [row] = await this.tx.manager.query<OutcomeRow[]>(
      `SELECT stage, provider_name, placement_type, retention_month, retained, end_reason, pause_cause, changed_at
         FROM ${this.s}.employment_outcome WHERE referral_id = $1`,
      [referralId],
    );
    return (
      row && {
        stage: row.stage,
        providerName: row.provider_name,
        placementType: row.placement_type,
        retentionMonth: row.retention_month,
        retained: row.retained,
        endReason: row.end_reason,
        pauseCause: row.pause_cause,
        changedAt: row.changed_at,
      }
    );
  }
}
