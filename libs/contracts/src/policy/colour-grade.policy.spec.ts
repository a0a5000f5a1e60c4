import fc from 'fast-check';
import { CONDITION_STATUSES } from '../vocabulary';
import { ColourGradePolicy } from './colour-grade.policy';

describe(ColourGradePolicy.name, () => {
  const policy = new ColourGradePolicy();

  it('should grade with the default table', () => {
    expect(policy.assess(0, 'stable')).toEqual({ colourGrade: 'green', eligibleForCommunityRehab: true });
    expect(policy.assess(1, 'basically-stable')).toEqual({
      colourGrade: 'yellow',
      eligibleForCommunityRehab: true,
    });
    expect(policy.assess(2, 'stable')).toEqual({ colourGrade: 'orange', eligibleForCommunityRehab: true });
    expect(policy.assess(3, 'stable')).toEqual({ colourGrade: 'red', eligibleForCommunityRehab: false });
    expect(policy.assess(0, 'unstable')).toEqual({ colourGrade: 'red', eligibleForCommunityRehab: false });
  });

  it('should never make risk 3–5 eligible, whatever the configuration says', () => {
    const lax = ColourGradePolicy.fromEnv({
      MAX_COMMUNITY_RISK: '5',
      COLOUR_GRADE_RULES: JSON.stringify([{ maxRisk: 5, conditions: CONDITION_STATUSES, grade: 'green' }]),
    });
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 5 }),
        fc.constantFrom(...CONDITION_STATUSES),
        (risk, condition) => {
          expect(lax.assess(risk, condition).eligibleForCommunityRehab).toBe(false);
          expect(lax.assess(risk, condition).colourGrade).toBe('green');
        },
      ),
    );
  });

  it('should still read the INTAKE_-prefixed names of hospital-intake', () => {
    const strict = ColourGradePolicy.fromEnv({ INTAKE_MAX_COMMUNITY_RISK: '1' });
    expect(strict.assess(2, 'stable').eligibleForCommunityRehab).toBe(false);
  });

  it('should refuse a table that leaves a risk/condition without a grade, or names an unknown grade', () => {
    expect(() => new ColourGradePolicy([{ maxRisk: 2, conditions: ['stable'], grade: 'green' }])).toThrow(
      /without a grade/,
    );
    expect(() =>
      ColourGradePolicy.fromEnv({
        COLOUR_GRADE_RULES: JSON.stringify([{ maxRisk: 5, conditions: ['stable'], grade: 'blue' }]),
      }),
    ).toThrow(/bad rule/);
  });
});
