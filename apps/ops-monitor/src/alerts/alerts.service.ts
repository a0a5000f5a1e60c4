import { Inject, Injectable } from '@nestjs/common';
import {
  DeadLetterRecordedData,
  EventEnvelope,
  OPS_ALERT_CODES,
  OpsAlertRaisedData,
  ReferralSlaBreachedData,
} from '@app/contracts';
import { AuditTrail } from '@app/audit';
import { Clock, DomainException } from '@app/core';
import { systemActor, TransactionHost } from '@app/persistence';
import { OPS_MONITOR_CONFIG, OpsMonitorConfig } from '../config/ops-monitor.config';
import { TimelineRepository } from '../timeline/timeline.repository';
import { AlertRecord, AlertRepository, AlertStatus } from './alert.repository';

/** The alert code of a statutory deadline breach (from `referral.sla-breached`). */
export const SLA_BREACH_ALERT = OPS_ALERT_CODES.SLA_BREACHED;
/** The alert code rehab-site raises when a referral goes to the county centre for manual placement. */
export const MANUAL_PLACEMENT_ALERT = OPS_ALERT_CODES.NEEDS_MANUAL_PLACEMENT;
/** The alert code ops-monitor raises for a referral waiting past its stage's expected time. */
export const STUCK_REFERRAL_ALERT = OPS_ALERT_CODES.STUCK_REFERRAL;

export interface AlertQuery {
  status?: AlertStatus;
  code?: string;
  county?: string;
  limit?: number;
  before?: { raisedAt: Date; id: string };
}

const ALERT_READER = systemActor('alert-list');

/**
 * Every alert on the bus (`ops.alert.raised` from any service, SLA breaches) becomes a row of the alert list;
 * ops users acknowledge and resolve them (audited). Dead-letter records are counted per service.
 */
@Injectable()
export class AlertsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly alerts: AlertRepository,
    private readonly timeline: TimelineRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(OPS_MONITOR_CONFIG) private readonly config: OpsMonitorConfig,
  ) {}

  async onAlertRaised(event: EventEnvelope<OpsAlertRaisedData>): Promise<void> {
    const { data } = event;
    const detailReferral = data.details?.referralId;
    const referralId = typeof detailReferral === 'string' ? detailReferral : (event.subject ?? null);
    await this.alerts.insertAlert({
      id: event.id,
      code: data.code,
      severity: data.severity,
      service: data.service,
      summary: data.summary,
      details: data.details ?? {},
      referralId,
      countyCode: referralId ? await this.countyOf(referralId) : null,
      raisedAt: new Date(data.raisedAt),
    });
    if (!referralId || (data.code !== MANUAL_PLACEMENT_ALERT && data.code !== STUCK_REFERRAL_ALERT)) return;
    // The alert may come in after the referral moved on (OPS and REFERRAL are separate streams), when progress
    // found nothing to resolve. The summary is read under a share lock: a lifecycle event being applied right now
    // commits first and is seen here; one applied later waits for this alert and resolves it itself.
    const summary = await this.timeline.lockSummary(referralId);
    if (!summary) return;
    if (data.code === STUCK_REFERRAL_ALERT) {
      // Raised for a stay the referral has left: resolved as progress would have.
      await this.alerts.resolveStuckAlertsMovedOn(referralId, summary.stateSince, this.clock.now());
    } else if (summary.state !== 'needs-manual-placement' && summary.stateSince > new Date(data.raisedAt)) {
      await this.alerts.resolvePlacementAlerts(referralId, this.clock.now());
    }
  }

  /** A breach is an alert of its own (the event is the record; no service raises a separate alert for it). */
  async onSlaBreached(
    event: EventEnvelope<ReferralSlaBreachedData>,
    countyCode: string | null,
  ): Promise<void> {
    const { data } = event;
    await this.alerts.insertAlert({
      id: event.id,
      code: SLA_BREACH_ALERT,
      severity: 'warning',
      service: event.source.replace(/^\//, ''),
      summary: `${data.stage} deadline (${data.workingDays} working days) passed at ${data.dueAt}`,
      details: { referralId: data.referralId, stage: data.stage, dueAt: data.dueAt },
      referralId: data.referralId,
      countyCode,
      raisedAt: new Date(data.breachedAt),
    });
  }

  async onDeadLetterRecorded(event: EventEnvelope<DeadLetterRecordedData>): Promise<void> {
    const { data } = event;
    await this.alerts.recordDeadLetter({
      deadLetterId: data.deadLetterId,
      service: data.service,
      consumer: data.consumer,
      stream: data.stream,
      eventType: data.eventType ?? null,
      errorCode: data.errorCode,
      recordedAt: new Date(data.recordedAt),
    });
  }

  /**
   * A referral moved on: its stuck alerts for the state it left are resolved by the system, and so are its
   * manual-placement alerts once it is placed.
   */
  async onProgress(referralId: string, stateSince: Date, leftManualPlacement: boolean): Promise<void> {
    await this.alerts.resolveStuckAlertsMovedOn(referralId, stateSince, this.clock.now());
    if (leftManualPlacement) await this.alerts.resolvePlacementAlerts(referralId, this.clock.now());
  }

  list(query: AlertQuery): Promise<AlertRecord[]> {
    const limit = Math.min(query.limit ?? 50, this.config.pageLimitMax);
    return this.tx.run(() => this.alerts.listAlerts({ ...query, limit }), ALERT_READER);
  }

  acknowledge(id: string, userId: string): Promise<AlertRecord> {
    return this.transition(id, userId, 'acknowledge', (alert) => {
      if (alert.status !== 'open') {
        throw new DomainException('ALERT_NOT_OPEN', 'conflict', `Alert ${id} is ${alert.status}`, {
          status: alert.status,
        });
      }
      return this.alerts.markAcknowledged(id, userId, this.clock.now());
    });
  }

  resolve(id: string, userId: string): Promise<AlertRecord> {
    return this.transition(id, userId, 'resolve', (alert) => {
      if (alert.status === 'resolved') {
        throw new DomainException('ALERT_ALREADY_RESOLVED', 'conflict', `Alert ${id} is already resolved`, {
          status: alert.status,
        });
      }
      return this.alerts.markResolved(id, userId, this.clock.now());
    });
  }

  /** An ops user's change of an alert: the alert locked, the rule applied, the attempt audited. */
  private transition(
    id: string,
    userId: string,
    action: 'acknowledge' | 'resolve',
    apply: (alert: AlertRecord) => Promise<AlertRecord>,
  ): Promise<AlertRecord> {
    return this.audit.audited(
      systemActor('ops-alerts', userId),
      {
        type: 'rest',
        subtype: action,
        action: 'U',
        entityType: 'alert',
        entityId: id,
        purposeOfUse: 'HOPERAT',
      },
      async () => apply(await this.mustFind(id)),
    );
  }

  private async mustFind(id: string): Promise<AlertRecord> {
    const alert = await this.alerts.findAlertForUpdate(id);
    if (!alert) throw new DomainException('ALERT_NOT_FOUND', 'not-found', `No alert ${id}`);
    return alert;
  }

  private async countyOf(referralId: string): Promise<string | null> {
    return (await this.timeline.findSummary(referralId))?.countyCode ?? null;
  }
}
