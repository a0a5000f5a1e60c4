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
  'other',
] as const;
export type DeclineReason = (typeof DECLINE_REASONS)[number];

export const CLOSURE_OUTCOMES = ['recovered', 'moved-away', 'lost-to-follow-up', 'died', 'withdrew'] as const;
export type ClosureOutcome = (typeof CLOSURE_OUTCOMES)[number];

export const CONSENT_PURPOSES = ['community-rehab', 'employment', 'information-sharing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export const ALERT_SEVERITIES = ['info', 'warning', 'critical'] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** GB/T 2260 county code (6 digits), optionally + township (3) + village/community committee (3). */
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
 * How a hospital's application ended without a registration of its own (referral.application-ended): `refused`
 * (the person withdrew consent earlier) or `linked-to-existing` (the person is registered already; the
 * hospital learns no more than that).
 */
export const APPLICATION_END_OUTCOMES = ['refused', 'linked-to-existing'] as const;
export type ApplicationEndOutcome = (typeof APPLICATION_END_OUTCOMES)[number];

/** Why, as a stable code the hospital's view shows. */
export const APPLICATION_END_REASONS = ['consent-withdrawn-earlier', 'already-registered'] as const;
export type ApplicationEndReason = (typeof APPLICATION_END_REASONS)[number];
