import { randomUUID } from 'node:crypto';
import { EncryptedFieldDto, EVENTS } from '@app/contracts';
import { SealError } from '@app/crypto';
import { holdsFor, waitFor } from '@app/testing';
import { sealContext } from '../src/vault/patient-identity';
import {
  applicationRow,
  cipher,
  consent,
  http,
  outboxOf,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
  streamEvents,
} from './harness';

/** Withdrawal at any time stops everything for the patient; nothing is published for them afterwards. */
describe('registration consent withdrawal', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  const withdraw = (registrationId: string) =>
    http(world, 'POST', `/v1/registrations/${registrationId}/consent-withdrawals`, world.keys.centre, {
      purpose: 'community-rehab',
      withdrawnBy: 'patient',
    });

  /** What registration published about these referrals (the stream also holds the test's referral.assessed). */
  const eventsOf = async (referralIds: string[]) =>
    (await streamEvents(world)).filter(
      (e) => e.source === '/registration' && e.subject !== undefined && referralIds.includes(e.subject),
    );

  const patientRow = async (registrationId: string) => {
    const [row] = await world.db.query<{
      id: string;
      name_sealed: EncryptedFieldDto;
      sealed_at: Date | null;
    }>(
      `SELECT p.id, p.name_sealed, p.sealed_at FROM "${world.service.schema}".patient p
         JOIN "${world.service.schema}".registration r ON r.patient_id = p.id WHERE r.id = $1`,
      [registrationId],
    );
    return row;
  };

  it('should stop a registered referral, seal the PII and publish nothing for the patient afterwards', async () => {
    const patient = person();
    const referralId = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () =>
      (await eventsOf([referralId])).some((e) => e.type === EVENTS.referralRegistered.type),
    );
    const registrationId = (await applicationRow(world, referralId))!.registration_id;

    const withdrawn = await withdraw(registrationId);

    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ status: 'consent-withdrawn', sealed: true });
    await waitFor(async () =>
      (await eventsOf([referralId])).some((e) => e.type === EVENTS.referralConsentWithdrawn.type),
    );
    expect(await applicationRow(world, referralId)).toMatchObject({ status: 'consent-withdrawn' });
    // PII: readable only for the statutory record.
    const sealedRow = await patientRow(registrationId);
    expect(sealedRow.sealed_at).not.toBeNull();
    expect(() => cipher.open(sealedRow.name_sealed, sealContext('name', sealedRow.id))).toThrow(SealError);
    expect(cipher.open(sealedRow.name_sealed, sealContext('name', sealedRow.id, true))).toBe(patient.name);

    // Afterwards: the hospital refers the same person again, a consent is offered, time passes.
    const again = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () => (await applicationRow(world, again))?.status === 'refused');
    const offered = await http(
      world,
      'POST',
      `/v1/registrations/${registrationId}/consents`,
      world.keys.centre,
      {
        purpose: 'community-rehab',
        grantedBy: 'patient',
        method: 'recorded-by-community-worker',
        grantedAt: new Date().toISOString(),
      },
    );
    expect(offered.status).toBe(409);
    world.clock.advance(60 * 86_400_000);
    await world.sweeper.sweep();

    // Only the hospital hears that its new referral was refused (no patient data in it); nothing else follows.
    const ids = [referralId, again];
    await waitFor(async () => (await eventsOf(ids)).length === 3);
    await holdsFor(async () => (await eventsOf(ids)).length === 3, 1500);
    const events = await eventsOf(ids);
    expect(events.map((e) => e.type)).toEqual([
      EVENTS.referralRegistered.type,
      EVENTS.referralConsentWithdrawn.type,
      EVENTS.referralApplicationEnded.type,
    ]);
    expect(events[2]).toMatchObject({
      subject: again,
      data: { referralId: again, outcome: 'refused', reasonCode: 'consent-withdrawn-earlier' },
    });
    const outbox = await outboxOf(world, ids);
    expect(outbox.map((o) => o.subject)).toEqual([
      EVENTS.referralRegistered.subject,
      EVENTS.referralConsentWithdrawn.subject,
      EVENTS.referralApplicationEnded.subject,
    ]);
  });

  it('should cancel an unsent referral.registered when consent is withdrawn mid-flight', async () => {
    const patient = person();
    const referralId = randomUUID();
    // An earlier event of this referral is stuck in retry, so everything after it waits in the outbox.
    await world.db.query(
      `INSERT INTO "${world.service.schema}".outbox (id, subject, event_type, ordering_key, payload, next_attempt_at, attempts, last_error)
       VALUES ($1, $2, $3, $4, '{}', now() + interval '1 hour', 3, 'simulated publish timeout')`,
      [
        randomUUID(),
        EVENTS.referralApplicationReceived.subject,
        EVENTS.referralApplicationReceived.type,
        referralId,
      ],
    );
    await publishAssessed(world, patient, [consent()], { referralId });
    await waitFor(async () =>
      (await outboxOf(world, [referralId])).some(
        (o) => o.subject === EVENTS.referralRegistered.subject && o.published_at === null,
      ),
    );
    const registrationId = (await applicationRow(world, referralId))!.registration_id;

    expect((await withdraw(registrationId)).status).toBe(200);

    await waitFor(async () =>
      (await eventsOf([referralId])).some((e) => e.type === EVENTS.referralConsentWithdrawn.type),
    );
    const outbox = await outboxOf(world, [referralId]);
    const registered = outbox.find((o) => o.subject === EVENTS.referralRegistered.subject)!;
    expect(registered.published_at).toBeNull();
    expect(registered.cancelled_at).not.toBeNull();
    await holdsFor(
      async () => !(await eventsOf([referralId])).some((e) => e.type === EVENTS.referralRegistered.type),
      1500,
    );
    expect((await eventsOf([referralId])).map((e) => e.type)).toEqual([EVENTS.referralConsentWithdrawn.type]);
  });

  it('should end an application awaiting consent and never register it', async () => {
    const referralId = await publishAssessed(world, person(), []);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'awaiting-consent');
    const registrationId = (await applicationRow(world, referralId))!.registration_id;

    expect((await withdraw(registrationId)).status).toBe(200);
    world.clock.advance(90 * 86_400_000);
    await world.sweeper.sweep();

    await waitFor(async () =>
      (await eventsOf([referralId])).some((e) => e.type === EVENTS.referralConsentWithdrawn.type),
    );
    await holdsFor(async () => (await eventsOf([referralId])).length === 1, 1000);
    expect(await applicationRow(world, referralId)).toMatchObject({ status: 'consent-withdrawn' });
  });

  it('should not publish a withdrawal for a referral that was never registered (no holder knows it)', async () => {
    const filed = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
      channel: 'village-committee',
      patient: person(),
      needs: ['day-care'],
    });
    expect(filed.status).toBe(201);
    const referralId = filed.body.applicationId as string;
    const registrationId = filed.body.registrationId as string;

    expect((await withdraw(registrationId)).status).toBe(200);

    expect(await applicationRow(world, referralId)).toMatchObject({ status: 'consent-withdrawn' });
    await holdsFor(
      async () =>
        !(await eventsOf([referralId])).some((e) => e.type === EVENTS.referralConsentWithdrawn.type) &&
        (await outboxOf(world, [referralId])).every(
          (o) => o.subject !== EVENTS.referralConsentWithdrawn.subject,
        ),
      1000,
    );
  });

  it('should withdraw an employment consent alone without ending the rehab referral', async () => {
    const referralId = await publishAssessed(world, person(), [
      consent(),
      consent({ purpose: 'employment' }),
    ]);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'registered');
    const registrationId = (await applicationRow(world, referralId))!.registration_id;

    const withdrawn = await http(
      world,
      'POST',
      `/v1/registrations/${registrationId}/consent-withdrawals`,
      world.keys.centre,
      { purpose: 'employment', withdrawnBy: 'patient' },
    );

    expect(withdrawn.body).toMatchObject({ status: 'registered', sealed: false });
    const [event] = await waitFor(async () => {
      const found = (await eventsOf([referralId])).filter(
        (e) => e.type === EVENTS.referralConsentWithdrawn.type,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(event.data).toMatchObject({ purpose: 'employment' });
  });
});
