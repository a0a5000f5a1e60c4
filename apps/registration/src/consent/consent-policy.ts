import { ConsentPurpose } from '@app/contracts';

export interface ConsentRecord {
  readonly purpose: ConsentPurpose;
  readonly grantedBy: 'patient' | 'guardian';
  readonly grantedAt: Date;
  readonly expiresAt: Date | null;
  readonly withdrawnAt: Date | null;
}

export interface ConsentSubject {
  /** The patient cannot consent for themselves: only a guardian's (监护人) consent counts. */
  readonly lacksCapacity: boolean;
  readonly hasGuardian: boolean;
}

export type ConsentVerdict =
  | { readonly valid: true }
  | {
      readonly valid: false;
      readonly reason: 'none' | 'expired' | 'withdrawn' | 'guardian-required' | 'guardian-missing';
    };

/**
 * The consent gate: is there a consent for `purpose` that holds at `at`? Granted no later than `at`, not
 * expired, not withdrawn, and given by a guardian when the patient lacks capacity (a patient's own
 * signature does not count then, and without a recorded guardian nobody can consent).
 */
export function evaluateConsent(
  subject: ConsentSubject,
  consents: readonly ConsentRecord[],
  purpose: ConsentPurpose,
  at: Date,
): ConsentVerdict {
  const forPurpose = consents.filter((c) => c.purpose === purpose && c.grantedAt.getTime() <= at.getTime());
  if (subject.lacksCapacity && !subject.hasGuardian) return { valid: false, reason: 'guardian-missing' };
  const eligible = forPurpose.filter((c) => !subject.lacksCapacity || c.grantedBy === 'guardian');
  const live = eligible.filter((c) => c.withdrawnAt === null || c.withdrawnAt.getTime() > at.getTime());
  if (live.some((c) => c.expiresAt === null || c.expiresAt.getTime() > at.getTime())) return { valid: true };
  if (live.length > 0) return { valid: false, reason: 'expired' };
  if (eligible.length > 0) return { valid: false, reason: 'withdrawn' };
  if (forPurpose.length > 0) return { valid: false, reason: 'guardian-required' };
  return { valid: false, reason: 'none' };
}

/**
 * The purposes a valid consent holds for at `at`, each with the latest end of the consents that make it valid
 * (null: one of them does not expire). What `referral.registered` tells downstream (`validConsents`).
 */
export function validConsentPurposes(
  subject: ConsentSubject,
  consents: readonly ConsentRecord[],
  at: Date,
): { purpose: ConsentPurpose; expiresAt: Date | null }[] {
  const purposes = [...new Set(consents.map((c) => c.purpose))].sort();
  return purposes
    .filter((purpose) => evaluateConsent(subject, consents, purpose, at).valid)
    .map((purpose) => {
      const live = consents.filter(
        (c) =>
          c.purpose === purpose &&
          c.grantedAt.getTime() <= at.getTime() &&
          (!subject.lacksCapacity || c.grantedBy === 'guardian') &&
          (c.withdrawnAt === null || c.withdrawnAt.getTime() > at.getTime()) &&
          (c.expiresAt === null || c.expiresAt.getTime() > at.getTime()),
      );
      const ends = live.map((c) => c.expiresAt);
      const expiresAt = ends.includes(null) ? null : new Date(Math.max(...ends.map((e) => e!.getTime())));
      return { purpose, expiresAt };
    });
}
