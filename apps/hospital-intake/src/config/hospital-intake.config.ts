import { integerFromEnv } from '@app/core';
import { ColourGradePolicy } from '../discharges/colour-grade.policy';

/** Hospital-intake's settings, read from the environment and validated at boot. */
export interface HospitalIntakeConfig {
  /**
   * The colour-grade table (`INTAKE_COLOUR_GRADE_RULES`, JSON `[{maxRisk, conditions, grade}]`, first match
   * wins) and the highest risk eligible for community rehab (`INTAKE_MAX_COMMUNITY_RISK`, never above 2).
   */
  readonly colourGrades: ColourGradePolicy;
  /**
   * Working days after discharge within which a discharge sent without an assessment must have it
   * (`INTAKE_ASSESSMENT_WORKING_DAYS`, 1–30, default 3); then `referral.assessment-overdue`.
   */
  readonly assessmentWithinWorkingDays: number;
  /** How often overdue assessments are looked for (`INTAKE_ASSESSMENT_SWEEP_MS`, 0 = never; default 60 s). */
  readonly assessmentSweepIntervalMs: number;
}

export const HOSPITAL_INTAKE_CONFIG = Symbol('HOSPITAL_INTAKE_CONFIG');

export function loadHospitalIntakeConfig(env: NodeJS.ProcessEnv = process.env): HospitalIntakeConfig {
  return {
    colourGrades: ColourGradePolicy.fromEnv(env),
    assessmentWithinWorkingDays: integerFromEnv(env, 'INTAKE_ASSESSMENT_WORKING_DAYS', 3, 1, 30),
    assessmentSweepIntervalMs: integerFromEnv(env, 'INTAKE_ASSESSMENT_SWEEP_MS', 60_000, 0, 86_400_000),
  };
}
