import { EventDefinition, EVENTS } from './events';
import { SERVICES, ServiceName } from './services';
import { StreamKey, STREAMS } from './streams';

/** Delivery settings of a durable pull consumer. */
export interface DeliveryPolicy {
  /** Seconds the server waits for an ack before redelivering. */
  readonly ackWaitSeconds: number;
  /** Deliveries before the message is dead-lettered (the last delivery is dead-lettered client-side). */
  readonly maxDeliver: number;
  /** Delay before each redelivery, in milliseconds (entry n is used after delivery n+1 fails). */
  readonly backoffMs: readonly number[];
  readonly maxAckPending: number;
}

export const DEFAULT_DELIVERY: DeliveryPolicy = {
  ackWaitSeconds: 30,
  maxDeliver: 8,
  backoffMs: [1_000, 5_000, 15_000, 30_000, 60_000, 120_000, 300_000],
  maxAckPending: 1000,
};

/** Green channel: a relapse must not wait minutes between retries. */
export const URGENT_DELIVERY: DeliveryPolicy = {
  ackWaitSeconds: 15,
  maxDeliver: 10,
  backoffMs: [500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 30_000, 30_000],
  maxAckPending: 1000,
};

export interface ConsumerDefinition {
  /** Durable name (before namespacing): `<service>__<what>`. */
  readonly durable: string;
  readonly service: ServiceName;
  readonly stream: StreamKey;
  /** One subject or a `root.>` wildcard (nats-server 2.9 allows one filter per consumer). */
  readonly filterSubject: string;
  readonly delivery: DeliveryPolicy;
  readonly description: string;
}

function consumer(
  service: ServiceName,
  name: string,
  source: EventDefinition | StreamKey,
  description: string,
  delivery: DeliveryPolicy = DEFAULT_DELIVERY,
): ConsumerDefinition {
  const stream = typeof source === 'string' ? source : source.stream;
  const filterSubject = typeof source === 'string' ? `${STREAMS[source].subjectRoot}.>` : source.subject;
  if (delivery.backoffMs.length >= delivery.maxDeliver) {
    throw new Error(`Consumer ${service}__${name}: backoff must be shorter than maxDeliver`);
  }
  return { durable: `${service}__${name}`, service, stream, filterSubject, delivery, description };
}

/** Every durable consumer on the bus. A service consumes exactly the entries whose `service` is its own. */
export const CONSUMERS = {
  registrationAssessed: consumer(
    SERVICES.registration,
    'referral-assessed',
    EVENTS.referralAssessed,
    'Hospital applications become registrations once consent is in place.',
  ),
  registrationConsentsAdded: consumer(
    SERVICES.registration,
    'referral-consents-added',
    EVENTS.referralConsentsAdded,
    'Consents a hospital sent after the discharge are recorded; an application awaiting consent is registered.',
  ),
  registrationRelapse: consumer(
    SERVICES.registration,
    'relapse-reported',
    EVENTS.greenRelapseReported,
    'A relapse puts the registration on hold (green channel); re-referral resumes it.',
    URGENT_DELIVERY,
  ),
  registrationAssigned: consumer(
    SERVICES.registration,
    'referral-assigned',
    EVENTS.referralAssigned,
    'Meets the refer-to-a-site deadline (5 working days of registration) when a site is assigned.',
  ),
  registrationDeclined: consumer(
    SERVICES.registration,
    'referral-declined',
    EVENTS.referralDeclined,
    'Records on the application that routing stopped because the patient or guardian refused (patient-refused).',
  ),
  registrationFileSummarised: consumer(
    SERVICES.registration,
    'referral-file-summarised',
    EVENTS.referralFileSummarised,
    "Keeps the subject's file summary (site, stage, counts and dates) for the channels that may see the application.",
  ),
  rehabSiteRegistered: consumer(
    SERVICES.rehabSite,
    'referral-registered',
    EVENTS.referralRegistered,
    'Registered referrals are routed to a site.',
  ),
  rehabSiteConsentWithdrawn: consumer(
    SERVICES.rehabSite,
    'referral-consent-withdrawn',
    EVENTS.referralConsentWithdrawn,
    'Withdrawal ends open assignments and revokes site access.',
  ),
  rehabSiteConsentGranted: consumer(
    SERVICES.rehabSite,
    'referral-consent-granted',
    EVENTS.referralConsentGranted,
    'A consent given after registration (employment) reaches the employment readiness gate.',
  ),
  rehabSiteEmploymentStage: consumer(
    SERVICES.rehabSite,
    'employment-stage-changed',
    EVENTS.employmentStageChanged,
    "The site sees its referrals' employment outcome.",
  ),
  hospitalIntakeEmploymentStage: consumer(
    SERVICES.hospitalIntake,
    'employment-stage-changed',
    EVENTS.employmentStageChanged,
    "The referring hospital sees its referrals' employment outcome.",
  ),
  hospitalIntakeReferral: consumer(
    SERVICES.hospitalIntake,
    'referral',
    'REFERRAL',
    'Closes the loop back to the referring hospital: every lifecycle step (registered, assigned, accepted, ' +
      'declined, escalated, in service, transferred, closed, application ended, registration expired, consent ' +
      'withdrawn) on its ' +
      'timeline. One consumer for the stream, so one referral’s steps are handled in the order they were published.',
  ),
  registrationCancelled: consumer(
    SERVICES.registration,
    'referral-cancelled',
    EVENTS.referralCancelled,
    'A hospital cancelled its referral before acceptance: the application ends (no more deadlines).',
  ),
  rehabSiteCancelled: consumer(
    SERVICES.rehabSite,
    'referral-cancelled',
    EVENTS.referralCancelled,
    'A hospital cancelled its referral before acceptance: the assignment ends, the place is freed, the site told.',
  ),
  hospitalIntakeGreen: consumer(
    SERVICES.hospitalIntake,
    'green',
    'GREEN',
    'Green-channel requests for the hospital.',
    URGENT_DELIVERY,
  ),
  employmentReadiness: consumer(
    SERVICES.employmentReferral,
    'readiness-confirmed',
    EVENTS.employmentReadinessConfirmed,
    'Ready patients become employment referrals.',
  ),
  employmentRelapse: consumer(
    SERVICES.employmentReferral,
    'relapse-reported',
    EVENTS.greenRelapseReported,
    'A relapse pauses the employment referral until readiness is confirmed again.',
    URGENT_DELIVERY,
  ),
  employmentConsentWithdrawn: consumer(
    SERVICES.employmentReferral,
    'referral-consent-withdrawn',
    EVENTS.referralConsentWithdrawn,
    'Withdrawal (employment or community rehab) ends the employment referral and the provider’s access.',
  ),
  employmentReadmitted: consumer(
    SERVICES.employmentReferral,
    'green-readmitted',
    EVENTS.greenReadmitted,
    'A readmission pauses the employment referral until the site confirms readiness again.',
    URGENT_DELIVERY,
  ),
  rehabSiteReadmitted: consumer(
    SERVICES.rehabSite,
    'green-readmitted',
    EVENTS.greenReadmitted,
    'A readmission puts the community referral on hold; the site keeps the place for a while.',
    URGENT_DELIVERY,
  ),
  opsMonitorReferral: consumer(
    SERVICES.opsMonitor,
    'referral',
    'REFERRAL',
    'Timeline read model (read-only).',
  ),
  opsMonitorGreen: consumer(
    SERVICES.opsMonitor,
    'green',
    'GREEN',
    'Timeline read model (read-only).',
    URGENT_DELIVERY,
  ),
  opsMonitorEmployment: consumer(
    SERVICES.opsMonitor,
    'employment',
    'EMPLOYMENT',
    'Timeline read model (read-only).',
  ),
  opsMonitorOps: consumer(SERVICES.opsMonitor, 'ops', 'OPS', 'Alert log (read-only).'),
  opsMonitorDlq: consumer(SERVICES.opsMonitor, 'dlq', 'DLQ', 'Dead-letter overview (read-only).'),
} as const satisfies Record<string, ConsumerDefinition>;

export type ConsumerKey = keyof typeof CONSUMERS;

export function consumersOf(service: ServiceName): ConsumerDefinition[] {
  return Object.values(CONSUMERS).filter((c) => c.service === service);
}

/** Whether a consumer's filter delivers this (un-namespaced) subject. */
export function filterMatches(filterSubject: string, subject: string): boolean {
  if (filterSubject.endsWith('.>')) return subject.startsWith(filterSubject.slice(0, -1));
  return filterSubject === subject;
}

/** A durable pull consumer an organisation on the bus reads its own `<root>.<id>.>` notices with. */
export interface RecipientConsumer {
  durable: string;
  stream: StreamKey;
  filterSubject: string;
}

/**
 * The durable pull consumer a site on the bus reads its own `site.<siteId>.>` notices with (stream SITE,
 * filter `site.<siteId>.>`). The site's NATS user may create and pull only this one.
 */
export function siteConsumer(siteId: string): RecipientConsumer {
  return recipientConsumer('site', 'SITE', siteId);
}

/** The same for an employment provider on the bus: `provider.<providerId>.>` on stream PROVIDER. */
export function providerConsumer(providerId: string): RecipientConsumer {
  return recipientConsumer('provider', 'PROVIDER', providerId);
}

/**
 * The durable pull consumer a hospital on the bus reads its own `hospital.<hospitalId>.>` notices (green cases)
 * with. The hospital's NATS user may create and pull only this one.
 */
export function hospitalConsumer(hospitalId: string): {
  durable: string;
  stream: StreamKey;
  filterSubject: string;
} {
  return recipientConsumer('hospital', 'HOSPITAL', hospitalId);
}

function recipientConsumer(
  kind: string,
  stream: StreamKey,
  recipientId: string,
): { durable: string; stream: StreamKey; filterSubject: string } {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(recipientId)) throw new Error(`invalid ${kind} id ${recipientId}`);
  return {
    durable: `${kind}__${recipientId}`,
    stream,
    filterSubject: `${STREAMS[stream].subjectRoot}.${recipientId}.>`,
  };
}
