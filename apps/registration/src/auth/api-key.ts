import { createHash } from 'node:crypto';
import { Actor, organisationActor } from '@app/persistence';

export const ORGANISATION_KINDS = [
  'family-portal',
  'village-committee',
  'social-organisation',
  'enterprise',
  'county-centre',
] as const;
export type OrganisationKind = (typeof ORGANISATION_KINDS)[number];

/** The organisation an API key binds a caller to. */
export interface Caller {
  readonly organisationId: string;
  readonly organisationName: string;
  readonly kind: OrganisationKind;
  readonly divisionCode: string;
}

/** The actor a channel's request runs as: row-level security shows it only what its organisation may see. */
export function callerActor(caller: Caller): Actor {
  return organisationActor(caller.organisationId, caller.kind);
}

export const API_KEY_HEADER = 'x-api-key';

/** Only the SHA-256 of a key is stored. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
