import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export interface NewAlert {
  readonly id: string;
  readonly code: string;
  readonly severity: 'info' | 'warning' | 'critical';
  readonly service: string;
  readonly summary: string;
  readonly details: Record<string, string | number | boolean>;
  readonly referralId: string | null;
  readonly countyCode: string | null;
  readonly raisedAt: Date;
}

export interface AlertRecord extends NewAlert {
  readonly status: AlertStatus;
  readonly acknowledgedAt: Date | null;
  readonly acknowledgedBy: string | null;
  readonly resolvedAt: Date | null;
  readonly resolvedBy: string | null;
}

interface AlertRow {
  id: string;
  code: string;
  severity: NewAlert['severity'];
  service: string;
  summary: string;
  details: Record<string, string | number | boolean>;
  referral_id: string | null;
  county_code: string | null;
  raised_at: Date;
  status: AlertStatus;
  acknowledged_at: Date | null;
  acknowledged_by: string | null;
  resolved_at: Date | null;
  resolved_by: string | null;
}

const toRecord = (r: AlertRow): AlertRecord => ({
  id: r.id,
  code: r.code,
  severity: r.severity,
  service: r.service,
  summary: r.summary,
  details: r.details,
  referralId: r.referral_id,
  countyCode: r.county_code,
  raisedAt: r.raised_at,
  status: r.status,
  acknowledgedAt: r.acknowledged_at,
  acknowledgedBy: r.acknowledged_by,
  resolvedAt: r.resolved_at,
  resolvedBy: r.resolved_by,
});

/** The alert list, dead-letter records and stuck referrals already raised. */
@Injectable()
export class AlertRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  async insertAlert(alert: NewAlert): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.ops_alert
         (id, code, severity, service, summary, details, referral_id, county_code, raised_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (id) DO NOTHING`,
      [
        alert.id,
        alert.code,
        alert.severity,
        alert.service,
        alert.summary,
        JSON.stringify(alert.details),
        alert.referralId,
        alert.countyCode,
        alert.raisedAt,
      ],
    );
  }

  async findAlertForUpdate(id: string): Promise<AlertRecord | undefined> {
    const [row] = await this.tx.manager.query<AlertRow[]>(
      `SELECT * FROM ${this.s}.ops_alert WHERE id = $1 FOR UPDATE`,
      [id],
    );
    return row ? toRecord(row) : undefined;
  }

  async markAcknowledged(id: string, by: string, at: Date): Promise<AlertRecord> {
    // An UPDATE answers [rows, affected count].
    const [[row]] = await this.tx.manager.query<[AlertRow[], number]>(
      `UPDATE ${this.s}.ops_alert SET status = 'acknowledged', acknowledged_at = $2, acknowledged_by = $3
        WHERE id = $1 RETURNING *`,
      [id, at, by],
    );
    return toRecord(row);
  }

  async markResolved(id: string, by: string, at: Date): Promise<AlertRecord> {
    const [[row]] = await this.tx.manager.query<[AlertRow[], number]>(
      `UPDATE ${this.s}.ops_alert SET status = 'resolved', resolved_at = $2, resolved_by = $3
        WHERE id = $1 RETURNING *`,
      [id, at, by],
    );
    return toRecord(row);
  }

  /**
   * Resolves the open stuck alerts of a referral that has moved on from the state they were raised for. An alert
   * whose `stateSince` is no timestamp (raised by hand or by another service) stays open for a person to resolve:
   * the cast is guarded so that it can never fail the statement, and with it the event being handled.
   */
  async resolveStuckAlertsMovedOn(referralId: string, stateSince: Date, at: Date): Promise<number> {
    const [, count] = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.s}.ops_alert SET status = 'resolved', resolved_at = $3, resolved_by = 'system:progress'
        WHERE referral_id = $1 AND code = 'STUCK_REFERRAL' AND status <> 'resolved'
          AND CASE WHEN details->>'stateSince' ~ '^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d(:\\d\\d(\\.\\d+)?)?(Z|[+-]\\d\\d:\\d\\d)$'
                   THEN (details->>'stateSince')::timestamptz <> $2
                   ELSE false END
        RETURNING id`,
      [referralId, stateSince, at],
    );
    return count;
  }

  /** Resolves the open manual-placement alerts of a referral that has been placed. */
  async resolvePlacementAlerts(referralId: string, at: Date): Promise<number> {
    const [, count] = await this.tx.manager.query<[unknown[], number]>(
      `UPDATE ${this.s}.ops_alert SET status = 'resolved', resolved_at = $2, resolved_by = 'system:placed'
        WHERE referral_id = $1 AND code = 'NEEDS_MANUAL_PLACEMENT' AND status <> 'resolved'`,
      [referralId, at],
    );
    return count;
  }

  /** Newest first; `before` pages on (raised_at, id). */
  async listAlerts(query: {
    status?: AlertStatus;
    code?: string;
    county?: string;
    limit: number;
    before?: { raisedAt: Date; id: string };
  }): Promise<AlertRecord[]> {
    const rows = await this.tx.manager.query<AlertRow[]>(
      `SELECT * FROM ${this.s}.ops_alert
        WHERE ($1::text IS NULL OR status = $1) AND ($2::text IS NULL OR code = $2)
          AND ($3::text IS NULL OR county_code = $3)
          AND ($4::timestamptz IS NULL OR (raised_at, id) < ($4, $5))
        ORDER BY raised_at DESC, id DESC LIMIT $6`,
      [
        query.status ?? null,
        query.code ?? null,
        query.county ?? null,
        query.before?.raisedAt ?? null,
        query.before?.id ?? '',
        query.limit,
      ],
    );
    return rows.map(toRecord);
  }

  async openAlertCounts(): Promise<{ code: string; severity: string; count: number }[]> {
    const rows = await this.tx.manager.query<{ code: string; severity: string; count: string }[]>(
      `SELECT code, severity, count(*) AS count FROM ${this.s}.ops_alert WHERE status <> 'resolved'
        GROUP BY code, severity ORDER BY code, severity`,
    );
    return rows.map((r) => ({ code: r.code, severity: r.severity, count: Number(r.count) }));
  }

  async recordDeadLetter(letter: {
    deadLetterId: string;
    service: string;
    consumer: string;
    stream: string;
    eventType: string | null;
    errorCode: string;
    recordedAt: Date;
  }): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.dead_letter_record
         (dead_letter_id, service, consumer, stream, event_type, error_code, recorded_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (dead_letter_id) DO NOTHING`,
      [
        letter.deadLetterId,
        letter.service,
        letter.consumer,
        letter.stream,
        letter.eventType,
        letter.errorCode,
        letter.recordedAt,
      ],
    );
  }

  async deadLettersByService(): Promise<{ service: string; count: number }[]> {
    const rows = await this.tx.manager.query<{ service: string; count: string }[]>(
      `SELECT service, count(*) AS count FROM ${this.s}.dead_letter_record GROUP BY service ORDER BY service`,
    );
    return rows.map((r) => ({ service: r.service, count: Number(r.count) }));
  }
}
