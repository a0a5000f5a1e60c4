import { Actor, organisationActor } from '@app/persistence';

export const HOSPITAL_LEVELS = ['tertiary', 'secondary', 'primary'] as const;
export const HOSPITAL_KINDS = ['psychiatric', 'general'] as const;

/** A hospital as the rest of the service sees it (never the key material). */
export interface Hospital {
  readonly id: string;
  readonly name: string;
  readonly level: (typeof HOSPITAL_LEVELS)[number];
  readonly countyDivisionCode: string;
  readonly kind: (typeof HOSPITAL_KINDS)[number];
  /** On-call contact for the green channel (a staff duty line, not patient data). */
  readonly onCall: { readonly name: string; readonly phone: string };
}

/** What the API-key guard puts on the request. */
export interface AuthenticatedHospital {
  readonly id: string;
  readonly name: string;
}

/** The actor a hospital's request runs as: row-level security shows it only its own referrals. */
export function hospitalActor(hospital: AuthenticatedHospital): Actor {
  return organisationActor(hospital.id, 'hospital');
}

export const API_KEY_HEADER = 'x-api-key';
