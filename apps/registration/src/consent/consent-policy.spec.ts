import { ConsentRecord, evaluateConsent, validConsentPurposes } from './consent-policy';

const at = new Date('2026-06-01T00:00:00Z');
const consent = (overrides: Partial<ConsentRecord> = {}): ConsentRecord => ({
  purpose: 'community-rehab',
  grantedBy: 'patient',
  grantedAt: new Date('2026-05-01T00:00:00Z'),
  expiresAt: null,
  withdrawnAt: null,
  ...overrides,
});
const capable = { lacksCapacity: false, hasGuardian: false };
const incapable = { lacksCapacity: true, hasGuardian: true };

describe(evaluateConsent.name, () => {
  it('should accept a live patient consent for the purpose', () => {
    expect(evaluateConsent(capable, [consent()], 'community-rehab', at)).toEqual({ valid: true });
  });

  it('should refuse when there is no consent for that purpose (employment is separate)', () => {
    expect(evaluateConsent(capable, [consent({ purpose: 'employment' })], 'community-rehab', at)).toEqual({
      valid: false,
      reason: 'none',
    });
    expect(evaluateConsent(capable, [consent()], 'employment', at)).toEqual({ valid: false, reason: 'none' });
  });

  it('should refuse an expired consent', () => {
    const expired = consent({ expiresAt: new Date('2026-05-31T23:59:59Z') });
    expect(evaluateConsent(capable, [expired], 'community-rehab', at)).toEqual({
      valid: false,
      reason: 'expired',
    });
  });

  it('should refuse a withdrawn consent', () => {
    const withdrawn = consent({ withdrawnAt: new Date('2026-05-20T00:00:00Z') });
    expect(evaluateConsent(capable, [withdrawn], 'community-rehab', at)).toEqual({
      valid: false,
      reason: 'withdrawn',
    });
  });

  it('should refuse the own consent of a patient who lacks capacity', () => {
    expect(evaluateConsent(incapable, [consent()], 'community-rehab', at)).toEqual({
      valid: false,
      reason: 'guardian-required',
    });
  });

  it('should accept a guardian consent for a patient who lacks capacity', () => {
    expect(evaluateConsent(incapable, [consent({ grantedBy: 'guardian' })], 'community-rehab', at)).toEqual({
      valid: true,
    });
  });

  it('should refuse any consent when the patient lacks capacity and no guardian is recorded', () => {
    const noGuardian = { lacksCapacity: true, hasGuardian: false };
    expect(evaluateConsent(noGuardian, [consent({ grantedBy: 'guardian' })], 'community-rehab', at)).toEqual({
      valid: false,
      reason: 'guardian-missing',
    });
  });

  it('should ignore a consent granted after the moment evaluated', () => {
    const later = consent({ grantedAt: new Date('2026-06-02T00:00:00Z') });
    expect(evaluateConsent(capable, [later], 'community-rehab', at)).toEqual({
      valid: false,
      reason: 'none',
    });
  });
});

describe(validConsentPurposes.name, () => {
  it('should list each purpose a valid consent holds for, with the latest end of its live consents', () => {
    const purposes = validConsentPurposes(
      capable,
      [
        consent(),
        consent({ purpose: 'employment', expiresAt: new Date('2026-07-01T00:00:00Z') }),
        consent({ purpose: 'employment', expiresAt: new Date('2026-09-01T00:00:00Z') }),
        consent({ purpose: 'information-sharing', withdrawnAt: new Date('2026-05-20T00:00:00Z') }),
      ],
      at,
    );
    expect(purposes).toEqual([
      { purpose: 'community-rehab', expiresAt: null },
      { purpose: 'employment', expiresAt: new Date('2026-09-01T00:00:00Z') },
    ]);
  });

  it("should leave out a purpose whose only consent is the patient's own when a guardian must give it", () => {
    expect(validConsentPurposes(incapable, [consent({ purpose: 'employment' })], at)).toEqual([]);
  });
});
