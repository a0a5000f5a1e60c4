import { ConditionStatus } from '@app/contracts';

/** The conditions a site's employment readiness confirmation is checked against. */
export const READINESS_CONDITIONS = ['employment-consent', 'stable-assessment', 'willingness'] as const;
export type ReadinessCondition = (typeof READINESS_CONDITIONS)[number];

export interface ReadinessFailure {
  condition: ReadinessCondition;
  detail: string;
}

export interface ReadinessFacts {
  /** The patient says they want to work (recorded by the site). */
  willing: boolean;
  /** The employment consent registration reported valid, if any (expiresAt null: no end). */
  employmentConsent: { expiresAt: Date | null } | undefined;
  /** The latest assessment: the site's newest periodic one, else the discharge assessment. */
  latestAssessment: { riskLevel: number; conditionStatus: ConditionStatus | null; source: string };
}

/**
 * The readiness gate (pure): a valid employment consent held by registration, a stable latest assessment (risk
 * at most `maxRiskLevel` and not an unstable condition) and the patient's willingness. Answers every condition
 * that fails, so the site sees all of them at once; empty when ready.
 */
export function readinessFailures(
  facts: ReadinessFacts,
  now: Date,
  maxRiskLevel: number,
): ReadinessFailure[] {
  const failures: ReadinessFailure[] = [];
  const consent = facts.employmentConsent;
  if (!consent) {
    failures.push({
      condition: 'employment-consent',
      detail: 'registration holds no valid employment consent',
    });
  } else if (consent.expiresAt && consent.expiresAt <= now) {
    failures.push({
      condition: 'employment-consent',
      detail: `the employment consent expired at ${consent.expiresAt.toISOString()}`,
    });
  }
  const { riskLevel, conditionStatus, source } = facts.latestAssessment;
  if (riskLevel > maxRiskLevel) {
    failures.push({
      condition: 'stable-assessment',
      detail: `the latest assessment (${source}) has risk level ${riskLevel}, above ${maxRiskLevel}`,
    });
  } else if (conditionStatus === 'unstable') {
    failures.push({
      condition: 'stable-assessment',
      detail: `the latest assessment (${source}) found the condition unstable`,
    });
  }
  if (!facts.willing)
    failures.push({ condition: 'willingness', detail: 'the patient is not willing to work' });
  return failures;
}
