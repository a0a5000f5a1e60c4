import { ApplicationRow } from './application-row';
import {
  channelRegistrationStatus,
  toChannelApplicationView,
  toOfficeApplicationView,
} from './application-view';

const at = new Date('2026-12-01T02:00:00Z');
const row = (overrides: Partial<ApplicationRow> = {}): ApplicationRow => ({
  id: '6f1c1f7e-5b0a-4a53-9a0e-0a3c8f0e9a01',
  registrationId: '0d5d3a52-7c1e-4c5e-8d0b-3f3c2a1b0c01',
  channel: 'family',
  organisationId: 'fam-1',
  status: 'received',
  linkedBy: null,
  mergedInto: null,
  residenceDivisionCode: '610902001003',
  needs: [],
  preferredSiteId: null,
  assessment: null,
  receivedAt: at,
  registerDueAt: at,
  registerDueProvisional: false,
  slaBreachedAt: null,
  referDueAt: null,
  referDueProvisional: false,
  referredAt: null,
  referBreachedAt: null,
  verifiedAt: null,
  awaitingConsentSince: null,
  missingPurpose: null,
  remindersSent: 0,
  registeredAt: null,
  endedAt: null,
  endReason: null,
  fileSummary: null,
  routingStopped: null,
  ...overrides,
});

describe('application views', () => {
  it("should show a channel the subject's file summary of its case (the merge target's once verified)", () => {
    const summary = {
      siteId: 'st-1',
      stage: 'in-service' as const,
      sessionCount: 2,
      lastSessionAt: at.toISOString(),
      assessmentCount: 0,
      updatedAt: at.toISOString(),
    };
    expect(toChannelApplicationView(row({ status: 'registered', fileSummary: summary }), 'p').file).toEqual(
      summary,
    );
    const target = row({ id: 'target', status: 'registered', fileSummary: summary });
    const verifiedMerge = row({ status: 'merged', mergedInto: 'target', verifiedAt: at });
    expect(toChannelApplicationView(verifiedMerge, 'p', target).file).toEqual(summary);
    // An unchecked filer's merged application follows nothing, the file included.
    expect(toChannelApplicationView(row({ status: 'merged', mergedInto: 'target' }), 'p', target).file).toBe(
      undefined,
    );
    expect(toOfficeApplicationView(row({ fileSummary: summary }), 'p').file).toEqual(summary);
  });

  it('should show the office and the channel that routing stopped because the patient refused', () => {
    const routingStopped = { reason: 'patient-refused' as const, siteId: 'st-1', at };
    const shown = { reason: 'patient-refused', siteId: 'st-1', at: at.toISOString() };
    const stopped = row({ status: 'registered', routingStopped });
    expect(toOfficeApplicationView(stopped, 'p').routingStopped).toEqual(shown);
    expect(toChannelApplicationView(stopped, 'p').routingStopped).toEqual(shown);
    // A verified merge follows its target's; an unchecked filer's merged application shows nothing.
    expect(
      toChannelApplicationView(row({ status: 'merged', mergedInto: 'x', verifiedAt: at }), 'p', stopped)
        .routingStopped,
    ).toEqual(shown);
    expect(
      toChannelApplicationView(row({ status: 'merged', mergedInto: 'x' }), 'p', stopped),
    ).not.toHaveProperty('routingStopped');
    expect(toOfficeApplicationView(row({ status: 'registered' }), 'p')).not.toHaveProperty('routingStopped');
  });

  it('should show the office the link and hide it from the channel', () => {
    const linked = row({ linkedBy: 'id-number' });
    expect(toOfficeApplicationView(linked, 'p')).toMatchObject({
      linkedToExisting: true,
      linkedBy: 'id-number',
    });
    expect(toChannelApplicationView(linked, 'p')).toEqual(toChannelApplicationView(row(), 'p'));
  });

  it('should show a channel a merged application as the case it was merged into, without naming it', () => {
    const target = row({
      id: 'hospital-referral',
      channel: 'hospital',
      status: 'awaiting-consent',
      missingPurpose: 'community-rehab',
    });
    const merged = row({
      status: 'merged',
      mergedInto: target.id,
      endReason: 'superseded by a hospital referral',
      endedAt: at,
      verifiedAt: at,
    });
    const view = toChannelApplicationView(merged, 'p', target);
    expect(view).toMatchObject({
      status: 'awaiting-consent',
      awaitingConsentFor: 'community-rehab',
      channel: 'family',
    });
    expect(JSON.stringify(view)).not.toMatch(/hospital|merged/);
  });

  it('should show an unresolved or unverified merge as received and keep the office note of a rejection', () => {
    expect(toChannelApplicationView(row({ status: 'merged', verifiedAt: at }), 'p').status).toBe('received');
    const target = row({ id: 'other', status: 'registered' });
    expect(toChannelApplicationView(row({ status: 'merged', mergedInto: 'other' }), 'p', target).status).toBe(
      'received',
    );
    expect(
      toChannelApplicationView(row({ status: 'rejected', endReason: 'no such person' }), 'p'),
    ).toMatchObject({
      status: 'rejected',
      endReason: 'no such person',
    });
    expect(
      toChannelApplicationView(row({ status: 'refused', endReason: 'consent withdrawn earlier' }), 'p'),
    ).not.toHaveProperty('endReason');
  });

  it("should give a channel the registration's status only through its own applications", () => {
    const own = (status: string) => [{ ...toChannelApplicationView(row(), 'p'), status }];
    expect(channelRegistrationStatus('registered', own('received'))).toBe('pending');
    expect(channelRegistrationStatus('consent-withdrawn', own('received'))).toBe('pending');
    expect(channelRegistrationStatus('green-channel', own('registered'))).toBe('green-channel');
    expect(channelRegistrationStatus('consent-withdrawn', own('consent-withdrawn'))).toBe(
      'consent-withdrawn',
    );
  });
});
