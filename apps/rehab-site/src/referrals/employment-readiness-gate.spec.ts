import { readinessFailures, ReadinessFacts } from './employment-readiness-gate';

const now = new Date('2026-06-01T00:00:00Z');
const ready: ReadinessFacts = {
  willing: true,
  employmentConsent: { expiresAt: null },
  latestAssessment: { riskLevel: 1, conditionStatus: 'stable', source: 'periodic assessment' },
};

describe(readinessFailures.name, () => {
  it('should pass a willing patient with a valid employment consent and a stable latest assessment', () => {
    expect(readinessFailures(ready, now, 1)).toEqual([]);
  });

  it('should name each failed condition', () => {
    const failures = readinessFailures(
      {
        willing: false,
        employmentConsent: undefined,
        latestAssessment: {
          riskLevel: 3,
          conditionStatus: 'basically-stable',
          source: 'periodic assessment',
        },
      },
      now,
      1,
    );
    expect(failures.map((f) => f.condition)).toEqual([
      'employment-consent',
      'stable-assessment',
      'willingness',
    ]);
    expect(failures[1].detail).toContain('risk level 3, above 1');
  });

  it('should refuse an expired employment consent and an unstable condition at a low risk level', () => {
    const failures = readinessFailures(
      {
        ...ready,
        employmentConsent: { expiresAt: new Date('2026-05-31T00:00:00Z') },
        latestAssessment: { riskLevel: 0, conditionStatus: 'unstable', source: 'periodic assessment' },
      },
      now,
      1,
    );
    expect(failures.map((f) => f.condition)).toEqual(['employment-consent', 'stable-assessment']);
    expect(failures[0].detail).toContain('expired');
  });

  it('should read the risk limit from configuration', () => {
    const risk2 = { ...ready, latestAssessment: { ...ready.latestAssessment, riskLevel: 2 } };
    expect(readinessFailures(risk2, now, 1)).toHaveLength(1);
    expect(readinessFailures(risk2, now, 2)).toEqual([]);
  });
});
