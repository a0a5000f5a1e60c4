import { randomUUID } from 'node:crypto';
import { jetstream } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EncryptedFieldDto, EVENTS } from '@app/contracts';
import { sealContext } from '../src/vault/patient-identity';
import { buildEnvelope } from '@app/messaging';
import { SHARED_NATS_URL, waitFor } from '@app/testing';
import {
  applicationRow,
  cipher,
  consent,
  http,
  idNumber,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
  streamEvents,
  verify,
} from './harness';

/** The same person from several channels is one registration. */
describe('registration duplicates across channels', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  const registrationsOfPatient = (registrationId: string) =>
    world.db.count(
      `SELECT count(*) FROM "${world.service.schema}".registration r2
        WHERE r2.patient_id = (SELECT patient_id FROM "${world.service.schema}".registration WHERE id = $1)`,
      [registrationId],
    );
  const allRegistrations = () =>
    world.db.count(`SELECT count(*) FROM "${world.service.schema}".registration`);

  const fileFamily = (patient: ReturnType<typeof person>) =>
    http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient,
      needs: ['family-support'],
    });

  it('should make one registration of a family application followed by the hospital referral', async () => {
    const patient = person();
    const before = await allRegistrations();
    const family = await fileFamily(patient);
    expect(family.status).toBe(201);

    const referralId = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'registered');

    const hospital = (await applicationRow(world, referralId))!;
    expect(hospital.registration_id).toBe(family.body.registrationId);
    expect(await allRegistrations()).toBe(before + 1);
    // Not verified yet when the referral came: it waits for the office, whose verification links it.
    expect((await applicationRow(world, family.body.applicationId as string))!.status).toBe('received');
    expect((await verify(world, family.body.applicationId as string)).body).toMatchObject({
      status: 'merged',
    });
    // The family sees where the person's case stands; the office sees the link.
    const familyNow = await http(
      world,
      'GET',
      `/v1/applications/${family.body.applicationId as string}`,
      world.keys.familyPortal,
    );
    expect(familyNow.body).toMatchObject({ status: 'registered' });
    expect(familyNow.body).not.toHaveProperty('mergedInto');
    const officeNow = await http(
      world,
      'GET',
      `/v1/applications/${family.body.applicationId as string}`,
      world.keys.centre,
    );
    expect(officeNow.body).toMatchObject({ status: 'merged', mergedInto: referralId });
    const registered = (await streamEvents(world)).filter((e) => e.type === EVENTS.referralRegistered.type);
    expect(registered.filter((e) => e.subject === referralId)).toHaveLength(1);
    expect(registered.filter((e) => e.subject === family.body.applicationId)).toHaveLength(0);
  });

  it('should link a family application to the registration the hospital referral created', async () => {
    const patient = person();
    const referralId = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'registered');
    const registrationId = (await applicationRow(world, referralId))!.registration_id;

    // Typed differently by the family: spaces and a lower-case checksum.
    const family = await fileFamily({ ...patient, idNumber: ` ${patient.idNumber.toLowerCase()} `.trim() });

    expect(family.status).toBe(201);
    // The family is told nothing of the link (issue 14): its answer is that of an unknown person.
    expect(family.body).toMatchObject({ status: 'received' });
    for (const hint of ['linkedToExisting', 'linkedBy', 'mergedInto'])
      expect(family.body).not.toHaveProperty(hint);
    // Linked internally, one registration; the office sees the link and its verification files it into the referral.
    expect((await applicationRow(world, family.body.applicationId as string))!.registration_id).toBe(
      registrationId,
    );
    expect(await registrationsOfPatient(registrationId)).toBe(1);
    const verified = await verify(world, family.body.applicationId as string);
    expect(verified.body).toMatchObject({
      registrationId,
      linkedToExisting: true,
      linkedBy: 'id-number',
      status: 'merged',
      mergedInto: referralId,
    });
  });

  it('should not link on name + birth date + county when the ID number differs (a different person)', async () => {
    const patient = person();
    const first = await fileFamily(patient);
    const other = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
      channel: 'village-committee',
      patient: {
        ...patient,
        name: ` ${patient.name} `.replace(/^(.)/, '$1 '),
        idNumber: idNumber(patient.birthDate),
      },
      needs: [],
    });

    expect(other.status).toBe(201);
    expect(other.body.registrationId).not.toBe(first.body.registrationId);
    expect(other.body.patientRef).not.toBe(first.body.patientRef);
    // Each record keeps its own ID number.
    const [row] = await world.db.query<{ id: string; id_number_sealed: EncryptedFieldDto }>(
      `SELECT id, id_number_sealed FROM "${world.service.schema}".patient WHERE id = $1`,
      [first.body.patientRef],
    );
    expect(cipher.open(row.id_number_sealed, sealContext('idNumber', row.id))).toBe(patient.idNumber);
  });

  it('should keep one application when the same discharge arrives under another referral id', async () => {
    const patient = person();
    const first = await publishAssessed(world, patient, [consent()], { encounterId: 'enc-repeat-1' });
    await waitFor(async () => (await applicationRow(world, first))?.status === 'registered');

    const second = await publishAssessed(world, patient, [consent()], { encounterId: 'enc-repeat-1' });
    const third = await publishAssessed(world, person(), [consent()]);

    // Messages are processed per referral in any order; the later, unrelated referral shows the first two are done.
    await waitFor(async () => (await applicationRow(world, third))?.status === 'registered');
    await waitFor(
      async () =>
        (await world.db.count(`SELECT count(*) FROM "${world.service.schema}".inbox WHERE event_type = $1`, [
          EVENTS.referralAssessed.type,
        ])) >= 3,
    );
    expect(await applicationRow(world, second)).toBeUndefined();
  });

  it('should resume the same registration after a green-channel stay, preferring the previous site', async () => {
    const patient = person();
    const firstReferral = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () => (await applicationRow(world, firstReferral))?.status === 'registered');
    const registrationId = (await applicationRow(world, firstReferral))!.registration_id;
    const relapse = buildEnvelope(
      EVENTS.greenRelapseReported,
      'rehab-site',
      {
        referralId: firstReferral,
        siteId: 'site-laocheng',
        observedRiskLevel: 3,
        reportedAt: new Date().toISOString(),
      },
      { subject: firstReferral },
    );
    const nc = await connect({ servers: SHARED_NATS_URL });
    await jetstream(nc).publish(
      world.topology.subject(EVENTS.greenRelapseReported.subject),
      JSON.stringify(relapse),
      {
        msgID: relapse.id,
      },
    );
    await nc.close();
    await waitFor(async () => {
      const view = await http(world, 'GET', `/v1/registrations/${registrationId}`, world.keys.centre);
      return view.body.status === 'green-channel';
    });

    const reReferral = await publishAssessed(world, patient, [consent()], { referralId: randomUUID() });

    await waitFor(async () => (await applicationRow(world, reReferral))?.status === 'registered');
    expect((await applicationRow(world, reReferral))!.registration_id).toBe(registrationId);
    const [event] = await waitFor(async () => {
      const found = (await streamEvents(world)).filter(
        (e) => e.type === EVENTS.referralRegistered.type && e.subject === reReferral,
      );
      return found.length > 0 ? found : undefined;
    });
    expect(event.data).toMatchObject({ registrationId, previousSiteId: 'site-laocheng' });
  });
});
