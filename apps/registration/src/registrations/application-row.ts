import {
  ApplicationChannel,
  ColourGrade,
  ConditionStatus,
  ConsentPurpose,
  ReferralFileSummarisedData,
  RehabService,
} from '@app/contracts';

/** The application rows of registration's channels, and how they map from Postgres. */
export type ApplicationStatus =
  | 'received'
  | 'assessment-requested'
  | 'awaiting-consent'
  | 'registered'
  | 'ineligible'
  | 'rejected'
  | 'merged'
  | 'expired'
  | 'consent-withdrawn'
  | 'refused'
  /** The referring hospital cancelled its referral before a site accepted it (referral.cancelled). */
  | 'cancelled';

/** Application states that are still going somewhere. */
export const OPEN_APPLICATION_STATUSES: readonly ApplicationStatus[] = [
  'received',
  'assessment-requested',
  'awaiting-consent',
];

export interface Assessment {
  readonly riskLevel: number;
  readonly conditionStatus: ConditionStatus;
  readonly colourGrade: ColourGrade;
  readonly eligible: boolean;
  readonly needs: RehabService[];
  readonly employmentInterest: boolean;
  readonly assessedAt: Date;
}

/** What rehab-site last told registration of the subject's file (`referral.file-summarised`; no notes). */
export type FileSummary = Omit<ReferralFileSummarisedData, 'referralId'>;

/** Why rehab-site stopped routing the referral (no site holds it), which site reported it, and when. */
export interface RoutingStop {
  readonly reason: 'patient-refused';
  readonly siteId: string;
  readonly at: Date;
}

export interface ApplicationRow {
  readonly id: string;
  readonly registrationId: string;
  readonly channel: ApplicationChannel;
  readonly organisationId: string;
  readonly status: ApplicationStatus;
  readonly linkedBy: string | null;
  readonly mergedInto: string | null;
  readonly residenceDivisionCode: string;
  readonly needs: RehabService[];
  readonly preferredSiteId: string | null;
  readonly assessment: Assessment | null;
  readonly receivedAt: Date;
  readonly registerDueAt: Date;
  /** The register deadline was counted through a year with no holiday calendar (weekdays only). */
  readonly registerDueProvisional: boolean;
  readonly slaBreachedAt: Date | null;
  /** Refer to a site: set when referral.registered is published, met by the first site assignment. */
  readonly referDueAt: Date | null;
  readonly referDueProvisional: boolean;
  readonly referredAt: Date | null;
  readonly referBreachedAt: Date | null;
  readonly verifiedAt: Date | null;
  readonly awaitingConsentSince: Date | null;
  readonly missingPurpose: ConsentPurpose | null;
  readonly remindersSent: number;
  readonly registeredAt: Date | null;
  readonly endedAt: Date | null;
  readonly endReason: string | null;
  /** The subject's file as the registration channel may see it (from rehab-site). */
  readonly fileSummary: FileSummary | null;
  /** Set while rehab-site's routing stands stopped (the patient or guardian refused). */
  readonly routingStopped: RoutingStop | null;
}

export interface NewApplication {
  readonly id: string;
  readonly registrationId: string;
  readonly channel: ApplicationChannel;
  readonly organisationId: string;
  readonly encounterId: string | null;
  readonly status: ApplicationStatus;
  readonly linkedBy: string | null;
  readonly residenceDivisionCode: string;
  readonly needs: RehabService[];
  readonly preferredSiteId: string | null;
  readonly receivedAt: Date;
  readonly registerDueAt: Date;
  readonly registerDueProvisional?: boolean;
  /** Set with a `registered` outcome: the refer-to-a-site deadline starts with the row. */
  readonly referDueAt?: Date;
  readonly referDueProvisional?: boolean;
  /** Filed already assessed (hospital): its needs are the assessment's. */
  readonly assessment?: Assessment;
  /** Where the application stands from the start (see ApplicationOutcome); else `status` as given. */
  readonly outcome?: ApplicationOutcome;
}

/** The refer-to-a-site deadline a registration starts (working days from registration). */
export interface ReferDeadline {
  readonly referDueAt: Date;
  readonly referDueProvisional: boolean;
}

/** Where an application ends up after the consent gate or a merge, written with the row or onto it. */
export type ApplicationOutcome =
  | { readonly status: 'registered'; readonly at: Date }
  | { readonly status: 'awaiting-consent'; readonly purpose: ConsentPurpose; readonly at: Date }
  | {
      readonly status: Extract<ApplicationStatus, 'ineligible' | 'merged' | 'refused'>;
      readonly reason: string;
      readonly at: Date;
      readonly mergedInto?: string;
    };

/** An application row as Postgres returns it. */
export interface RawApplication {
  id: string;
  registration_id: string;
  channel: ApplicationChannel;
  organisation_id: string;
  status: ApplicationStatus;
  linked_by: string | null;
  merged_into: string | null;
  residence_division_code: string;
  needs: RehabService[];
  preferred_site_id: string | null;
  risk_level: number | null;
  condition_status: ConditionStatus | null;
  colour_grade: ColourGrade | null;
  eligible: boolean | null;
  employment_interest: boolean | null;
  assessed_at: Date | null;
  received_at: Date;
  register_due_at: Date;
  register_due_provisional: boolean;
  sla_breached_at: Date | null;
  refer_due_at: Date | null;
  refer_due_provisional: boolean;
  referred_at: Date | null;
  refer_breached_at: Date | null;
  verified_at: Date | null;
  awaiting_consent_since: Date | null;
  missing_purpose: ConsentPurpose | null;
  reminders_sent: number;
  last_reminder_at: Date | null;
  registered_at: Date | null;
  ended_at: Date | null;
  end_reason: string | null;
  file_summary: FileSummary | null;
  routing_stopped_reason: RoutingStop['reason'] | null;
  routing_stopped_site_id: string | null;
  routing_stopped_at: Date | null;
}

export const toApplication = (r: RawApplication): ApplicationRow => ({
  id: r.id,
  registrationId: r.registration_id,
  channel: r.channel,
  organisationId: r.organisation_id,
  status: r.status,
  linkedBy: r.linked_by,
  mergedInto: r.merged_into,
  residenceDivisionCode: r.residence_division_code,
  needs: r.needs,
  preferredSiteId: r.preferred_site_id,
  assessment:
    r.assessed_at === null
      ? null
      : {
          riskLevel: r.risk_level!,
          conditionStatus: r.condition_status!,
          colourGrade: r.colour_grade!,
          eligible: r.eligible!,
          needs: r.needs,
          employmentInterest: r.employment_interest!,
          assessedAt: r.assessed_at,
        },
  receivedAt: r.received_at,
  registerDueAt: r.register_due_at,
  registerDueProvisional: r.register_due_provisional,
  slaBreachedAt: r.sla_breached_at,
  referDueAt: r.refer_due_at,
  referDueProvisional: r.refer_due_provisional,
  referredAt: r.referred_at,
  referBreachedAt: r.refer_breached_at,
  verifiedAt: r.verified_at,
  awaitingConsentSince: r.awaiting_consent_since,
  missingPurpose: r.missing_purpose,
  remindersSent: r.reminders_sent,
  registeredAt: r.registered_at,
  endedAt: r.ended_at,
  endReason: r.end_reason,
  fileSummary: r.file_summary,
  routingStopped:
    r.routing_stopped_reason && r.routing_stopped_at && r.routing_stopped_site_id
      ? { reason: r.routing_stopped_reason, siteId: r.routing_stopped_site_id, at: r.routing_stopped_at }
      : null,
});
