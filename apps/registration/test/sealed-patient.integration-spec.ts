import { randomUUID } from 'node:crypto';
import { EVENTS, referralSealContext } from '@app/contracts';
import { SECURITY_ALERT_CODE } from '@app/messaging';
import { deadLetterFor, holdsFor, opsAlertsIn, waitFor } from '@app/testing';
import {
  applicationRow,
  cipher,
  consent,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
} from './harness';

/** The patient block in referral.assessed is bound to its referral: one moved to another referral is refused. */
describe('registration: sealed patient bound to its referral', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  it('should refuse a referral.assessed carrying another referral’s patient: dead letter, security alert, nothing stored', async () => {
    const genuine = await publishAssessed(world, person(), [consent()]);
    await waitFor(async () => (await applicationRow(world, genuine))?.status === 'registered', {
      message: 'genuine referral registered',
    });

    const sniffed = cipher.sealJson(person(), referralSealContext('patient', randomUUID()));
    const moved = await publishAssessed(world, person(), [consent()], { sealedPatient: sniffed });
    const letter = await deadLetterFor(world.db, world.service.schema, moved);
    expect(letter).toMatchObject({
      error_code: 'PATIENT_SEAL_INVALID',
      event_type: EVENTS.referralAssessed.type,
    });
    expect(await opsAlertsIn(world.db, world.service.schema, SECURITY_ALERT_CODE)).toHaveLength(1);
    await holdsFor(async () => (await applicationRow(world, moved)) === undefined, 500);
  });
});
