import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EventDefinition, EVENTS } from '@app/contracts';
import { buildEnvelope, Topology } from '@app/messaging';
import { SHARED_NATS_URL, waitFor } from '@app/testing';
import { discharge } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

/**
 * A referral registration refused, or linked to the person's existing registration, no longer waits at
 * `awaiting-consent` in the hospital's view: it shows the outcome and the reason, and nothing more.
 */
describe("hospital-intake: a referral that ended at registration, in the hospital's view", () => {
  let w: HospitalIntakeHarness;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
  });

  afterAll(async () => {
    await w?.close();
  });

  const view = async (referralId: string, key = w.keyA) => {
    const response = await fetch(`${w.service.url}/v1/referrals/${referralId}`, {
      headers: { 'x-api-key': key },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  /** An event about a referral, as registration publishes it. */
  const fromRegistration = async <T extends { referralId: string }>(
    definition: EventDefinition<T>,
    data: T,
  ) => {
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const envelope = buildEnvelope(definition, 'registration', data, { subject: data.referralId });
      await jetstream(nc).publish(
        new Topology(w.service.namespace).subject(definition.subject),
        JSON.stringify(envelope),
        { msgID: envelope.id },
      );
    } finally {
      await nc.close();
    }
  };

  it.each([
    ['linked-to-existing', 'already-registered'],
    ['refused', 'consent-withdrawn-earlier'],
  ] as const)('should show %s (%s) instead of awaiting-consent', async (outcome, reasonCode) => {
    const answer = await w.send('/v1/discharges', discharge());
    const referralId = (answer.body as { referralId: string }).referralId;
    expect((await view(referralId)).body).toMatchObject({
      stage: 'awaiting-consent',
      applicationEnded: null,
    });
    const endedAt = new Date().toISOString();

    await fromRegistration(EVENTS.referralApplicationEnded, { referralId, outcome, reasonCode, endedAt });

    const shown = await waitFor(async () => {
      const current = await view(referralId);
      return current.body.stage === outcome ? current.body : undefined;
    });
    expect(shown).toMatchObject({
      status: outcome,
      stage: outcome,
      applicationEnded: { reasonCode, endedAt },
      registeredAt: null,
      assignedSite: null,
    });
    // Nothing about the other registration: no id, site or organisation.
    expect(JSON.stringify(shown)).not.toMatch(/registrationId|siteId|organisation/);
    expect((await view(referralId, w.keyB)).status).toBe(404);
  });

  it('should show registration-expired, and which consent was missing, instead of awaiting-consent for ever', async () => {
    const body: Record<string, unknown> = { ...discharge(), consents: [] };
    const answer = await w.send('/v1/discharges', body);
    const referralId = (answer.body as { referralId: string }).referralId;
    expect((await view(referralId)).body).toMatchObject({ stage: 'awaiting-consent' });
    const expiredAt = new Date().toISOString();

    await fromRegistration(EVENTS.referralRegistrationExpired, {
      referralId,
      registrationId: randomUUID(),
      patientRef: randomUUID(),
      purpose: 'community-rehab',
      awaitingConsentSince: body.dischargedAt as string,
      expiredAt,
    });

    const shown = await waitFor(async () => {
      const current = await view(referralId);
      return current.body.stage === 'registration-expired' ? current.body : undefined;
    });
    expect(shown).toMatchObject({
      status: 'registration-expired',
      applicationEnded: null,
      registeredAt: null,
    });
    expect((shown.timeline as { step: string; code?: string }[]).at(-1)).toMatchObject({
      step: 'registration-expired',
      code: 'community-rehab',
    });
    // A consent sent with the discharge again is not taken: registration has ended the application.
    const resent = await w.send('/v1/discharges', {
      ...body,
      consents: [
        {
          purpose: 'community-rehab',
          grantedBy: 'patient',
          method: 'signed-at-hospital',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      ],
    });
    expect(resent.body).toMatchObject({
      created: false,
      notApplied: [
        expect.objectContaining({
          pointer: '#/consents/0',
          detail: expect.stringContaining('POST /v1/applications') as string,
        }),
      ],
    });
    expect((resent.body as { consentsAdded?: unknown }).consentsAdded).toBeUndefined();
  });
});
