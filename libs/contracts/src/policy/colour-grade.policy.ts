import { COLOUR_GRADES, ColourGrade, CONDITION_STATUSES, ConditionStatus } from '../vocabulary';

/**
 * The one risk policy of the bus (分色管理 and the 3–5 = unstable rule), shared by every channel and every
 * routing decision: hospital-intake grades discharges with it, registration re-derives the grade and eligibility
 * of every application (whatever a channel posted) before publishing referral.registered, and rehab-site's
 * directory and routing never go above MAX_COMMUNITY_RISK.
 */

/** One row of the province's colour-grade table (分色管理): the first matching rule wins. */
export interface ColourGradeRule {
  readonly maxRisk: number;
  readonly conditions: readonly ConditionStatus[];
  readonly grade: ColourGrade;
}

/** Default table: green = stable and risk 0; yellow = risk ≤ 1; orange = risk 2; red = risk 3–5 or unstable. */
export const DEFAULT_COLOUR_GRADE_RULES: readonly ColourGradeRule[] = [
  { maxRisk: 0, conditions: ['stable'], grade: 'green' },
  { maxRisk: 1, conditions: ['stable', 'basically-stable'], grade: 'yellow' },
  { maxRisk: 2, conditions: ['stable', 'basically-stable'], grade: 'orange' },
  { maxRisk: 5, conditions: ['stable', 'basically-stable', 'unstable'], grade: 'red' },
];

/** Highest risk level a community site may ever receive (policy: 3–5 is unstable). Not configurable upwards. */
export const MAX_COMMUNITY_RISK = 2;

/** Whether a risk level may be routed to a community site at all (0–2; 3–5 never). */
export function isCommunityRisk(riskLevel: number): boolean {
  return riskLevel <= MAX_COMMUNITY_RISK;
}

export interface AssessmentOutcome {
  readonly colourGrade: ColourGrade;
  readonly eligibleForCommunityRehab: boolean;
}

export class ColourGradePolicy {
  constructor(
    private readonly rules: readonly ColourGradeRule[] = DEFAULT_COLOUR_GRADE_RULES,
    private readonly maxCommunityRisk = MAX_COMMUNITY_RISK,
  ) {
    for (let risk = 0; risk <= 5; risk += 1) {
      for (const condition of CONDITION_STATUSES) {
        if (!rules.some((r) => risk <= r.maxRisk && r.conditions.includes(condition))) {
          throw new Error(`colour-grade rules leave risk ${risk} / ${condition} without a grade`);
        }
      }
    }
  }

  /**
   * The province's table from `COLOUR_GRADE_RULES` (a JSON array of rules) and `MAX_COMMUNITY_RISK` (lower
   * only); the older `INTAKE_`-prefixed names are still read when the new ones are unset.
   */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ColourGradePolicy {
    const raw = env.COLOUR_GRADE_RULES ?? env.INTAKE_COLOUR_GRADE_RULES;
    const maxRisk = env.MAX_COMMUNITY_RISK ?? env.INTAKE_MAX_COMMUNITY_RISK;
    const rules = raw ? (JSON.parse(raw) as ColourGradeRule[]) : DEFAULT_COLOUR_GRADE_RULES;
    for (const rule of rules) {
      if (
        !Number.isInteger(rule.maxRisk) ||
        !COLOUR_GRADES.includes(rule.grade) ||
        !rule.conditions.every((c) => CONDITION_STATUSES.includes(c))
      ) {
        throw new Error(`COLOUR_GRADE_RULES: bad rule ${JSON.stringify(rule)}`);
      }
    }
    const max = maxRisk ? Number(maxRisk) : MAX_COMMUNITY_RISK;
    return new ColourGradePolicy(rules, max);
  }

  assess(riskLevel: number, conditionStatus: ConditionStatus): AssessmentOutcome {
    const rule = this.rules.find((r) => riskLevel <= r.maxRisk && r.conditions.includes(conditionStatus))!;
    const eligibleForCommunityRehab =
      isCommunityRisk(riskLevel) && riskLevel <= this.maxCommunityRisk && conditionStatus !== 'unstable';
    return { colourGrade: rule.grade, eligibleForCommunityRehab };
  }
}
