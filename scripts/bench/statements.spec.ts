import { formatStatementProfile, normaliseStatement, statementProfile } from './statements';

describe('bench statement profile (--statements)', () => {
  it('should drop the per-run schema prefixes and collapse whitespace', () => {
    expect(
      normaliseStatement(`SELECT s.id
           FROM "benchmxb8fdcz7c106c_rehab_site".site_area a
           JOIN "rawbmxb8nd5ce00b26_rehab".site s ON s.id = a.site_id`),
    ).toBe('SELECT s.id FROM rehab_site.site_area a JOIN rehab.site s ON s.id = a.site_id');
    expect(normaliseStatement('x'.repeat(150), 20)).toBe(`${'x'.repeat(19)}…`);
  });

  it('should rank statements by execution plus planning time per referral', () => {
    const profile = statementProfile(
      [
        { query: 'COMMIT', calls: '400', plans: '0', total_exec_time: 40, total_plan_time: 0 },
        { query: 'SELECT 1', calls: '100', plans: '100', total_exec_time: 30, total_plan_time: 50 },
        { query: 'SELECT 2', calls: '0', plans: '0', total_exec_time: 0, total_plan_time: 0 },
      ],
      100,
    );
    expect(profile).toMatchObject({
      referrals: 100,
      callsPerReferral: 5,
      execMsPerReferral: 0.7,
      planMsPerReferral: 0.5,
    });
    expect(profile.top.map((s) => [s.text, s.msPerReferral, s.callsPerReferral])).toEqual([
      ['SELECT 1', 0.8, 1],
      ['COMMIT', 0.4, 4],
    ]);
    expect(profile.top[0]).toMatchObject({ execMsPerCall: 0.3, plansPerCall: 1, planMsPerPlan: 0.5 });
    const printed = formatStatementProfile('project', profile);
    expect(printed).toContain('5.0 statements, 0.70 ms executing + 0.50 ms planning per referral');
    expect(printed.split('\n')[3]).toMatch(/^0\.800 +1\.00 +0\.300 +1\.00 +0\.500 +SELECT 1$/);
  });
});
