import { COLOUR_GRADES, ColourGrade, CONDITION_STATUSES, ConditionStatus } from '@app/contracts';

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

  /** From `INTAKE_COLOUR_GRADE_RULES` (a JSON array of rules) and `INTAKE_MAX_COMMUNITY_RISK`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): ColourGradePolicy {
    const raw = env.INTAKE_COLOUR_GRADE_RULES;
    const rules = raw ? (JSON.parse(raw) as ColourGradeRule[]) : DEFAULT_COLOUR_GRADE_RULES;
    for (const rule of rules) {
      if (
        !Number.isInteger(rule.maxRisk) ||
        !COLOUR_GRADES.includes(rule.grade) ||
        !rule.conditions.every((c) => CONDITION_STATUSES.includes(c))
      ) {
        throw new Error(`INTAKE_COLOUR_GRADE_RULES: bad rule ${JSON.stringify(rule)}`);
      }
    }
    const max = env.INTAKE_MAX_COMMUNITY_RISK ? Number(env.INTAKE_MAX_COMMUNITY_RISK) : MAX_COMMUNITY_RISK;
    return new ColourGradePolicy(rules, max);
  }

  assess(riskLevel: number, conditionStatus: ConditionStatus): AssessmentOutcome {
    const rule = this.rules.find((r) => riskLevel <= r.maxRisk && r.conditions.includes(conditionStatus))!;
    const eligibleForCommunityRehab =
      riskLevel <= Math.min(this.maxCommunityRisk, MAX_COMMUNITY_RISK) && conditionStatus !== 'unstable';
    return { colourGrade: rule.grade, eligibleForCommunityRehab };
  }
}
