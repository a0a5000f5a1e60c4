import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS, ReferralApplicationEndedData } from '@app/contracts';
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

  const ended = async (data: ReferralApplicationEndedData) => {
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const envelope = buildEnvelope(EVENTS.referralApplicationEnded, 'registration', data, {
        subject: data.referralId,
      });
      await jetstream(nc).publish(
        new Topology(w.service.namespace).subject(EVENTS.referralApplicationEnded.subject),
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

    await ended({ referralId, outcome, reasonCode, endedAt });

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
});
