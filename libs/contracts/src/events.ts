import { SERVICES, ServiceName } from './services';
import { StreamKey, STREAMS } from './streams';
import {
  EmploymentPlacedData,
  EmploymentReadinessConfirmedData,
  EmploymentReferralAcceptedData,
  EmploymentReferralDeclinedData,
  EmploymentReferralEndedData,
  EmploymentReferralPausedData,
  EmploymentReferralReferredData,
  EmploymentReferralResumedData,
  EmploymentReferralUnplacedData,
  EmploymentRetentionCheckedData,
  EmploymentRetentionOverdueData,
  EmploymentStageChangedData,
  EmploymentTrainingStartedData,
  ProviderReferralOfferedData,
  ProviderReferralRevokedData,
} from './events/employment.events';
import {
  GreenAcknowledgedData,
  GreenDeclinedData,
  GreenEscalatedData,
  GreenNotifiedData,
  GreenReadmittedData,
  GreenRelapseReportedData,
  HospitalGreenOfferedData,
  HospitalGreenWithdrawnData,
} from './events/green.events';
import { HospitalReferralStepData } from './events/hospital.events';
import { DeadLetterRecordedData, OpsAlertRaisedData } from './events/ops.events';
import {
  ReferralAcceptedData,
  ReferralAssessedData,
  ReferralAssessmentOverdueData,
  ReferralAssessmentReminderData,
  ReferralAssignedData,
  ReferralCancelledData,
  ReferralClosedData,
  ReferralConsentGrantedData,
  ReferralConsentsAddedData,
  ReferralConsentWithdrawnData,
  ReferralDeclinedData,
  ReferralDischargedData,
  ReferralEscalatedData,
  ReferralRegisteredData,
} from './events/referral.events';
import {
  ReferralApplicationEndedData,
  ReferralApplicationReceivedData,
  ReferralRegistrationExpiredData,
  ReferralSlaBreachedData,
} from './events/registration.events';
import {
  SiteReferralAssignedData,
  SiteReferralEscalatedData,
  SiteReferralRevokedData,
} from './events/site.events';
import {
  ReferralFileSummarisedData,
  ReferralPeriodicAssessmentDueData,
  ReferralPeriodicAssessmentOverdueData,
  ReferralServiceRecordedData,
  ReferralTransferredData,
} from './events/rehab.events';

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
  /**
   * Per-recipient event: on the wire the recipient id is inserted after the subject root
   * (`site.referral.assigned` → `site.<siteId>.referral.assigned`, see `recipientSubject`), so each recipient
   * can be limited to `<root>.<id>.>`. Published with `PublishOptions.recipient`.
   */
  readonly perRecipient?: boolean;
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
    "The hospital's discharge assessment: risk level, condition, colour grade, rehab needs, eligibility. " +
      'Published with referral.discharged, or later when the discharge arrived without one (awaiting-assessment).',
  ),
  referralAssessmentOverdue: event(
    'referral.assessment-overdue',
    'REFERRAL',
    ReferralAssessmentOverdueData,
    SERVICES.hospitalIntake,
    'A discharge awaiting its assessment passed the working-day deadline for it (hospital or county centre).',
  ),
  referralAssessmentReminder: event(
    'referral.assessment-reminder',
    'REFERRAL',
    ReferralAssessmentReminderData,
    SERVICES.hospitalIntake,
    'A discharge awaiting its assessment is due soon (configured working days before the deadline); once per referral.',
  ),
  referralConsentsAdded: event(
    'referral.consents-added',
    'REFERRAL',
    ReferralConsentsAddedData,
    SERVICES.hospitalIntake,
    'Consents signed after the discharge, sent by the hospital with the discharge again: only those the referral ' +
      'did not have. registration records them and applies the consent gate again (awaiting-consent → registered).',
  ),
  referralRegistered: event(
    'referral.registered',
    'REFERRAL',
    ReferralRegisteredData,
    SERVICES.registration,
    'Registered with a valid community-rehab consent; carries the minimum routing data.',
  ),
  referralApplicationReceived: event(
    'referral.application-received',
    'REFERRAL',
    ReferralApplicationReceivedData,
    SERVICES.registration,
    'An application from a non-hospital channel (self, family, 村/居委会, social organisation, enterprise) was filed.',
  ),
  referralApplicationEnded: event(
    'referral.application-ended',
    'REFERRAL',
    ReferralApplicationEndedData,
    SERVICES.registration,
    "A hospital's application ended unregistered: refused, or linked to the person's existing registration.",
  ),
  referralSlaBreached: event(
    'referral.sla-breached',
    'REFERRAL',
    ReferralSlaBreachedData,
    SERVICES.registration,
    'A working-day deadline (verify & register, refer to a site: 5 working days each) passed without the step being done.',
  ),
  referralRegistrationExpired: event(
    'referral.registration-expired',
    'REFERRAL',
    ReferralRegistrationExpiredData,
    SERVICES.registration,
    'No valid consent arrived within the configured period: the application ends unrouted.',
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
    'The assigned site declined with a coded reason; the referral is re-routed (risk-too-high: to the county centre; patient-refused: routing stops).',
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
  referralConsentGranted: event(
    'referral.consent-granted',
    'REFERRAL',
    ReferralConsentGrantedData,
    SERVICES.registration,
    'A consent given after registration (e.g. employment): holders of the registered referral learn the purpose is valid.',
  ),
  referralCancelled: event(
    'referral.cancelled',
    'REFERRAL',
    ReferralCancelledData,
    SERVICES.hospitalIntake,
    'The referring hospital cancelled its referral before a site accepted it (coded reason): registration ends ' +
      'the application, rehab-site ends the assignment, frees the place and tells the site.',
  ),
  greenRelapseReported: event(
    'green.relapse-reported',
    'GREEN',
    GreenRelapseReportedData,
    SERVICES.rehabSite,
    'A site reported a relapse (or a periodic assessment re-graded the patient) with the observed risk level; the green channel starts.',
  ),
  greenNotified: event(
    'green.notified',
    'GREEN',
    GreenNotifiedData,
    SERVICES.hospitalIntake,
    'A green case was offered to a hospital (why it, the risk, the joint-management flag, the answer deadline).',
  ),
  greenAcknowledged: event(
    'green.acknowledged',
    'GREEN',
    GreenAcknowledgedData,
    SERVICES.hospitalIntake,
    'The hospital acknowledged the green case: who and when. The acknowledgement timer stops.',
  ),
  greenReadmitted: event(
    'green.readmitted',
    'GREEN',
    GreenReadmittedData,
    SERVICES.hospitalIntake,
    'The patient is readmitted: the community referral is put on hold and employment pauses.',
  ),
  greenDeclined: event(
    'green.declined',
    'GREEN',
    GreenDeclinedData,
    SERVICES.hospitalIntake,
    'The hospital declined the green case with a coded reason; it moves on at once.',
  ),
  greenEscalated: event(
    'green.escalated',
    'GREEN',
    GreenEscalatedData,
    SERVICES.hospitalIntake,
    'The case left a hospital (no answer in time, or declined) for the next designated hospital, or ops.',
  ),
  hospitalGreenOffered: {
    ...event(
      'hospital.green.offered',
      'HOSPITAL',
      HospitalGreenOfferedData,
      SERVICES.hospitalIntake,
      'Per-hospital notice on hospital.<hospitalId>.green.offered: a green case waits for this hospital (no PII).',
    ),
    perRecipient: true,
  },
  hospitalGreenWithdrawn: {
    ...event(
      'hospital.green.withdrawn',
      'HOSPITAL',
      HospitalGreenWithdrawnData,
      SERVICES.hospitalIntake,
      'Per-hospital notice on hospital.<hospitalId>.green.withdrawn: the case no longer waits for this hospital.',
    ),
    perRecipient: true,
  },
  hospitalReferralStep: {
    ...event(
      'hospital.referral.step',
      'HOSPITAL',
      HospitalReferralStepData,
      SERVICES.hospitalIntake,
      'Per-hospital notice on hospital.<hospitalId>.referral.step: one new step on the timeline of one of its referrals (no PII).',
    ),
    perRecipient: true,
  },
  employmentReadinessConfirmed: event(
    'employment.readiness-confirmed',
    'EMPLOYMENT',
    EmploymentReadinessConfirmedData,
    SERVICES.rehabSite,
    'A site confirmed the patient ready for employment (employment consent checked); a paused employment referral resumes.',
  ),
  employmentReferralReferred: event(
    'employment.referral.referred',
    'EMPLOYMENT',
    EmploymentReferralReferredData,
    SERVICES.employmentReferral,
    'Routed to an employment provider serving the area with a wanted programme; a place is reserved.',
  ),
  employmentReferralUnplaced: event(
    'employment.referral.unplaced',
    'EMPLOYMENT',
    EmploymentReferralUnplacedData,
    SERVICES.employmentReferral,
    'No employment provider can take the referral (none fits, or the hop limit): ops place it by hand.',
  ),
  employmentReferralAccepted: event(
    'employment.referral.accepted',
    'EMPLOYMENT',
    EmploymentReferralAcceptedData,
    SERVICES.employmentReferral,
    'The provider accepted the employment referral.',
  ),
  employmentReferralDeclined: event(
    'employment.referral.declined',
    'EMPLOYMENT',
    EmploymentReferralDeclinedData,
    SERVICES.employmentReferral,
    'The provider declined with a coded reason; the referral is re-routed to another provider.',
  ),
  employmentTrainingStarted: event(
    'employment.training.started',
    'EMPLOYMENT',
    EmploymentTrainingStartedData,
    SERVICES.employmentReferral,
    'Vocational training (or a sheltered/supported programme) started at the provider.',
  ),
  employmentPlaced: event(
    'employment.placed',
    'EMPLOYMENT',
    EmploymentPlacedData,
    SERVICES.employmentReferral,
    'Placed in a sheltered, supported or competitive job; retention checks fall due at 1, 3 and 6 months.',
  ),
  employmentRetentionChecked: event(
    'employment.retention.checked',
    'EMPLOYMENT',
    EmploymentRetentionCheckedData,
    SERVICES.employmentReferral,
    'The provider recorded a retention check (still in the job or not).',
  ),
  employmentRetentionOverdue: event(
    'employment.retention.overdue',
    'EMPLOYMENT',
    EmploymentRetentionOverdueData,
    SERVICES.employmentReferral,
    'A retention check was not recorded within its grace period (raised once; ops are alerted).',
  ),
  employmentReferralPaused: event(
    'employment.referral.paused',
    'EMPLOYMENT',
    EmploymentReferralPausedData,
    SERVICES.employmentReferral,
    'A relapse paused the employment referral until the site confirms readiness again.',
  ),
  employmentReferralResumed: event(
    'employment.referral.resumed',
    'EMPLOYMENT',
    EmploymentReferralResumedData,
    SERVICES.employmentReferral,
    'The site confirmed readiness again: the paused employment referral goes on where it stood.',
  ),
  employmentReferralEnded: event(
    'employment.referral.ended',
    'EMPLOYMENT',
    EmploymentReferralEndedData,
    SERVICES.employmentReferral,
    'The employment referral ended with a reason (consent withdrawal ends it and the provider loses access).',
  ),
  employmentStageChanged: event(
    'employment.stage-changed',
    'EMPLOYMENT',
    EmploymentStageChangedData,
    SERVICES.employmentReferral,
    'One summary per employment step (stage, provider name, placement type, retention answer, end reason; no clinical data) for the site and the referring hospital.',
  ),
  opsAlertRaised: event(
    'ops.alert.raised',
    'OPS',
    OpsAlertRaisedData,
    SERVICES.opsMonitor,
    'An operational alert (dead letter, manual placement, escalation). Any service may raise one.',
  ),
  referralServiceRecorded: event(
    'referral.service-recorded',
    'REFERRAL',
    ReferralServiceRecordedData,
    SERVICES.rehabSite,
    'The serving site recorded a rehab plan, a service session or a periodic assessment.',
  ),
  referralTransferred: event(
    'referral.transferred',
    'REFERRAL',
    ReferralTransferredData,
    SERVICES.rehabSite,
    'The patient moved: the referral went from one site to another, which must accept it.',
  ),
  referralPeriodicAssessmentDue: event(
    'referral.periodic-assessment-due',
    'REFERRAL',
    ReferralPeriodicAssessmentDueData,
    SERVICES.rehabSite,
    "The serving site's periodic assessment (the plan's review date) falls due within the configured days; once per review date.",
  ),
  referralPeriodicAssessmentOverdue: event(
    'referral.periodic-assessment-overdue',
    'REFERRAL',
    ReferralPeriodicAssessmentOverdueData,
    SERVICES.rehabSite,
    "The plan's review date passed with no periodic assessment recorded; once per review date (ops alerted).",
  ),
  referralFileSummarised: event(
    'referral.file-summarised',
    'REFERRAL',
    ReferralFileSummarisedData,
    SERVICES.rehabSite,
    "The subject's file changed: current site, stage, counts and dates of sessions and assessments (no notes), for the patient's registration channel.",
  ),
  siteReferralAssigned: {
    ...event(
      'site.referral.assigned',
      'SITE',
      SiteReferralAssignedData,
      SERVICES.rehabSite,
      'Per-site notice on site.<siteId>.referral.assigned: a referral was assigned to this site (no PII; fetch it over HTTPS).',
    ),
    perRecipient: true,
  },
  siteReferralRevoked: {
    ...event(
      'site.referral.revoked',
      'SITE',
      SiteReferralRevokedData,
      SERVICES.rehabSite,
      'Per-site notice on site.<siteId>.referral.revoked: the site no longer holds the referral (escalated, consent withdrawn, transferred).',
    ),
    perRecipient: true,
  },
  siteReferralEscalated: {
    ...event(
      'site.referral.escalated',
      'SITE',
      SiteReferralEscalatedData,
      SERVICES.rehabSite,
      "Per-site notice to the county centre on site.<centreId>.referral.escalated: a site in its county let a referral's answer window pass (re-routed).",
    ),
    perRecipient: true,
  },
  providerReferralOffered: {
    ...event(
      'provider.referral.offered',
      'PROVIDER',
      ProviderReferralOfferedData,
      SERVICES.employmentReferral,
      'Per-provider notice on provider.<providerId>.referral.offered: an employment referral was routed to this provider (no PII; fetch it over HTTPS).',
    ),
    perRecipient: true,
  },
  providerReferralRevoked: {
    ...event(
      'provider.referral.revoked',
      'PROVIDER',
      ProviderReferralRevokedData,
      SERVICES.employmentReferral,
      'Per-provider notice on provider.<providerId>.referral.revoked: the provider no longer has access to the referral.',
    ),
    perRecipient: true,
  },
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
  const registered = BY_SUBJECT.get(subject);
  if (registered) return registered;
  // A per-recipient wire subject: <root>.<recipientId>.<rest>.
  const [root, , ...rest] = subject.split('.');
  const definition = rest.length > 0 ? BY_SUBJECT.get([root, ...rest].join('.')) : undefined;
  return definition?.perRecipient ? definition : undefined;
}

/** The wire subject (before namespacing) of a per-recipient event for one recipient. */
export function recipientSubject(definition: EventDefinition, recipientId: string): string {
  if (!definition.perRecipient) throw new Error(`${definition.type} is not a per-recipient event`);
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(recipientId)) throw new Error(`invalid recipient id ${recipientId}`);
  const [root, ...rest] = definition.subject.split('.');
  return [root, recipientId, ...rest].join('.');
}
