import { ColourGradePolicy } from '@app/contracts';

/** Hospital-intake's settings, read from the environment and validated at boot. */
export interface HospitalIntakeConfig {
  /**
   * The colour-grade table (`COLOUR_GRADE_RULES`, JSON `[{maxRisk, conditions, grade}]`, first match
   * wins) and the highest risk eligible for community rehab (`MAX_COMMUNITY_RISK`, never above 2).
   */
  readonly colourGrades: ColourGradePolicy;
}

export const HOSPITAL_INTAKE_CONFIG = Symbol('HOSPITAL_INTAKE_CONFIG');

export function loadHospitalIntakeConfig(env: NodeJS.ProcessEnv = process.env): HospitalIntakeConfig {
  return { colourGrades: ColourGradePolicy.fromEnv(env) };
}
