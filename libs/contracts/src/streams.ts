/**
 * JetStream streams. Names and subject roots live here and nowhere else; the messaging library
 * resolves them (with an optional namespace for isolated test runs) when it provisions and publishes.
 */
export interface StreamDefinition {
  /** Stream name, UPPER_SNAKE. */
  readonly name: string;
  /** The first subject token every subject in this stream starts with (`referral` → `referral.>`). */
  readonly subjectRoot: string;
  readonly description: string;
  /** How long messages are kept, in seconds (referral events are replayable for this long). */
  readonly maxAgeSeconds: number;
  /** JetStream's publish de-duplication window, in seconds. */
  readonly duplicateWindowSeconds: number;
  /** The green channel's lane: an app's outbox relay publishes these before anything else that waits. */
  readonly urgent?: boolean;
}

const DAY = 24 * 60 * 60;

export const STREAMS = {
  REFERRAL: {
    name: 'REFERRAL',
    subjectRoot: 'referral',
    description: 'The referral lifecycle: discharge, assessment, registration, routing, service, closure.',
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 20 * 60,
  },
  GREEN: {
    name: 'GREEN',
    subjectRoot: 'green',
    description:
      'Green channel: relapse reports and hospital re-admission. Own stream so a referral backlog never delays it.',
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 20 * 60,
    urgent: true,
  },
  EMPLOYMENT: {
    name: 'EMPLOYMENT',
    subjectRoot: 'employment',
    description: 'Employment referrals of patients a site confirmed ready, and their stages.',
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 20 * 60,
  },
  OPS: {
    name: 'OPS',
    subjectRoot: 'ops',
    description: 'Operational alerts for ops staff (dead letters, manual placement, SLA escalations).',
    maxAgeSeconds: 14 * DAY,
    duplicateWindowSeconds: 20 * 60,
  },
  DLQ: {
    name: 'DLQ',
    subjectRoot: 'dlq',
    description: 'One record per dead-lettered message (pointer and error, never the payload).',
    maxAgeSeconds: 90 * DAY,
    duplicateWindowSeconds: 20 * 60,
  },
  SITE: {
    name: 'SITE',
    subjectRoot: 'site',
    description:
      'Per-site delivery for sites on the bus: site.<siteId>.referral.* (a site may read only its own subjects).',
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 20 * 60,
  },
  PROVIDER: {
    name: 'PROVIDER',
    subjectRoot: 'provider',
    description:
      'Per-provider delivery for employment providers on the bus: provider.<providerId>.referral.* (a provider may read only its own subjects).',
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 20 * 60,
  },
  HOSPITAL: {
    name: 'HOSPITAL',
    subjectRoot: 'hospital',
    description:
      'Per-hospital delivery for hospitals on the bus: hospital.<hospitalId>.green.* and .referral.step (a hospital may read only its own subjects).',
    maxAgeSeconds: 30 * DAY,
    duplicateWindowSeconds: 20 * 60,
    urgent: true,
  },
} as const satisfies Record<string, StreamDefinition>;

export type StreamKey = keyof typeof STREAMS;

/** Subject roots of the urgent streams (the green channel), e.g. `green`, `hospital`. */
export const URGENT_SUBJECT_ROOTS: readonly string[] = Object.values(
  STREAMS as Record<string, StreamDefinition>,
)
  .filter((s) => s.urgent)
  .map((s) => s.subjectRoot);
