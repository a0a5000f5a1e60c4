import { TransitionTable } from '@app/core';

/** Where a referral stands at rehab-site (DESIGN §3). */
export const REFERRAL_STATUSES = [
  'assigned',
  'accepted',
  'in-service',
  'green-channel',
  'on-hold',
  'superseded',
  'closed',
  'consent-withdrawn',
  'unplaced',
  // A site's decline said the patient or guardian refused: routing stops; ops may place it once they agree.
  'patient-refused',
  // The referring hospital cancelled before a site accepted (referral.cancelled).
  'cancelled',
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];

/** What the site holding a referral may do next. */
export const SITE_ACTIONS = [
  'accept',
  'decline',
  'record-plan',
  'record-session',
  'record-assessment',
  'transfer',
  'close',
  'report-relapse',
  'confirm-employment-readiness',
] as const;
export type SiteAction = (typeof SITE_ACTIONS)[number];

/** What the serving site may do (accepted, or in service after the first session). */
const SERVING: readonly SiteAction[] = [
  'record-plan',
  'record-session',
  'record-assessment',
  'transfer',
  'close',
  'report-relapse',
  'confirm-employment-readiness',
];

const TRANSITIONS: Record<ReferralStatus, readonly SiteAction[]> = {
  assigned: ['accept', 'decline'],
  accepted: SERVING,
  'in-service': SERVING,
  'green-channel': ['close'],
  // Readmitted: the site keeps the place for a while; the next discharge brings the patient back here.
  'on-hold': ['close'],
  // The patient came back under a new referral, which took over the place.
  superseded: [],
  closed: [],
  'consent-withdrawn': [],
  cancelled: [],
  unplaced: [],
  'patient-refused': [],
};

const LIFECYCLE = new TransitionTable<ReferralStatus, SiteAction>(TRANSITIONS, 'referral');

export function allowedActions(status: ReferralStatus): SiteAction[] {
  return LIFECYCLE.allowedActions(status);
}

/** Refuses (409, listing what is allowed) an action the referral's state does not permit. */
export function assertAllowed(status: ReferralStatus, action: SiteAction): void {
  LIFECYCLE.assertAllowed(status, action);
}
