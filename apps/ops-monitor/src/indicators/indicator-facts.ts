import {
  EmploymentPlacedData,
  EmploymentRetentionCheckedData,
  EventDefinition,
  EventEnvelope,
  EVENTS,
  GreenRelapseReportedData,
  ReferralAcceptedData,
  ReferralApplicationReceivedData,
  ReferralAssignedData,
  ReferralCancelledData,
  ReferralClosedData,
  ReferralDeclinedData,
  ReferralDischargedData,
  ReferralRegisteredData,
  ReferralServiceRecordedData,
  ReferralTransferredData,
} from '@app/contracts';

export const FACT_KINDS = [
  'discharged',
  'application',
  'registered',
  'transferred',
  'assigned',
  'declined',
  'accepted',
  'plan',
  'session',
  'assessment',
  'closed',
  'cancelled',
  'relapse',
  'placed',
  'retention',
] as const;
export type FactKind = (typeof FACT_KINDS)[number];

/**
 * One event as an indicator ingredient: ids, codes and the domain time (session date, closure time…), never PII.
 * Every indicator value is computed from these rows, so every number leads back to event ids.
 */
export interface IndicatorFact {
  readonly eventId: string;
  readonly referralId: string;
  readonly kind: FactKind;
  /** When it happened (the payload's own time: a session's date, not when it was recorded). */
  readonly occurredAt: Date;
  /** Residence division (registration, discharge, application, transfer). */
  readonly divisionCode: string | null;
  readonly siteId: string | null;
  /** A code: channel, decline reason, closure outcome, assignment hop, placement type, `1:true` retention. */
  readonly detail: string | null;
  /** Accepted: the site's level and served divisions (coverage). */
  readonly siteLevel: string | null;
  readonly areaCodes: string[] | null;
}

/** Events the indicators read beyond the timeline's (employment placements and retention checks). */
export const INDICATOR_ONLY_EVENTS = [EVENTS.employmentPlaced, EVENTS.employmentRetentionChecked] as const;

type Partial = Omit<IndicatorFact, 'eventId' | 'referralId'>;

const fact = (kind: FactKind, at: string, more: Partial | object = {}): Partial => ({
  kind,
  occurredAt: new Date(at),
  divisionCode: null,
  siteId: null,
  detail: null,
  siteLevel: null,
  areaCodes: null,
  ...more,
});

function factOf(definition: EventDefinition, data: object): Partial | undefined {
  switch (definition.subject) {
    case EVENTS.referralDischarged.subject: {
      const d = data as ReferralDischargedData;
      return fact('discharged', d.dischargedAt, {
        divisionCode: d.residenceDivisionCode,
        detail: 'hospital',
      });
    }
    case EVENTS.referralApplicationReceived.subject: {
      const d = data as ReferralApplicationReceivedData;
      return fact('application', d.receivedAt, { divisionCode: d.residenceDivisionCode, detail: d.channel });
    }
    case EVENTS.referralRegistered.subject: {
      const d = data as ReferralRegisteredData;
      return fact('registered', d.registeredAt, { divisionCode: d.residenceDivisionCode });
    }
    case EVENTS.referralTransferred.subject: {
      const d = data as ReferralTransferredData;
      return fact('transferred', d.transferredAt, {
        divisionCode: d.newResidenceDivisionCode ?? null,
        siteId: d.toSiteId,
      });
    }
    case EVENTS.referralAssigned.subject: {
      const d = data as ReferralAssignedData;
      return fact('assigned', d.assignedAt, { siteId: d.siteId, detail: String(d.hop) });
    }
    case EVENTS.referralDeclined.subject: {
      const d = data as ReferralDeclinedData;
      return fact('declined', d.declinedAt, { siteId: d.siteId, detail: d.reasonCode });
    }
    case EVENTS.referralAccepted.subject: {
      const d = data as ReferralAcceptedData;
      return fact('accepted', d.acceptedAt, {
        siteId: d.siteId,
        siteLevel: d.siteLevel ?? null,
        areaCodes: d.siteAreaCodes ?? null,
      });
    }
    case EVENTS.referralServiceRecorded.subject: {
      const d = data as ReferralServiceRecordedData;
      return fact(d.kind, d.occurredAt, { siteId: d.siteId });
    }
    case EVENTS.referralClosed.subject: {
      const d = data as ReferralClosedData;
      return fact('closed', d.closedAt, { siteId: d.siteId, detail: d.outcome });
    }
    case EVENTS.referralCancelled.subject: {
      const d = data as ReferralCancelledData;
      return fact('cancelled', d.cancelledAt, { detail: d.reasonCode });
    }
    case EVENTS.greenRelapseReported.subject: {
      const d = data as GreenRelapseReportedData;
      return fact('relapse', d.reportedAt, { siteId: d.siteId });
    }
    case EVENTS.employmentPlaced.subject: {
      const d = data as EmploymentPlacedData;
      return fact('placed', d.placedAt, { detail: d.placementType });
    }
    case EVENTS.employmentRetentionChecked.subject: {
      const d = data as EmploymentRetentionCheckedData;
      return fact('retention', d.checkedAt, { detail: `${d.month}:${d.retained}` });
    }
    default:
      return undefined;
  }
}

const BY_TYPE = new Map<string, EventDefinition>(
  [
    EVENTS.referralDischarged,
    EVENTS.referralApplicationReceived,
    EVENTS.referralRegistered,
    EVENTS.referralTransferred,
    EVENTS.referralAssigned,
    EVENTS.referralDeclined,
    EVENTS.referralAccepted,
    EVENTS.referralServiceRecorded,
    EVENTS.referralClosed,
    EVENTS.referralCancelled,
    EVENTS.greenRelapseReported,
    ...INDICATOR_ONLY_EVENTS,
  ].map((d) => [d.type, d]),
);

/** The indicator fact of an event, or undefined when no indicator reads it. Pure (live and replay alike). */
export function indicatorFactOf(envelope: EventEnvelope): IndicatorFact | undefined {
  const definition = BY_TYPE.get(envelope.type);
  const referralId = envelope.subject ?? (envelope.data as { referralId?: string }).referralId;
  if (!definition || !referralId) return undefined;
  const partial = factOf(definition, envelope.data);
  return partial ? { eventId: envelope.id, referralId, ...partial } : undefined;
}
