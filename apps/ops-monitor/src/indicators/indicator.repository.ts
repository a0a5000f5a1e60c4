import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { IndicatorValue } from './indicator-calculator';
import { FactKind, IndicatorFact } from './indicator-facts';

export type ReportStatus = 'draft' | 'signed';

/** What a report version holds: the numbers (with their drill-down) as computed at `generatedAt`. */
export interface ReportContent {
  readonly indicators: IndicatorValue[];
}

export interface ReportRecord {
  readonly id: string;
  readonly area: string;
  readonly period: string;
  readonly version: number;
  readonly status: ReportStatus;
  readonly content: ReportContent;
  readonly generatedAt: Date;
  readonly generatedBy: string;
  readonly signedAt: Date | null;
  readonly signedBy: string | null;
}

interface FactRow {
  event_id: string;
  referral_id: string;
  kind: FactKind;
  occurred_at: Date;
  division_code: string | null;
  site_id: string | null;
  detail: string | null;
  site_level: string | null;
  area_codes: string[] | null;
}

interface ReportRow {
  id: string;
  area: string;
  period: string;
  version: number;
  status: ReportStatus;
  content: ReportContent;
  generated_at: Date;
  generated_by: string;
  signed_at: Date | null;
  signed_by: string | null;
}

const toFact = (r: FactRow): IndicatorFact => ({
  eventId: r.event_id,
  referralId: r.referral_id,
  kind: r.kind,
  occurredAt: r.occurred_at,
  divisionCode: r.division_code,
  siteId: r.site_id,
  detail: r.detail,
  siteLevel: r.site_level,
  areaCodes: r.area_codes,
});

const toReport = (r: ReportRow): ReportRecord => ({
  id: r.id,
  area: r.area,
  period: r.period,
  version: r.version,
  status: r.status,
  content: r.content,
  generatedAt: r.generated_at,
  generatedBy: r.generated_by,
  signedAt: r.signed_at,
  signedBy: r.signed_by,
});

/** Indicator facts, report versions and reminders. */
@Injectable()
export class IndicatorRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get s(): string {
    return this.tx.schema;
  }

  /** Idempotent: a redelivered or replayed event adds nothing. */
  async recordFact(fact: IndicatorFact): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.indicator_fact
         (event_id, referral_id, kind, occurred_at, division_code, site_id, detail, site_level, area_codes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (event_id) DO NOTHING`,
      [
        fact.eventId,
        fact.referralId,
        fact.kind,
        fact.occurredAt,
        fact.divisionCode,
        fact.siteId,
        fact.detail,
        fact.siteLevel,
        fact.areaCodes,
      ],
    );
  }

  /**
   * Facts before `end` of every referral ever located in the area, plus the site acceptances since
   * `activeSince` (coverage reads the accepting site's level and served divisions).
   */
  async factsForArea(area: string, end: Date, activeSince: Date): Promise<IndicatorFact[]> {
    const rows = await this.tx.manager.query<FactRow[]>(
      `SELECT event_id, referral_id, kind, occurred_at, division_code, site_id, detail, site_level, area_codes
         FROM ${this.s}.indicator_fact
        WHERE occurred_at < $2
          AND (referral_id IN (SELECT referral_id FROM ${this.s}.indicator_fact
                                WHERE county_code LIKE $1 || '%' AND occurred_at < $2)
               OR (kind = 'accepted' AND site_level IS NOT NULL AND occurred_at >= $3))
        ORDER BY occurred_at, event_id`,
      [area, end, activeSince],
    );
    return rows.map(toFact);
  }

  /** Counties with a subject registered before `end` (the areas a quarterly report is due for). */
  async countiesWithRegistrations(end: Date): Promise<string[]> {
    const rows = await this.tx.manager.query<{ county_code: string }[]>(
      `SELECT DISTINCT county_code FROM ${this.s}.indicator_fact
        WHERE kind = 'registered' AND occurred_at < $1 AND county_code IS NOT NULL ORDER BY county_code`,
      [end],
    );
    return rows.map((r) => r.county_code);
  }

  /** The newest version of an area's report for a period, locked (a concurrent generation waits). */
  async findLatestReportForUpdate(area: string, period: string): Promise<ReportRecord | undefined> {
    const [row] = await this.tx.manager.query<ReportRow[]>(
      `SELECT * FROM ${this.s}.indicator_report WHERE area = $1 AND period = $2
        ORDER BY version DESC LIMIT 1 FOR UPDATE`,
      [area, period],
    );
    return row ? toReport(row) : undefined;
  }

  /** Serialises report generation for one area and period (the first version has no row to lock). */
  async lockReportSeries(area: string, period: string): Promise<void> {
    await this.tx.manager.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [
      `indicator-report:${area}:${period}`,
    ]);
  }

  async insertReport(report: Omit<ReportRecord, 'signedAt' | 'signedBy'>): Promise<void> {
    await this.tx.manager.query(
      `INSERT INTO ${this.s}.indicator_report (id, area, period, version, status, content, generated_at, generated_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        report.id,
        report.area,
        report.period,
        report.version,
        report.status,
        JSON.stringify(report.content),
        report.generatedAt,
        report.generatedBy,
      ],
    );
  }

  /** Regenerates a draft in place; a signed version is never touched (the WHERE refuses it). */
  async replaceDraftContent(id: string, content: ReportContent, at: Date, by: string): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.indicator_report SET content = $2, generated_at = $3, generated_by = $4
        WHERE id = $1 AND status = 'draft'`,
      [id, JSON.stringify(content), at, by],
    );
  }

  async findReport(id: string, forUpdate = false): Promise<ReportRecord | undefined> {
    const [row] = await this.tx.manager.query<ReportRow[]>(
      `SELECT * FROM ${this.s}.indicator_report WHERE id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return row ? toReport(row) : undefined;
  }

  async markSigned(id: string, by: string, at: Date): Promise<void> {
    await this.tx.manager.query(
      `UPDATE ${this.s}.indicator_report SET status = 'signed', signed_by = $2, signed_at = $3
        WHERE id = $1 AND status = 'draft'`,
      [id, by, at],
    );
  }

  async hasSignedReport(area: string, period: string): Promise<boolean> {
    const [row] = await this.tx.manager.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${this.s}.indicator_report
        WHERE area = $1 AND period = $2 AND status = 'signed'`,
      [area, period],
    );
    return row.n > 0;
  }

  /** True the first time a reminder of this kind is claimed for an area's period. */
  async claimReminder(area: string, period: string, kind: 'due' | 'overdue', at: Date): Promise<boolean> {
    const rows = await this.tx.manager.query<unknown[]>(
      `INSERT INTO ${this.s}.indicator_report_reminder (area, period, kind, raised_at)
       VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING RETURNING area`,
      [area, period, kind, at],
    );
    return rows.length > 0;
  }

  /** One sweeper at a time across replicas (transaction-scoped). */
  async tryLockReminderSweep(): Promise<boolean> {
    const [row] = await this.tx.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
      [`indicator-reminders:${this.s}`],
    );
    return row.locked;
  }
}
