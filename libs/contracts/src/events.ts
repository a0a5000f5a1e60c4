import { SERVICES, ServiceName } from './services';
import { StreamKey, STREAMS } from './streams';
import { EmploymentReadinessConfirmedData } from './events/employment.events';
import { GreenRelapseReportedData } from './events/green.events';
import { DeadLetterRecordedData, OpsAlertRaisedData } from './events/ops.events';
import {
  ReferralAcceptedData,
  ReferralAssessedData,
  ReferralAssignedData,
  ReferralClosedData,
  ReferralConsentWithdrawnData,
  ReferralDeclinedData,
  ReferralDischargedData,
  ReferralEscalatedData,
  ReferralRegisteredData,
} from './events/referral.events';

/** CloudEvents `type` prefix: reverse-DNS of the product. */
export const EVENT_TYPE_PREFIX = 'cn.referralbus';

export interface EventDefinition<TData extends object = object> {
  /** Subject (before namespacing). Its first token is the stream's subject root. */
  readonly subject: string;
  readonly stream: StreamKey;
  /** CloudEvents `type`, versioned. */
  readonly type: string;
  /** class-validator DTO of `data`. */
  readonly data: new () => TData;
  /** The only service allowed to publish it. */
  readonly producer: ServiceName;
  readonly description: string;
}

function event<TData extends object>(
  subject: string,
  stream: StreamKey,
  data: new () => TData,
  producer: ServiceName,
  description: string,
  version = 1,
): EventDefinition<TData> {
  if (!subject.startsWith(`${STREAMS[stream].subjectRoot}.`)) {
    throw new Error(`Subject ${subject} does not belong to stream ${stream}`);
  }
  return {
    subject,
    stream,
    data,
    producer,
    description,
    type: `${EVENT_TYPE_PREFIX}.${subject}.v${version}`,
  };
}

/** The one registry of events on the bus. Feature code refers to these entries, never to strings. */
export const EVENTS = {
  referralDischarged: event(
    'referral.discharged',
    'REFERRAL',
    ReferralDischargedData,
    SERVICES.hospitalIntake,
    'A hospital discharged a patient and refers them to community rehabilitation.',
  ),
  referralAssessed: event(
    'referral.assessed',
    'REFERRAL',
    ReferralAssessedData,
    SERVICES.hospitalIntake,
    "The hospital's discharge assessment: risk level, condition, colour grade, rehab needs, eligibility.",
  ),
  referralRegistered: event(
    'referral.registered',
    'REFERRAL',
    ReferralRegisteredData,
    SERVICES.registration,
    'Registered with a valid community-rehab consent; carries the minimum routing data.',
  ),
  referralAssigned: event(
    'referral.assigned',
    'REFERRAL',
    ReferralAssignedData,
    SERVICES.rehabSite,
    'Routed to a site, which must answer before answerDueAt.',
  ),
  referralAccepted: event(
    'referral.accepted',
    'REFERRAL',
    ReferralAcceptedData,
    SERVICES.rehabSite,
    'The assigned site accepted the referral.',
  ),
  referralDeclined: event(
    'referral.declined',
    'REFERRAL',
    ReferralDeclinedData,
    SERVICES.rehabSite,
    'The assigned site declined with a coded reason; the referral is re-routed.',
  ),
  referralEscalated: event(
    'referral.escalated',
    'REFERRAL',
    ReferralEscalatedData,
    SERVICES.rehabSite,
    'The site did not answer within its window; the referral is re-routed and the county centre told.',
  ),
  referralClosed: event(
    'referral.closed',
    'REFERRAL',
    ReferralClosedData,
    SERVICES.rehabSite,
    'Service ended with an outcome; the referring hospital sees it.',
  ),
  referralConsentWithdrawn: event(
    'referral.consent-withdrawn',
    'REFERRAL',
    ReferralConsentWithdrawnData,
    SERVICES.registration,
    'The patient or guardian withdrew consent: every holder stops and seals the data.',
  ),
  greenRelapseReported: event(
    'green.relapse-reported',
    'GREEN',
    GreenRelapseReportedData,
    SERVICES.rehabSite,
    'A site reported a relapse with the observed risk level; the green channel starts.',
  ),
  employmentReadinessConfirmed: event(
    'employment.readiness-confirmed',
    'EMPLOYMENT',
    EmploymentReadinessConfirmedData,
    SERVICES.rehabSite,
    'A site confirmed the patient ready for employment (employment consent checked).',
  ),
  opsAlertRaised: event(
    'ops.alert.raised',
    'OPS',
    OpsAlertRaisedData,
    SERVICES.opsMonitor,
    'An operational alert (dead letter, manual placement, escalation). Any service may raise one.',
  ),
  deadLetterRecorded: event(
    'dlq.recorded',
    'DLQ',
    DeadLetterRecordedData,
    SERVICES.opsMonitor,
    'A consumer parked a message in its dead-letter table (pointer and error code only).',
  ),
} as const;

export type EventKey = keyof typeof EVENTS;
export type EventDataOf<E> = E extends EventDefinition<infer T> ? T : never;

/** Events every service may publish regardless of `producer` (operational records). */
export const SHARED_EVENTS: readonly EventDefinition[] = [EVENTS.opsAlertRaised, EVENTS.deadLetterRecorded];

const BY_SUBJECT = new Map<string, EventDefinition>(Object.values(EVENTS).map((e) => [e.subject, e]));

export function eventBySubject(subject: string): EventDefinition | undefined {
  return BY_SUBJECT.get(subject);
}
