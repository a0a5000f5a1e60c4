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
  /** A general hospital with a psychiatric ward can take its own patients back through the green channel. */
  readonly hasPsychiatricWard: boolean;
  /** Whether it takes green-channel cases at all (a psychiatric hospital may opt out, e.g. no acute beds). */
  readonly takesGreenCases: boolean;
  /** Its webhook for green cases, if it registered one (the secret is never part of this view). */
  readonly webhookUrl: string | null;
}

/** Whether a hospital can take a green-channel case back (psychiatric, or a psychiatric ward, and opted in). */
export function takesGreenCase(hospital: Hospital): boolean {
  return hospital.takesGreenCases && (hospital.kind === 'psychiatric' || hospital.hasPsychiatricWard);
}

/** The calling hospital (from the principal @app/auth bound). */
export interface AuthenticatedHospital {
  readonly id: string;
  readonly name: string;
}

/** The actor a hospital's request runs as: row-level security shows it only its own referrals. */
export function hospitalActor(hospital: AuthenticatedHospital): Actor {
  return organisationActor(hospital.id, 'hospital');
}
