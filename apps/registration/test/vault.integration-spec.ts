import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { EncryptedFieldDto, EVENTS, referralSealContext } from '@app/contracts';
import { SECURITY_ALERT_CODE } from '@app/messaging';
import { deadLetterFor, holdsFor, opsAlertsIn, TEST_DATABASE_URL, waitFor } from '@app/testing';
import { BLIND_INDEX_CONTEXTS, normaliseIdNumber } from '../src/vault/patient-identity';
import {
  applicationRow,
  cipher,
  consent,
  http,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
} from './harness';

const run = promisify(execFile);

/** The patient vault: what lands on disk is seals and keyed hashes, never a clear name, phone or ID number. */
describe('registration patient vault', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  it('should leave no clear name, phone, ID number, address or guardian in a pg_dump of the schema', async () => {
    const hospitalPatient = person({
      guardian: { name: '监护人戊己', relationship: 'parent', phone: '13712345678' },
    });
    const familyPatient = person({
      lacksCapacity: true,
      guardian: { name: '监护人庚辛', relationship: 'spouse' },
    });
    const referralId = await publishAssessed(world, hospitalPatient, [consent()]);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'registered');
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: familyPatient,
      needs: ['home-support'],
    });
    expect(filed.status).toBe(201);
    const registrationId = (await applicationRow(world, referralId))!.registration_id;
    expect(
      (
        await http(
          world,
          'POST',
          `/v1/registrations/${registrationId}/consent-withdrawals`,
          world.keys.centre,
          {
            purpose: 'community-rehab',
            withdrawnBy: 'patient',
          },
        )
      ).status,
    ).toBe(200);
    // Wait until the outbox has sent everything, so the dump holds the published events too.
    await waitFor(
      async () =>
        (await world.db.count(
          `SELECT count(*) FROM "${world.service.schema}".outbox WHERE published_at IS NULL AND cancelled_at IS NULL`,
        )) === 0,
    );

    const url = new URL(TEST_DATABASE_URL);
    const { stdout: dump } = await run(
      '/usr/bin/pg_dump',
      [
        '--schema',
        world.service.schema,
        '-h',
        url.hostname,
        '-p',
        url.port || '5432',
        '-U',
        decodeURIComponent(url.username || 'postgres'),
        url.pathname.slice(1),
      ],
      { maxBuffer: 64 * 1024 * 1024, env: { ...process.env, PGPASSWORD: decodeURIComponent(url.password) } },
    );

    // The dump really holds these patients: their blind indexes and sealed fields are in it.
    for (const patient of [hospitalPatient, familyPatient]) {
      expect(dump).toContain(
        cipher.blindIndex(normaliseIdNumber(patient.idNumber), BLIND_INDEX_CONTEXTS.idNumber),
      );
    }
    expect(dump).toContain('A256GCM');
    for (const patient of [hospitalPatient, familyPatient]) {
      for (const clear of [
        patient.name,
        patient.idNumber,
        patient.idNumber.slice(0, 17),
        patient.phone!,
        patient.address!,
        patient.guardian!.name,
      ]) {
        expect(dump).not.toContain(clear);
      }
    }
    expect(dump).not.toContain(hospitalPatient.guardian!.phone!);
  });

  it('should dead-letter a referral whose sealed patient does not open, creating nothing', async () => {
    const patient = person();
    const referralId = await publishAssessed(world, patient, [consent()], {
      sealedPatient: cipher.sealJson(patient, 'some.other.context'),
    });

    const [letter] = await waitFor(async () => {
      const rows = await world.db.query<{ error_code: string }>(
        `SELECT error_code FROM "${world.service.schema}".dead_letter WHERE payload LIKE $1`,
        [`%${referralId}%`],
      );
      return rows.length > 0 ? rows : undefined;
    });
    expect(letter.error_code).toBe('PATIENT_SEAL_INVALID');
    expect(await applicationRow(world, referralId)).toBeUndefined();
  });

  it('should refuse a referral.assessed carrying another referral’s patient: dead letter, security alert, nothing stored', async () => {
    const sniffed = cipher.sealJson(person(), referralSealContext('patient', randomUUID()));
    const moved = await publishAssessed(world, person(), [consent()], { sealedPatient: sniffed });

    const letter = await deadLetterFor(world.db, world.service.schema, moved);
    expect(letter).toMatchObject({
      error_code: 'PATIENT_SEAL_INVALID',
      event_type: EVENTS.referralAssessed.type,
    });
    const alerts = await opsAlertsIn(world.db, world.service.schema, SECURITY_ALERT_CODE);
    expect(alerts.some((a) => String(a.summary).includes(EVENTS.referralAssessed.type))).toBe(true);
    await holdsFor(async () => (await applicationRow(world, moved)) === undefined, 500);
  });

  it('should keep one seal per field, each with its key id', async () => {
    const patient = person();
    const referralId = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () => (await applicationRow(world, referralId))?.status === 'registered');

    const [row] = await world.db.query<Record<string, EncryptedFieldDto | null>>(
      `SELECT p.name_sealed, p.id_number_sealed, p.birth_date_sealed, p.phone_sealed, p.address_sealed
         FROM "${world.service.schema}".patient p JOIN "${world.service.schema}".registration r ON r.patient_id = p.id
         JOIN "${world.service.schema}".application a ON a.registration_id = r.id WHERE a.id = $1`,
      [referralId],
    );
    const seals = Object.values(row).filter((s): s is EncryptedFieldDto => s !== null);
    expect(seals).toHaveLength(5);
    expect(new Set(seals.map((s) => s.ciphertext)).size).toBe(5);
    for (const seal of seals) expect(seal).toMatchObject({ alg: 'A256GCM', keyId: 'dev1' });
  });
});
