import { eventBySubject, EVENTS, recipientSubject } from './events';

describe('per-recipient subjects', () => {
  it('should put the recipient id after the subject root', () => {
    expect(recipientSubject(EVENTS.siteReferralAssigned, 'cs-610902001003')).toBe(
      'site.cs-610902001003.referral.assigned',
    );
  });

  it('should resolve a per-recipient wire subject to its registry event', () => {
    expect(eventBySubject('site.cs-610902001003.referral.assigned')).toBe(EVENTS.siteReferralAssigned);
    expect(eventBySubject('site.x.referral.revoked')).toBe(EVENTS.siteReferralRevoked);
  });

  it('should not resolve an inserted token for events that are not per recipient', () => {
    expect(eventBySubject('referral.x.assigned')).toBeUndefined();
    expect(eventBySubject('site.x.referral.unknown')).toBeUndefined();
  });

  it('should refuse a recipient for an ordinary event and an id that is not one subject token', () => {
    expect(() => recipientSubject(EVENTS.referralAssigned, 'a')).toThrow(/not a per-recipient/);
    expect(() => recipientSubject(EVENTS.siteReferralAssigned, 'a.b')).toThrow(/invalid recipient/);
    expect(() => recipientSubject(EVENTS.siteReferralAssigned, '>')).toThrow(/invalid recipient/);
  });
});
