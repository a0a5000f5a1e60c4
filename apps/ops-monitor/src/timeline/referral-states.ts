/**
 * The vocabulary of the read model: the state a referral is in after an event, the milestones whose first
 * occurrence is kept per referral, and the stages measured between milestones.
 */
export const REFERRAL_STATES = [
  'discharged',
  'awaiting-assessment',
  'application-received',
  'assessed',
  'registered',
  'registration-expired',
  'assigned',
  'needs-manual-placement',
  'declined',
  'escalated',
  'accepted',
  'in-service',
  'transferred',
  'green-channel',
  'employment-ready',
  'closed',
  'consent-withdrawn',
  'cancelled',
  'unknown',
] as const;
export type ReferralState = (typeof REFERRAL_STATES)[number];

/** Milestones: the first time each happened is a column of the referral summary. */
export const MILESTONES = [
  'discharged',
  'assessed',
  'registered',
  'assigned',
  'accepted',
  'first-service',
  'closed',
] as const;
export type Milestone = (typeof MILESTONES)[number];

export interface StageDefinition {
  readonly name: string;
  readonly from: Milestone;
  readonly to: Milestone;
  /** Machine stages are measured in milliseconds-range buckets, human stages in minutes to days. */
  readonly kind: 'machine' | 'human';
}

/** The stages whose latency is measured (first `from` to first `to`, by event time). */
export const STAGES: readonly StageDefinition[] = [
  { name: 'discharged-to-assessed', from: 'discharged', to: 'assessed', kind: 'machine' },
  { name: 'assessed-to-registered', from: 'assessed', to: 'registered', kind: 'machine' },
  { name: 'registered-to-assigned', from: 'registered', to: 'assigned', kind: 'machine' },
  { name: 'assigned-to-accepted', from: 'assigned', to: 'accepted', kind: 'human' },
  { name: 'accepted-to-first-service', from: 'accepted', to: 'first-service', kind: 'human' },
];

/** States a referral can be stuck in (waiting for the next step); the others are final or self-resolving. */
export const WAITING_STATES = [
  'discharged',
  'assessed',
  'registered',
  'assigned',
  'needs-manual-placement',
  'declined',
  'escalated',
  'accepted',
  'transferred',
] as const satisfies readonly ReferralState[];
export type WaitingState = (typeof WAITING_STATES)[number];
