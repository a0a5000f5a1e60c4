import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ConsentGrantDto, EVENTS, ReferralConsentsAddedData } from '@app/contracts';
import { buildEnvelope } from '@app/messaging';
import { holdsFor, SHARED_NATS_URL, waitFor } from '@app/testing';
import {
  applicationRow,
  consent,
  http,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
  streamEvents,
} from './harness';

const HOSPITAL = 'ak-hospital-1';

/**
 * Consents a hospital sends after the discharge (referral.consents-added from hospital-intake): recorded for the
 * registration as those of referral.assessed are, and the consent gate decides again.
 */
describe('registration: consents sent by the hospital after the discharge', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  const statusOf = async (id: string) => (await applicationRow(world, id))?.status;

  const published = async (referralId: string, type: string) =>
    (await streamEvents(world)).filter((e) => e.type === type && e.subject === referralId);

  const consentsOf = (referralId: string) =>
    world.db.count(
      `SELECT count(*) FROM "${world.service.schema}".consent c
         JOIN "${world.service.schema}".registration r ON r.patient_id = c.patient_id
         JOIN "${world.service.schema}".application a ON a.registration_id = r.id
        WHERE a.id = $1`,
      [referralId],
    );

  const deadLetters = () => world.db.count(`SELECT count(*) FROM "${world.service.schema}".dead_letter`);

  /**
   * Publishes referral.consents-added as hospital-intake would; `copies` > 1 delivers the very same event again
   * (another Nats-Msg-Id, so JetStream's de-duplication window lets it through: a redelivery the inbox must absorb).
   */
  const publishConsentsAdded = async (referralId: string, consents: ConsentGrantDto[], copies = 1) => {
    const data: ReferralConsentsAddedData = {
      referralId,
      hospitalId: HOSPITAL,
      encounterId: `enc-${referralId.slice(0, 8)}`,
      consents,
      addedAt: new Date().toISOString(),
    };
    const envelope = buildEnvelope(
      EVENTS.referralConsentsAdded,
      EVENTS.referralConsentsAdded.producer,
      data,
      {
        subject: referralId,
      },
    );
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      for (let copy = 0; copy < copies; copy++) {
        await jetstream(nc).publish(
          world.topology.subject(EVENTS.referralConsentsAdded.subject),
          JSON.stringify(envelope),
          { msgID: copy === 0 ? envelope.id : `${envelope.id}/${copy}` },
        );
      }
    } finally {
      await nc.close();
    }
    return envelope.id;
  };

  it('should register an application awaiting consent once the hospital sends the consent, once even if delivered twice', async () => {
    const referralId = await publishAssessed(world, person(), []);
    await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent', {
      message: 'awaiting consent',
    });
    const late = consent({ grantedAt: new Date(Date.now() - 60_000).toISOString() });

    const eventId = await publishConsentsAdded(referralId, [late], 2);

    const [registered] = await waitFor(
      async () => {
        const found = await published(referralId, EVENTS.referralRegistered.type);
        return found.length > 0 ? found : undefined;
      },
      { message: 'referral.registered after the late consent' },
    );
    expect(registered.causationid).toBe(eventId);
    expect(registered.data).toMatchObject({ referralId, validConsents: [{ purpose: 'community-rehab' }] });
    expect(await statusOf(referralId)).toBe('registered');
    // The second delivery of the same event changed nothing: one consent, one referral.registered.
    await holdsFor(
      async () => (await published(referralId, EVENTS.referralRegistered.type)).length === 1,
      1500,
    );
    expect(await consentsOf(referralId)).toBe(1);
    expect(
      await world.db.count(`SELECT count(*) FROM "${world.service.schema}".inbox WHERE event_id = $1`, [
        eventId,
      ]),
    ).toBe(1);
  });

  it('should record nothing twice for the same consent in another event, and dead-letter nothing', async () => {
    const referralId = await publishAssessed(world, person(), []);
    await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
    const late = consent({ grantedAt: new Date(Date.now() - 60_000).toISOString() });
    await publishConsentsAdded(referralId, [late]);
    await waitFor(async () => (await statusOf(referralId)) === 'registered', { message: 'registered' });
    const before = await deadLetters();

    const again = await publishConsentsAdded(referralId, [late]);

    await waitFor(
      async () =>
        (await world.db.count(`SELECT count(*) FROM "${world.service.schema}".inbox WHERE event_id = $1`, [
          again,
        ])) === 1,
      { message: 'the second event handled' },
    );
    expect(await consentsOf(referralId)).toBe(1);
    expect((await published(referralId, EVENTS.referralRegistered.type)).length).toBe(1);
    expect(await deadLetters()).toBe(before);
  });

  it('should wait for referral.assessed when the consents arrive first, then register once', async () => {
    const referralId = randomUUID();
    await publishConsentsAdded(referralId, [consent()]);
    // Nothing to record them on yet: retried, not dropped and not dead-lettered.
    await holdsFor(async () => (await statusOf(referralId)) === undefined, 800);

    await publishAssessed(world, person(), [], { referralId });

    await waitFor(async () => (await statusOf(referralId)) === 'registered', {
      message: 'registered once the application was filed and the consents retried',
      timeoutMs: 20_000,
    });
    expect((await published(referralId, EVENTS.referralRegistered.type)).length).toBe(1);
    expect(await consentsOf(referralId)).toBe(1);
  });

  it('should take no consent for a registration whose consent was withdrawn (a new application is needed)', async () => {
    const referralId = await publishAssessed(world, person(), [consent()]);
    await waitFor(async () => (await statusOf(referralId)) === 'registered');
    const registrationId = (await applicationRow(world, referralId))!.registration_id;
    const withdrawn = await http(
      world,
      'POST',
      `/v1/registrations/${registrationId}/consent-withdrawals`,
      world.keys.centre,
      { purpose: 'community-rehab', withdrawnBy: 'patient' },
    );
    expect(withdrawn.status).toBe(200);
    const before = await deadLetters();

    const eventId = await publishConsentsAdded(referralId, [
      consent({ grantedAt: new Date().toISOString() }),
    ]);

    await waitFor(
      async () =>
        (await world.db.count(`SELECT count(*) FROM "${world.service.schema}".inbox WHERE event_id = $1`, [
          eventId,
        ])) === 1,
      { message: 'handled' },
    );
    expect(await consentsOf(referralId)).toBe(1);
    expect(await statusOf(referralId)).toBe('consent-withdrawn');
    expect(await deadLetters()).toBe(before);
  });

  it('should announce an employment consent sent late for a registered referral to its holders', async () => {
    const referralId = await publishAssessed(world, person(), [consent()]);
    await waitFor(async () => (await statusOf(referralId)) === 'registered');
    const grantedAt = new Date(Date.now() - 30_000).toISOString();

    await publishConsentsAdded(referralId, [consent({ purpose: 'employment', grantedAt })]);

    const [granted] = await waitFor(async () => {
      const found = await published(referralId, EVENTS.referralConsentGranted.type);
      return found.length > 0 ? found : undefined;
    });
    expect(granted.data).toEqual({ referralId, purpose: 'employment', grantedAt });
  });
});
