/**
 * Every alert code ops can see: the codes of `ops.alert.raised` and ops-monitor's own SLA_BREACHED rows (from
 * `referral.sla-breached`). The one list: raising code takes its codes from here, and
 * docs/operations.md#alerts-and-what-they-mean has a row for each (scripts/alerts-doc.spec.ts fails otherwise).
 * `OpsAlertRaisedData.code` still accepts any well-formed code, so an ops-monitor older than the service that
 * raises a new code stores it rather than dead-lettering it.
 */
export const OPS_ALERT_CODES = {
  // any service (libs/messaging)
  DEAD_LETTER: 'DEAD_LETTER',
  SECURITY_EVENT_REFUSED: 'SECURITY_EVENT_REFUSED',
  // hospital-intake
  GREEN_CASE_UNPLACED: 'GREEN_CASE_UNPLACED',
  GREEN_CASE_UNANSWERED: 'GREEN_CASE_UNANSWERED',
  GREEN_CASE_JOINT_MANAGEMENT: 'GREEN_CASE_JOINT_MANAGEMENT',
  HELD_DISCHARGE_INCOMPLETE: 'HELD_DISCHARGE_INCOMPLETE',
  // registration
  HOLIDAY_CALENDAR_MISSING: 'HOLIDAY_CALENDAR_MISSING',
  // rehab-site
  NEEDS_MANUAL_PLACEMENT: 'NEEDS_MANUAL_PLACEMENT',
  NO_SITE_FOR_REFERRAL: 'NO_SITE_FOR_REFERRAL',
  SITE_ANSWER_OVERDUE: 'SITE_ANSWER_OVERDUE',
  UNSTABLE_REFERRAL_NOT_ROUTED: 'UNSTABLE_REFERRAL_NOT_ROUTED',
  RISK_TOO_HIGH_FOR_COMMUNITY: 'RISK_TOO_HIGH_FOR_COMMUNITY',
  PATIENT_REFUSED_ROUTING_STOPPED: 'PATIENT_REFUSED_ROUTING_STOPPED',
  PERIODIC_ASSESSMENT_OVERDUE: 'PERIODIC_ASSESSMENT_OVERDUE',
  // employment-referral
  NO_EMPLOYMENT_PROVIDER: 'NO_EMPLOYMENT_PROVIDER',
  RETENTION_CHECK_OVERDUE: 'RETENTION_CHECK_OVERDUE',
  // ops-monitor
  STUCK_REFERRAL: 'STUCK_REFERRAL',
  SLA_BREACHED: 'SLA_BREACHED',
  INDICATOR_REPORT_DUE: 'INDICATOR_REPORT_DUE',
  INDICATOR_REPORT_OVERDUE: 'INDICATOR_REPORT_OVERDUE',
} as const;

export type OpsAlertCode = (typeof OPS_ALERT_CODES)[keyof typeof OPS_ALERT_CODES];
