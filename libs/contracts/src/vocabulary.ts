/** Controlled vocabularies shared across services. Values are stable wire codes. */

/** National 0–5 risk level (危险性评估). 3–5 is unstable: never routed to a community site. */
export const RISK_LEVELS = [0, 1, 2, 3, 4, 5] as const;
export type RiskLevel = (typeof RISK_LEVELS)[number];

export const CONDITION_STATUSES = ['stable', 'basically-stable', 'unstable'] as const;
export type ConditionStatus = (typeof CONDITION_STATUSES)[number];

/** Province colour grade (分色管理); the mapping from risk and condition is configuration. */
export const COLOUR_GRADES = ['green', 'yellow', 'orange', 'red'] as const;
export type ColourGrade = (typeof COLOUR_GRADES)[number];

export const REHAB_SERVICES = [
  'day-care',
  'home-support',
  'life-skills',
  'social-skills',
  'vocational-rehab',
  'family-support',
  'peer-support',
  'counselling',
] as const;
export type RehabService = (typeof REHAB_SERVICES)[number];

export const DECLINE_REASONS = [
  'no-capacity',
  'outside-area',
  'needs-not-met',
  'patient-unreachable',
  // Risk too high for community care: never bounced to the next community site; the county centre places it
  // by hand (or refers it to a hospital) and ops are alerted.
  'risk-too-high',
  // The patient or guardian refused the service: routing stops (status `patient-refused`) until ops place it.
  'patient-refused',
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

/** Levels of the rehab-site network (station → street/township site → county centre). */
export const SITE_LEVELS = ['community-station', 'street-site', 'county-centre'] as const;
export type SiteLevel = (typeof SITE_LEVELS)[number];

export const CLOSURE_OUTCOMES = ['recovered', 'moved-away', 'lost-to-follow-up', 'died', 'withdrew'] as const;
export type ClosureOutcome = (typeof CLOSURE_OUTCOMES)[number];

/** Why a referring hospital cancelled its referral before a site accepted it. */
export const CANCELLATION_REASONS = [
  'entered-in-error',
  'patient-readmitted',
  'patient-died',
  'patient-moved-away',
  'referred-elsewhere',
  'patient-declined',
] as const;
export type CancellationReason = (typeof CANCELLATION_REASONS)[number];

export const CONSENT_PURPOSES = ['community-rehab', 'employment', 'information-sharing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

/** Who gave a consent: the patient, or the guardian of one who lacks capacity. */
export const CONSENT_GRANTORS = ['patient', 'guardian'] as const;
/** How a hospital captured a consent. */
export const CONSENT_METHODS = [
  'signed-at-hospital',
  'recorded-by-community-worker',
  'signed-online',
] as const;
/** A patient's sex as every channel sends it. */
export const PATIENT_SEXES = ['male', 'female', 'unknown'] as const;

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** GB/T 2260 county code (6 digits), optionally + township (3) + village/community committee (3). */
/**
 * China Standard Time, the one zone every user of the bus is in (UTC+8 all year, no daylight saving since 1991):
 * a local time a hospital sends without an offset (HL7 v2 DTM, a JSON time without one) is read in it.
 */
export const LOCAL_UTC_OFFSET = '+08:00';

export const DIVISION_CODE_PATTERN = /^\d{6}(\d{3}(\d{3})?)?$/;

/** Where an application for community rehab came from (转介管理办法: hospital or self/family/村居委会/社会组织/企业). */
export const APPLICATION_CHANNELS = [
  'hospital',
  'self',
  'family',
  'village-committee',
  'social-organisation',
  'enterprise',
] as const;
export type ApplicationChannel = (typeof APPLICATION_CHANNELS)[number];

/** Deadlines whose breach is an event (referral.sla-breached). */
export const SLA_STAGES = ['verify-and-register', 'refer-to-site'] as const;
export type SlaStage = (typeof SLA_STAGES)[number];

/**
 * What an employment provider offers (残联就业服务, 职业培训, 庇护性就业, 辅助性就业, 职业介绍); a site names the
 * programmes a ready patient wants, routing matches a provider offering one of them.
 */
export const EMPLOYMENT_PROGRAMMES = [
  'vocational-training',
  'sheltered-employment',
  'supported-employment',
  'job-placement',
] as const;
export type EmploymentProgramme = (typeof EMPLOYMENT_PROGRAMMES)[number];

/** The kind of job a person was placed in: 庇护性就业 (sheltered), 辅助性就业 (supported), open market. */
export const PLACEMENT_TYPES = ['sheltered', 'supported', 'competitive'] as const;
export type PlacementType = (typeof PLACEMENT_TYPES)[number];

/** Why a provider declined an employment referral (it is re-routed). */
export const EMPLOYMENT_DECLINE_REASONS = [
  'no-capacity',
  'programme-unsuitable',
  'outside-area',
  'patient-unreachable',
  'other',
] as const;
export type EmploymentDeclineReason = (typeof EMPLOYMENT_DECLINE_REASONS)[number];

/** Months after the job start at which retention is checked. */
export const RETENTION_CHECK_MONTHS = [1, 3, 6] as const;
export type RetentionCheckMonth = (typeof RETENTION_CHECK_MONTHS)[number];

/** Why an employment referral ended. */
export const EMPLOYMENT_END_REASONS = [
  'retention-completed',
  'left-job',
  'patient-declined',
  'moved-away',
  'consent-withdrawn',
  'other',
] as const;
export type EmploymentEndReason = (typeof EMPLOYMENT_END_REASONS)[number];

/** What an employment referral is waiting on when it cannot be placed with a provider. */
export const EMPLOYMENT_UNPLACED_REASONS = ['no-provider', 'hop-limit'] as const;
export type EmploymentUnplacedReason = (typeof EMPLOYMENT_UNPLACED_REASONS)[number];

/** What paused an employment referral: a relapse report (green channel) or a readmission to hospital. */
export const EMPLOYMENT_PAUSE_CAUSES = ['relapse', 'readmission'] as const;
export type EmploymentPauseCause = (typeof EMPLOYMENT_PAUSE_CAUSES)[number];

/** The employment outcome steps the site and the referring hospital see (employment.stage-changed). */
export const EMPLOYMENT_STAGES = [
  'referred',
  'unplaced',
  'accepted',
  'training',
  'placed',
  'retention-checked',
  'retention-overdue',
  'paused',
  'resumed',
  'ended',
] as const;
export type EmploymentStage = (typeof EMPLOYMENT_STAGES)[number];

/**
 * How a hospital's application ended without a registration of its own (referral.application-ended): `refused`
 * (the person withdrew consent earlier) or `linked-to-existing` (the person is registered already; the
 * hospital learns no more than that).
 */
export const APPLICATION_END_OUTCOMES = ['refused', 'linked-to-existing'] as const;
export type ApplicationEndOutcome = (typeof APPLICATION_END_OUTCOMES)[number];

/** Why, as a stable code the hospital's view shows. */
export const APPLICATION_END_REASONS = ['consent-withdrawn-earlier', 'already-registered'] as const;
export type ApplicationEndReason = (typeof APPLICATION_END_REASONS)[number];

/** What opened a green-channel case. */
export const GREEN_TRIGGERS = ['relapse-report', 'periodic-assessment'] as const;
export type GreenTrigger = (typeof GREEN_TRIGGERS)[number];

/** Why a hospital got a green case: it discharged the patient, or it is designated for the county or prefecture. */
export const GREEN_ROUTES = ['discharging-hospital', 'county-designated', 'prefecture-designated'] as const;
export type GreenRoute = (typeof GREEN_ROUTES)[number];

/** A hospital's coded reason for declining a green case. */
export const GREEN_DECLINE_REASONS = [
  'no-bed',
  'not-our-catchment',
  'no-psychiatric-service',
  'patient-not-reachable',
  'other',
] as const;
export type GreenDeclineReason = (typeof GREEN_DECLINE_REASONS)[number];

/** Why a green case left a hospital. */
export const GREEN_ESCALATION_CAUSES = ['no-answer', 'declined'] as const;
export type GreenEscalationCause = (typeof GREEN_ESCALATION_CAUSES)[number];
