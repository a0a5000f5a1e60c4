import { TransitionTable } from '@app/core';

/** Where an employment referral stands. */
export const EMPLOYMENT_STATUSES = [
  'referred',
  'accepted',
  'training',
  'placed',
  'paused',
  'ended',
  'unplaced',
] as const;
export type EmploymentStatus = (typeof EMPLOYMENT_STATUSES)[number];

/** The statuses a relapse pauses (and readiness confirmed again resumes). */
export const ACTIVE_STATUSES: readonly EmploymentStatus[] = ['referred', 'accepted', 'training', 'placed'];

/** What the provider holding an employment referral may do next. */
export const PROVIDER_ACTIONS = [
  'accept',
  'decline',
  'record-employer-contact',
  'start-training',
  'place',
  'record-retention-check',
  'end',
] as const;
export type ProviderAction = (typeof PROVIDER_ACTIONS)[number];

/**
 * The one transition table: referred → accepted / declined (re-routed) → training → placed → retention
 * checks → ended. A paused referral (relapse) takes no provider action until the site confirms readiness
 * again; the service, not the provider, pauses, resumes, ends on withdrawal and marks a referral unplaced.
 */
const LIFECYCLE = new TransitionTable<EmploymentStatus, ProviderAction>(
  {
    referred: ['accept', 'decline'],
    accepted: ['record-employer-contact', 'start-training', 'place', 'end'],
    training: ['record-employer-contact', 'place', 'end'],
    placed: ['record-retention-check', 'end'],
    paused: [],
    ended: [],
    unplaced: [],
  },
  'employment referral',
);

export function allowedActions(status: EmploymentStatus): ProviderAction[] {
  return LIFECYCLE.allowedActions(status);
}

export function assertAllowed(status: EmploymentStatus, action: ProviderAction): void {
  LIFECYCLE.assertAllowed(status, action);
}
