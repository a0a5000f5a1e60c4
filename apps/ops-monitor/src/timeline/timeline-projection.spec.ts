import { EVENTS, referralSealContext } from '@app/contracts';
import { FieldCipher, keyringFromEnv } from '@app/crypto';
import { buildEnvelope } from '@app/messaging';
import { projectEvent } from './timeline-projection';

const referralId = '0b7c8f5e-8d43-4a4e-9d5e-7c1f7f2a1c11';
const time = new Date('2026-03-02T08:00:00.123Z');
/** A real sealed patient (dev keyring): the projection must not copy it. */
const sealed = new FieldCipher(keyringFromEnv()).sealJson(
  { name: '张三' },
  referralSealContext('patient', referralId),
);

describe('projectEvent', () => {
  it('should keep ids, codes, the county and the event time, never the sealed patient', () => {
    const envelope = buildEnvelope(
      EVENTS.referralDischarged,
      'hospital-intake',
      {
        referralId,
        hospitalId: 'h-1',
        encounterId: 'enc-1',
        dischargedAt: time.toISOString(),
        residenceDivisionCode: '610902001003',
        sealedPatient: sealed,
      },
      { subject: referralId, time },
    );
    const entry = projectEvent(envelope)!;
    expect(entry).toMatchObject({
      eventId: envelope.id,
      referralId,
      subject: 'referral.discharged',
      occurredAt: time,
      countyCode: '610902',
      hospitalId: 'h-1',
      state: 'discharged',
      milestone: 'discharged',
    });
    expect(JSON.stringify(entry)).not.toContain(sealed.ciphertext);
  });

  it('should mark a manual placement and order a re-route after its decline', () => {
    const assigned = projectEvent(
      buildEnvelope(
        EVENTS.referralAssigned,
        'rehab-site',
        {
          referralId,
          siteId: 'cc-1',
          siteName: 'county centre',
          hop: 6,
          assignedAt: time.toISOString(),
          answerDueAt: time.toISOString(),
          needsManualPlacement: true,
        },
        { subject: referralId, time },
      ),
    )!;
    const declined = projectEvent(
      buildEnvelope(
        EVENTS.referralDeclined,
        'rehab-site',
        {
          referralId,
          siteId: 's-1',
          reasonCode: 'no-capacity',
          reasonText: '张三 is too far',
          declinedAt: time.toISOString(),
        },
        { subject: referralId, time },
      ),
    )!;
    expect(assigned.state).toBe('needs-manual-placement');
    expect(assigned.rank).toBeGreaterThan(declined.rank);
    expect(declined.detail).toBe('no-capacity');
    expect(JSON.stringify(declined)).not.toContain('张三');
  });

  it('should keep a discharge awaiting its assessment apart (not stuck by minutes) and end a cancelled referral', () => {
    const awaiting = buildEnvelope(
      EVENTS.referralDischarged,
      'hospital-intake',
      {
        referralId,
        hospitalId: 'h-1',
        encounterId: 'enc-2',
        dischargedAt: time.toISOString(),
        residenceDivisionCode: '610902001003',
        assessmentDueAt: '2026-03-05T10:00:00.000Z',
      },
      { subject: referralId, time },
    );
    expect(projectEvent(awaiting)).toMatchObject({ state: 'awaiting-assessment', milestone: 'discharged' });

    const cancelled = buildEnvelope(
      EVENTS.referralCancelled,
      'hospital-intake',
      { referralId, hospitalId: 'h-1', reasonCode: 'patient-died', cancelledAt: time.toISOString() },
      { subject: referralId, time },
    );
    expect(projectEvent(cancelled)).toMatchObject({
      subject: 'referral.cancelled',
      state: 'cancelled',
      hospitalId: 'h-1',
      detail: 'patient-died',
    });
  });

  it('should follow a green case to a hospital bed (notified, declined, escalated, acknowledged, readmitted), on hold throughout', () => {
    const step = {
      referralId,
      caseId: '7d1f2a58-51c3-4b3e-9a3c-2f8a0a8f3b11',
      hospitalId: 'ak-mental-health-centre',
    };
    const at = time.toISOString();
    const projected = [
      buildEnvelope(EVENTS.greenRelapseReported, 'rehab-site', {
        referralId,
        siteId: 'cs-610902001003',
        observedRiskLevel: 4,
        reportedAt: at,
      }),
      buildEnvelope(EVENTS.greenNotified, 'hospital-intake', {
        ...step,
        step: 1,
        route: 'discharging-hospital',
        riskLevel: 4,
        jointManagement: false,
        notifiedAt: at,
        answerDueAt: at,
      }),
      buildEnvelope(EVENTS.greenDeclined, 'hospital-intake', { ...step, reason: 'no-bed', declinedAt: at }),
      buildEnvelope(EVENTS.greenEscalated, 'hospital-intake', {
        ...step,
        cause: 'declined',
        toHospitalId: 'h-2',
        escalatedAt: at,
      }),
      buildEnvelope(EVENTS.greenAcknowledged, 'hospital-intake', {
        ...step,
        hospitalId: 'h-2',
        acknowledgedBy: 'duty-doctor',
        acknowledgedAt: at,
      }),
      buildEnvelope(EVENTS.greenReadmitted, 'hospital-intake', {
        ...step,
        hospitalId: 'h-2',
        readmittedAt: at,
      }),
    ].map((envelope) => projectEvent({ ...envelope, subject: referralId }));

    expect(projected.map((e) => [e?.subject, e?.state, e?.hospitalId, e?.detail])).toEqual([
      ['green.relapse-reported', 'green-channel', null, null],
      ['green.notified', null, 'ak-mental-health-centre', 'discharging-hospital-step-1'],
      ['green.declined', null, 'ak-mental-health-centre', 'no-bed'],
      ['green.escalated', null, 'ak-mental-health-centre', 'declined'],
      ['green.acknowledged', null, 'h-2', 'acknowledged'],
      ['green.readmitted', null, 'h-2', 'readmitted'],
    ]);
  });

  it('should skip events that are not about a referral', () => {
    const alert = buildEnvelope(EVENTS.opsAlertRaised, 'rehab-site', {
      code: 'DEAD_LETTER',
      severity: 'info',
      service: 'rehab-site',
      summary: 's',
      raisedAt: time.toISOString(),
    });
    expect(projectEvent(alert)).toBeUndefined();
  });
});
