import { randomUUID } from 'node:crypto';
import { EVENTS, referralSealContext } from '@app/contracts';
import { SECURITY_ALERT_CODE } from '@app/messaging';
import { holdsFor, waitFor } from '@app/testing';
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
    const schema = `"${world.service.schema}"`;
    const [letter] = await waitFor(
      () =>
        world.db
          .query<{ error_code: string; event_type: string }>(
            `SELECT error_code, event_type FROM ${schema}.dead_letter WHERE payload LIKE $1`,
            [`%${moved}%`],
          )
          .then((rows) => (rows.length ? rows : undefined)),
      { message: 'moved patient dead-lettered' },
    );
    expect(letter).toEqual({ error_code: 'PATIENT_SEAL_INVALID', event_type: EVENTS.referralAssessed.type });
    const alerts = await world.db.query<{ payload: string }>(
      `SELECT payload FROM ${schema}.outbox WHERE subject = $1 AND payload LIKE $2`,
      [EVENTS.opsAlertRaised.subject, `%${SECURITY_ALERT_CODE}%`],
    );
    expect(alerts).toHaveLength(1);
    await holdsFor(async () => (await applicationRow(world, moved)) === undefined, 500);
  });
});
