import {
  EmploymentReadinessConfirmedData,
  EventDefinition,
  EventEnvelope,
  EVENTS,
  GreenAcknowledgedData,
  GreenDeclinedData,
  GreenEscalatedData,
  GreenNotifiedData,
  GreenReadmittedData,
  GreenRelapseReportedData,
  ReferralAcceptedData,
  ReferralApplicationReceivedData,
  ReferralAssessedData,
  ReferralAssignedData,
  ReferralCancelledData,
  ReferralClosedData,
  ReferralConsentWithdrawnData,
  ReferralDeclinedData,
  ReferralDischargedData,
  ReferralEscalatedData,
  ReferralRegisteredData,
  ReferralRegistrationExpiredData,
  ReferralServiceRecordedData,
  ReferralSlaBreachedData,
  ReferralTransferredData,
} from '@app/contracts';
import { Milestone, ReferralState } from './referral-states';

/** The lifecycle events the timeline records (REFERRAL, GREEN and EMPLOYMENT streams). */
export const TIMELINE_EVENTS = [
  EVENTS.referralDischarged,
  EVENTS.referralAssessed,
  EVENTS.referralApplicationReceived,
  EVENTS.referralRegistered,
  EVENTS.referralRegistrationExpired,
  EVENTS.referralSlaBreached,
  EVENTS.referralAssigned,
  EVENTS.referralAccepted,
  EVENTS.referralDeclined,
  EVENTS.referralEscalated,
  EVENTS.referralServiceRecorded,
  EVENTS.referralTransferred,
  EVENTS.referralClosed,
  EVENTS.referralConsentWithdrawn,
  EVENTS.referralCancelled,
  EVENTS.greenRelapseReported,
  EVENTS.greenNotified,
  EVENTS.greenAcknowledged,
  EVENTS.greenDeclined,
  EVENTS.greenEscalated,
  EVENTS.greenReadmitted,
  EVENTS.employmentReadinessConfirmed,
] as const satisfies readonly EventDefinition[];

const BY_TYPE = new Map<string, EventDefinition>(TIMELINE_EVENTS.map((d) => [d.type, d]));

/** One row of a referral's timeline: ids, codes and times only, never PII. */
export interface TimelineEntry {
  readonly eventId: string;
  readonly referralId: string;
  /** CloudEvents type (versioned). */
  readonly eventType: string;
  /** Registry subject, e.g. `referral.assigned`. */
  readonly subject: string;
  /** CloudEvents `time`. */
  readonly occurredAt: Date;
  /** GB/T 2260 county (first six digits of a residence division); never the committee. */
  readonly countyCode: string | null;
  readonly siteId: string | null;
  readonly hospitalId: string | null;
  /** A code that says more (decline reason code, outcome, record kind, SLA stage); never free text. */
  readonly detail: string | null;
  /** The state the referral is in after this event (null: the event does not change it). */
  readonly state: ReferralState | null;
  readonly milestone: Milestone | null;
  /** Orders events with the same time (a re-route's decline and new assignment share one instant). */
  readonly rank: number;
}

interface Facts {
  state?: ReferralState;
  milestone?: Milestone;
  rank: number;
  division?: string;
  siteId?: string;
  hospitalId?: string;
  detail?: string;
}

const county = (division: string | undefined): string | null => (division ? division.slice(0, 6) : null);

function factsOf(definition: EventDefinition, data: object): Facts {
  switch (definition.subject) {
    case EVENTS.referralDischarged.subject: {
      const d = data as ReferralDischargedData;
      return {
        // Kept until the hospital completes its assessment (a working-day deadline intake watches): not stuck.
        state: d.assessmentDueAt ? 'awaiting-assessment' : 'discharged',
        milestone: 'discharged',
        rank: 10,
        division: d.residenceDivisionCode,
        hospitalId: d.hospitalId,
      };
    }
    case EVENTS.referralApplicationReceived.subject: {
      const d = data as ReferralApplicationReceivedData;
      return {
        state: 'application-received',
        milestone: 'discharged',
        rank: 10,
        division: d.residenceDivisionCode,
        detail: d.channel,
      };
    }
    case EVENTS.referralAssessed.subject: {
      const d = data as ReferralAssessedData;
      return {
        state: 'assessed',
        milestone: 'assessed',
        rank: 20,
        division: d.residenceDivisionCode,
        hospitalId: d.hospitalId,
        detail: d.colourGrade,
      };
    }
    case EVENTS.referralRegistered.subject: {
      const d = data as ReferralRegisteredData;
      return { state: 'registered', milestone: 'registered', rank: 30, division: d.residenceDivisionCode };
    }
    case EVENTS.referralRegistrationExpired.subject: {
      const d = data as ReferralRegistrationExpiredData;
      return { state: 'registration-expired', rank: 90, detail: d.purpose };
    }
    case EVENTS.referralSlaBreached.subject:
      return { rank: 5, detail: (data as ReferralSlaBreachedData).stage };
    case EVENTS.referralDeclined.subject: {
      const d = data as ReferralDeclinedData;
      return { state: 'declined', rank: 40, siteId: d.siteId, detail: d.reasonCode };
    }
    case EVENTS.referralEscalated.subject:
      return { state: 'escalated', rank: 40, siteId: (data as ReferralEscalatedData).siteId };
    case EVENTS.referralAssigned.subject: {
      const d = data as ReferralAssignedData;
      return {
        state: d.needsManualPlacement ? 'needs-manual-placement' : 'assigned',
        milestone: 'assigned',
        rank: 45,
        siteId: d.siteId,
        detail: `hop-${d.hop}`,
      };
    }
    case EVENTS.referralAccepted.subject:
      return {
        state: 'accepted',
        milestone: 'accepted',
        rank: 50,
        siteId: (data as ReferralAcceptedData).siteId,
      };
    case EVENTS.referralServiceRecorded.subject: {
      const d = data as ReferralServiceRecordedData;
      const session = d.kind === 'session';
      return {
        ...(session ? { state: 'in-service' as const, milestone: 'first-service' as const } : {}),
        rank: 60,
        siteId: d.siteId,
        detail: d.kind,
      };
    }
    case EVENTS.employmentReadinessConfirmed.subject:
      return {
        rank: 65,
        siteId: (data as EmploymentReadinessConfirmedData).siteId,
        detail: 'employment-ready',
      };
    case EVENTS.referralTransferred.subject: {
      const d = data as ReferralTransferredData;
      return { state: 'transferred', rank: 44, siteId: d.toSiteId, division: d.newResidenceDivisionCode };
    }
    case EVENTS.greenRelapseReported.subject:
      return { state: 'green-channel', rank: 70, siteId: (data as GreenRelapseReportedData).siteId };
    // The green case's way to a hospital bed: the referral stays on hold (green-channel) throughout; each step
    // says which hospital and how (route, decline reason, escalation cause), so ops can follow the crisis.
    case EVENTS.greenNotified.subject: {
      const d = data as GreenNotifiedData;
      return { rank: 71, hospitalId: d.hospitalId, detail: `${d.route}-step-${d.step}` };
    }
    case EVENTS.greenAcknowledged.subject:
      return { rank: 72, hospitalId: (data as GreenAcknowledgedData).hospitalId, detail: 'acknowledged' };
    case EVENTS.greenDeclined.subject: {
      const d = data as GreenDeclinedData;
      return { rank: 72, hospitalId: d.hospitalId, detail: d.reason };
    }
    case EVENTS.greenEscalated.subject: {
      const d = data as GreenEscalatedData;
      return { rank: 72, hospitalId: d.hospitalId, detail: d.cause };
    }
    case EVENTS.greenReadmitted.subject:
      return { rank: 73, hospitalId: (data as GreenReadmittedData).hospitalId, detail: 'readmitted' };
    case EVENTS.referralClosed.subject: {
      const d = data as ReferralClosedData;
      return { state: 'closed', milestone: 'closed', rank: 80, siteId: d.siteId, detail: d.outcome };
    }
    case EVENTS.referralCancelled.subject: {
      const d = data as ReferralCancelledData;
      return { state: 'cancelled', rank: 85, hospitalId: d.hospitalId, detail: d.reasonCode };
    }
    case EVENTS.referralConsentWithdrawn.subject:
      return { state: 'consent-withdrawn', rank: 95, detail: (data as ReferralConsentWithdrawnData).purpose };
    default:
      throw new Error(`${definition.subject} is not a timeline event`);
  }
}

/**
 * The timeline row of an event, or undefined when it is not about a referral (no CloudEvents subject) or not a
 * lifecycle event. Pure: the live consumers and the rebuild from the streams use the same function.
 */
export function projectEvent(envelope: EventEnvelope): TimelineEntry | undefined {
  const definition = BY_TYPE.get(envelope.type);
  if (!definition || !envelope.subject) return undefined;
  const facts = factsOf(definition, envelope.data);
  return {
    eventId: envelope.id,
    referralId: envelope.subject,
    eventType: envelope.type,
    subject: definition.subject,
    occurredAt: new Date(envelope.time),
    countyCode: county(facts.division),
    siteId: facts.siteId ?? null,
    hospitalId: facts.hospitalId ?? null,
    detail: facts.detail ?? null,
    state: facts.state ?? null,
    milestone: facts.milestone ?? null,
    rank: facts.rank,
  };
}
