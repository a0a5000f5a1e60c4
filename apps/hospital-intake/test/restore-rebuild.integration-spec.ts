import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { CONSUMERS, EVENTS, PatientIdentityDto } from '@app/contracts';
import { FieldCipher } from '@app/crypto';
import { JetStreamProvisioner, Topology } from '@app/messaging';
import { SHARED_NATS_URL, waitFor } from '@app/testing';
import { INTAKE_SEAL_CONTEXTS } from '../src/discharges/discharge.service';
import { discharge } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

interface ReferralRow extends Record<string, unknown> {
  id: string;
  channel: string;
  status: string;
  admitted_at: Date | null;
  discharged_at: Date;
  id_number_index: string;
  sealed_patient: { keyId: string };
  consents: unknown[];
  restored_at: Date | null;
}

/**
 * After a database restore, the discharges hospital-intake accepted after the backup exist only as its own
 * events: its whole-stream durable, rewound to before the backup (as `npm run restore:rewind` does), brings
 * their `referral.assessed` back and the referral is rebuilt from it — the hospital reads it again, a re-sent
 * discharge finds it — and nothing is published.
 */
describe('hospital-intake: referrals rebuilt from its own events after a database restore', () => {
  let w: HospitalIntakeHarness;
  let durable: string;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
    durable = new Topology(w.service.namespace).durable(CONSUMERS.hospitalIntakeReferral);
  });

  afterAll(async () => {
    await w?.close();
  });

  const s = () => `"${w.service.schema}"`;
  const referralRow = async (id: string) =>
    (await w.db.query<ReferralRow>(`SELECT * FROM ${s()}.referral WHERE id = $1`, [id]))[0];
  const view = async (referralId: string) => {
    const response = await fetch(`${w.service.url}/v1/referrals/${referralId}`, {
      headers: { 'x-api-key': w.keyA },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  /** How many of its own referral.assessed the durable has handled (the inbox rows of those deliveries). */
  const assessedHandled = async (atLeast: number) =>
    (await w.count('inbox', 'consumer = $1 AND event_type = $2', [durable, EVENTS.referralAssessed.type])) >=
    atLeast;
  const outboxOf = (referralId: string) => w.count('outbox', 'ordering_key = $1', [referralId]);

  /** What a restore to a backup older than these referrals leaves: their rows and their inbox rows gone. */
  const forget = async (referralIds: string[]) => {
    await w.db.query(`DELETE FROM ${s()}.referral_step WHERE referral_id = ANY($1::uuid[])`, [referralIds]);
    await w.db.query(`DELETE FROM ${s()}.discharge_assessment WHERE referral_id = ANY($1::uuid[])`, [
      referralIds,
    ]);
    await w.db.query(`DELETE FROM ${s()}.referral WHERE id = ANY($1::uuid[])`, [referralIds]);
    await w.db.query(`DELETE FROM ${s()}.inbox WHERE consumer = $1`, [durable]);
  };

  const rewind = async (since: Date) => {
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const [rewound] = await new JetStreamProvisioner().rewind(
        jsm,
        new Topology(w.service.namespace),
        [CONSUMERS.hospitalIntakeReferral],
        since,
      );
      return rewound;
    } finally {
      await nc.close();
    }
  };

  it('should rebuild a referral lost with the restore from its own referral.assessed, once, publishing nothing', async () => {
    const before = new Date(Date.now() - 1000);
    const body = discharge();
    const sent = await w.send('/v1/discharges', body);
    expect(sent.status).toBe(201);
    const referralId = (sent.body as { referralId: string }).referralId;
    // Normal operation: its own event is handled, the existing referral is left as it is.
    await waitFor(() => assessedHandled(1), { message: 'own referral.assessed handled' });
    const original = await referralRow(referralId);
    expect(original).toMatchObject({ channel: 'json', status: 'assessed', restored_at: null });
    const published = await outboxOf(referralId);
    expect(published).toBe(3); // discharged, assessed, the hospital's timeline step

    await forget([referralId]);
    expect((await view(referralId)).status).toBe(404);
    const rewound = await rewind(before);
    expect(rewound.redeliver).toBeGreaterThanOrEqual(2);

    const restored = await waitFor(() => referralRow(referralId), { message: 'referral rebuilt' });
    expect(restored).toMatchObject({
      channel: 'restored',
      status: 'assessed',
      admitted_at: null,
      id_number_index: original.id_number_index,
      consents: original.consents,
    });
    expect(restored.restored_at).toBeInstanceOf(Date);
    expect(restored.discharged_at.toISOString()).toBe(original.discharged_at.toISOString());
    // The patient sealed for hospital-intake again, the same identity.
    const cipher = w.service.app.get(FieldCipher);
    const identity = cipher.openJson<PatientIdentityDto>(
      restored.sealed_patient as never,
      INTAKE_SEAL_CONTEXTS.patient,
    );
    expect(identity.idNumber).toBe((body.patient as { idNumber: string }).idNumber);
    expect(
      await w.count('discharge_assessment', `referral_id = $1 AND colour_grade IS NOT NULL`, [referralId]),
    ).toBe(1);

    // The hospital's view is back, with its first timeline step; nothing new was published.
    const seen = await view(referralId);
    expect(seen.status).toBe(200);
    expect(seen.body).toMatchObject({ referralId, channel: 'restored', status: 'assessed' });
    expect((seen.body.timeline as { step: string }[]).map((t) => t.step)).toEqual(['discharged']);
    expect(await outboxOf(referralId)).toBe(published);

    // A re-sent discharge of the same encounter finds it: the same referral, not a second one.
    const resent = await w.send('/v1/discharges', body);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ referralId, created: false, status: 'assessed' });
    expect(await w.count('referral', 'encounter_id = $1', [body.encounterId])).toBe(1);

    // Delivered again (a second rewind): the rebuilt referral stays as it is.
    await w.db.query(`DELETE FROM ${s()}.inbox WHERE consumer = $1`, [durable]);
    await rewind(before);
    await waitFor(() => assessedHandled(1), { message: 'redelivered again' });
    expect(await w.count('referral_step', 'referral_id = $1', [referralId])).toBe(1);
    expect((await referralRow(referralId)).restored_at?.toISOString()).toBe(
      restored.restored_at?.toISOString(),
    );
  });

  it('should record an assessment completed after the backup on the restored referral still awaiting it', async () => {
    const body = discharge();
    delete body.assessment;
    const sent = await w.send('/v1/discharges', body);
    expect(sent.status).toBe(202);
    const referralId = (sent.body as { referralId: string }).referralId;
    const between = new Date();
    const completed = await w.send(`/v1/discharges/${referralId}/assessment`, {
      riskLevel: 2,
      conditionStatus: 'basically-stable',
      rehabNeeds: ['day-care'],
      employmentInterest: false,
    });
    expect(completed.status).toBe(200);
    await waitFor(() => assessedHandled(2), { message: 'own referral.assessed handled' });

    // Restored to a backup taken between the discharge and its assessment.
    await w.db.query(`DELETE FROM ${s()}.discharge_assessment WHERE referral_id = $1`, [referralId]);
    await w.db.query(
      `UPDATE ${s()}.referral SET status = 'awaiting-assessment', missing_assessment = $2 WHERE id = $1`,
      [referralId, ['assessment.riskLevel']],
    );
    await w.db.query(`DELETE FROM ${s()}.inbox WHERE consumer = $1`, [durable]);
    const published = await outboxOf(referralId);
    await rewind(between);

    await waitFor(async () => (await referralRow(referralId)).status === 'assessed', {
      message: 'assessment restored',
    });
    expect(await referralRow(referralId)).toMatchObject({ channel: 'json', restored_at: null });
    expect(
      await w.count(
        'discharge_assessment',
        `referral_id = $1 AND risk_level = 2 AND colour_grade IS NOT NULL`,
        [referralId],
      ),
    ).toBe(1);
    expect(await outboxOf(referralId)).toBe(published);
  });
});
