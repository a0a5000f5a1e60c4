import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { EventEnvelope, EVENTS, OPS_ALERT_CODES, SERVICES } from '@app/contracts';
import { Clock, DomainException } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { OPS_MONITOR_CONFIG, OpsMonitorConfig } from '../config/ops-monitor.config';
import { CoverageDenominators, coverageDenominators } from './coverage';
import {
  ACTIVE_SITE_DAYS,
  calculateIndicators,
  DrillDownItem,
  INDICATOR_CODES,
  IndicatorCode,
  IndicatorValue,
} from './indicator-calculator';
import { indicatorFactOf, IndicatorFact } from './indicator-facts';
import { IndicatorRepository, ReportRecord } from './indicator.repository';
import { parsePeriod, Period, previousQuarter, quarterOf, reportDueAt } from './periods';
import { reportCsv, reportXlsx } from './report-export';

/** The alert codes of the quarterly report's due date (raised through `ops.alert.raised`). */
export const REPORT_DUE_ALERT = OPS_ALERT_CODES.INDICATOR_REPORT_DUE;
export const REPORT_OVERDUE_ALERT = OPS_ALERT_CODES.INDICATOR_REPORT_OVERDUE;

const READER = systemActor('indicators-read');
const REMINDER = systemActor('indicator-reminders');

export type IndicatorSummary = Omit<IndicatorValue, 'drillDown'>;

export interface IndicatorsView {
  readonly area: string;
  readonly areaName: string;
  readonly period: string;
  readonly start: Date;
  readonly end: Date;
  readonly indicators: IndicatorSummary[];
  /** The same indicators for each county of the area. */
  readonly byCounty: { countyCode: string; countyName: string; indicators: IndicatorSummary[] }[];
  /** Each month of the period's year up to the period's end: value per indicator code. */
  readonly trend: { month: string; values: Partial<Record<IndicatorCode, number | null>> }[];
}

export interface DrillDown {
  readonly indicator: IndicatorSummary;
  readonly total: number;
  readonly items: DrillDownItem[];
}

export interface ReportFile {
  readonly filename: string;
  readonly contentType: string;
  readonly body: Buffer;
}

const summary = ({ drillDown: _omit, ...rest }: IndicatorValue): IndicatorSummary => rest;

const restrict = (d: CoverageDenominators, prefix: string): CoverageDenominators => ({
  counties: d.counties.filter((c) => c.startsWith(prefix)),
  streets: d.streets.filter((c) => c.startsWith(prefix)),
  townships: d.townships.filter((c) => c.startsWith(prefix)),
  urbanCommunities: d.urbanCommunities.filter((c) => c.startsWith(prefix)),
});

/**
 * Statutory indicators computed from the indicator facts (one per event), the quarterly report with its
 * versions and sign-off, and the due-date reminders.
 */
@Injectable()
export class IndicatorsService {
  private readonly denominators = new Map<string, Promise<CoverageDenominators>>();

  constructor(
    private readonly tx: TransactionHost,
    private readonly indicators: IndicatorRepository,
    private readonly divisions: DivisionDirectory,
    private readonly publisher: EventPublisher,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(OPS_MONITOR_CONFIG) private readonly config: OpsMonitorConfig,
  ) {}

  /** Runs in the consumer's transaction: the event's fact row (if an indicator reads it). */
  async onEvent(event: EventEnvelope): Promise<void> {
    const fact = indicatorFactOf(event);
    if (fact) await this.indicators.recordFact(fact);
  }

  async view(areaCode: string, periodLabel: string): Promise<IndicatorsView> {
    const { area, period, areaName } = this.validate(areaCode, periodLabel);
    const yearStart = parsePeriod(`${period.year}-01`).start;
    const facts = await this.factsFor(area, period);
    const coverage = await this.coverageOf(area);
    const compute = (p: Period, a: string) =>
      calculateIndicators({
        facts,
        period: p,
        area: a,
        settings: this.config.indicators,
        coverage: restrict(coverage, a),
      });
    const months: string[] = [];
    for (let m = 1; m <= 12; m++) {
      const month = parsePeriod(`${period.year}-${String(m).padStart(2, '0')}`);
      if (month.start >= yearStart && month.end <= period.end) months.push(month.label);
    }
    return {
      area,
      areaName,
      period: period.label,
      start: period.start,
      end: period.end,
      indicators: compute(period, area).map(summary),
      byCounty: this.divisions.countiesOf(area).map((county) => ({
        countyCode: county.code,
        countyName: county.name ?? county.code,
        indicators: compute(period, county.code).map(summary),
      })),
      trend: months.map((label) => ({
        month: label,
        values: Object.fromEntries(compute(parsePeriod(label), area).map((v) => [v.code, v.value])),
      })),
    };
  }

  async drillDown(
    code: string,
    areaCode: string,
    periodLabel: string,
    limit: number,
    offset: number,
  ): Promise<DrillDown> {
    if (!(INDICATOR_CODES as readonly string[]).includes(code)) {
      throw new DomainException('INDICATOR_NOT_FOUND', 'not-found', `No indicator ${code}`);
    }
    const values = await this.compute(areaCode, periodLabel);
    const value = values.find((v) => v.code === code)!;
    const capped = Math.min(limit, this.config.pageLimitMax);
    return {
      indicator: summary(value),
      total: value.drillDown.length,
      items: value.drillDown.slice(offset, offset + capped),
    };
  }

  /**
   * A new report version with the numbers as of now. The latest draft is regenerated in place; once a version
   * is signed it stays as it was, and the next generation is version n+1.
   */
  async generateReport(areaCode: string, periodLabel: string, userId: string): Promise<ReportRecord> {
    const values = await this.compute(areaCode, periodLabel);
    const { area, period } = this.validate(areaCode, periodLabel);
    return this.audit.audited(
      systemActor('indicator-reports', userId),
      {
        type: 'rest',
        subtype: 'generate',
        action: 'C',
        entityType: 'read-model',
        entityId: `indicator-report:${area}:${period.label}`,
        purposeOfUse: 'HOPERAT',
      },
      async () => {
        await this.indicators.lockReportSeries(area, period.label);
        const latest = await this.indicators.findLatestReportForUpdate(area, period.label);
        const now = this.clock.now();
        if (latest?.status === 'draft') {
          await this.indicators.replaceDraftContent(latest.id, { indicators: values }, now, userId);
          return (await this.indicators.findReport(latest.id))!;
        }
        const id = randomUUID();
        await this.indicators.insertReport({
          id,
          area,
          period: period.label,
          version: (latest?.version ?? 0) + 1,
          status: 'draft',
          content: { indicators: values },
          generatedAt: now,
          generatedBy: userId,
        });
        return (await this.indicators.findReport(id))!;
      },
    );
  }

  getReport(id: string): Promise<ReportRecord> {
    return this.tx.run(() => this.mustFindReport(id), READER);
  }

  async exportReport(id: string, format: 'csv' | 'xlsx'): Promise<ReportFile> {
    const report = await this.getReport(id);
    const base = `indicators-${report.area}-${report.period}-v${report.version}`;
    return format === 'csv'
      ? { filename: `${base}.csv`, contentType: 'text/csv; charset=utf-8', body: reportCsv(report) }
      : {
          filename: `${base}.xlsx`,
          contentType: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
          body: await reportXlsx(report),
        };
  }

  /** Signs the draft off (who from the JWT, when from the Clock); a signed version is frozen. */
  signOff(id: string, userId: string): Promise<ReportRecord> {
    return this.audit.audited(
      systemActor('indicator-reports', userId),
      {
        type: 'rest',
        subtype: 'sign-off',
        action: 'U',
        entityType: 'read-model',
        entityId: `indicator-report:${id}`,
        purposeOfUse: 'HOPERAT',
      },
      async () => {
        const report = await this.mustFindReport(id, true);
        if (report.status === 'signed') {
          throw new DomainException('REPORT_ALREADY_SIGNED', 'conflict', `Report ${id} is already signed`, {
            signedBy: report.signedBy,
            signedAt: report.signedAt?.toISOString(),
          });
        }
        await this.indicators.markSigned(id, userId, this.clock.now());
        return (await this.indicators.findReport(id))!;
      },
    );
  }

  /**
   * Raises, once per county and quarter, a reminder alert from `reportReminderLeadDays` before the due date
   * (the 20th after the quarter, Beijing time) and an overdue alert once it has passed without a signed report.
   * Returns the alerts raised.
   */
  sweepReminders(): Promise<number> {
    return this.tx.run(async () => {
      if (!(await this.indicators.tryLockReminderSweep())) return 0;
      const now = this.clock.now();
      const settings = this.config.indicators;
      const quarter = previousQuarter(quarterOf(now));
      const dueAt = reportDueAt(quarter, settings.reportDueDay);
      if (now.getTime() < dueAt.getTime() - settings.reportReminderLeadDays * 86_400_000) return 0;
      const kind = now >= dueAt ? 'overdue' : 'due';
      let raised = 0;
      for (const area of await this.indicators.countiesWithRegistrations(parsePeriod(quarter).end)) {
        if (await this.indicators.hasSignedReport(area, quarter)) continue;
        if (!(await this.indicators.claimReminder(area, quarter, kind, now))) continue;
        await this.publisher.publish(EVENTS.opsAlertRaised, {
          code: kind === 'due' ? REPORT_DUE_ALERT : REPORT_OVERDUE_ALERT,
          severity: kind === 'due' ? 'warning' : 'critical',
          service: SERVICES.opsMonitor,
          summary: `Quarterly indicator report ${quarter} for ${area} ${kind === 'due' ? 'is due' : 'is overdue'} (due ${dueAt.toISOString()})`,
          details: { area, period: quarter, dueAt: dueAt.toISOString() },
          raisedAt: now.toISOString(),
        });
        raised++;
      }
      return raised;
    }, REMINDER);
  }

  private async compute(areaCode: string, periodLabel: string): Promise<IndicatorValue[]> {
    const { area, period } = this.validate(areaCode, periodLabel);
    const facts = await this.factsFor(area, period);
    return calculateIndicators({
      facts,
      period,
      area,
      settings: this.config.indicators,
      coverage: await this.coverageOf(area),
    });
  }

  private factsFor(area: string, period: Period): Promise<IndicatorFact[]> {
    const activeSince = new Date(period.end.getTime() - ACTIVE_SITE_DAYS * 86_400_000);
    return this.tx.run(() => this.indicators.factsForArea(area, period.end, activeSince), READER);
  }

  /** Denominators read once per area (the committee list is scanned from the package's data file). */
  private coverageOf(area: string): Promise<CoverageDenominators> {
    let found = this.denominators.get(area);
    if (!found) {
      found = coverageDenominators(this.divisions, area);
      found.catch(() => this.denominators.delete(area));
      this.denominators.set(area, found);
    }
    return found;
  }

  private validate(area: string, periodLabel: string): { area: string; areaName: string; period: Period } {
    const division = /^\d{2}(\d{2}(\d{2})?)?$/.test(area) ? this.divisions.find(area) : undefined;
    if (!division) {
      throw new DomainException(
        'INVALID_AREA',
        'invalid',
        `${area} is not a province, prefecture or county code`,
        {
          errors: [{ pointer: '#/area', detail: 'expected an existing 2, 4 or 6 digit division code' }],
        },
      );
    }
    const period = parsePeriod(periodLabel);
    // A period that has not begun has no facts yet: its rates would read as real zeros (or nulls) for a future.
    if (period.start > this.clock.now()) {
      throw new DomainException('PERIOD_NOT_STARTED', 'invalid', `Period ${periodLabel} has not begun yet`, {
        errors: [{ pointer: '#/period', detail: 'expected the current period or an earlier one' }],
      });
    }
    return { area, areaName: division.name ?? area, period };
  }

  private async mustFindReport(id: string, forUpdate = false): Promise<ReportRecord> {
    const report = await this.indicators.findReport(id, forUpdate);
    if (!report) throw new DomainException('REPORT_NOT_FOUND', 'not-found', `No report ${id}`);
    return report;
  }
}
