import { AlertSeverity, EVENTS, OpsAlertCode, ServiceName } from '@app/contracts';
import { EventPublisher } from './outbox/event-publisher';

export interface OpsAlert {
  /** Stable alert code from the registry (`OPS_ALERT_CODES` in @app/contracts). */
  code: OpsAlertCode;
  severity: AlertSeverity;
  summary: string;
  /** Pointers only (ids, counts), never PII; a `referralId` orders the alert with that referral's events. */
  details: Record<string, string | number | boolean>;
}

/** Raises `ops.alert.raised` for `service`, in the caller's transaction (through the outbox). */
export async function raiseOpsAlert(
  publisher: EventPublisher,
  service: ServiceName,
  alert: OpsAlert,
  at: Date,
): Promise<void> {
  const { referralId } = alert.details;
  await publisher.publish(
    EVENTS.opsAlertRaised,
    { ...alert, service, raisedAt: at.toISOString() },
    { subject: typeof referralId === 'string' ? referralId : undefined },
  );
}
