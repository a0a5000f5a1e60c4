import { randomBytes } from 'node:crypto';
import { GuardianDto } from '@app/contracts';
import { waitFor } from '@app/testing';
import { NoticeDispatcher } from '../src/notices/notice-dispatcher.service';
import {
  applicationRow,
  consent,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
} from './harness';

/*
 * The development sender in a file of its own: the log capture is per process (nestjs-pino's root logger is
 * static), so this app must be the only one started in it.
 */

const phone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, '0')}`;
const guardian = (): GuardianDto => ({
  name: `测试监护人${randomBytes(3).toString('hex')}`,
  relationship: 'parent',
  phone: phone(),
});

async function noticesOf(world: RegistrationHarness, registrationId: string) {
  return world.db.query<{ id: string; status: string; recipient_masked: string }>(
    `SELECT id, status, recipient_masked FROM "${world.service.schema}".notice WHERE registration_id = $1
      ORDER BY created_at, recipient_role`,
    [registrationId],
  );
}

describe('notices to patient and guardian: the development sender', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness({
      notices: { sender: 'log', maxAttempts: 3, retryBaseMs: 1_000, dispatchIntervalMs: 0, leaseMs: 60_000 },
    });
  });

  afterAll(async () => {
    await world?.close();
  });

  it('the development sender logs each notice (id, template, masked number) and no PII: no name, ID number or phone', async () => {
    const p = person({ phone: phone(), guardian: guardian() });
    const referralId = await publishAssessed(world, p, [consent()]);
    const { registration_id: registrationId } = await waitFor(() => applicationRow(world, referralId), {
      timeoutMs: 60_000,
    });
    await waitFor(async () => (await noticesOf(world, registrationId)).length === 2, { timeoutMs: 60_000 });
    expect(await world.service.app.get(NoticeDispatcher).dispatch()).toEqual({
      sent: 2,
      retried: 0,
      failed: 0,
    });

    const notices = await noticesOf(world, registrationId);
    expect(notices.map((n) => n.status)).toEqual(['delivered', 'delivered']);
    const lines = world.service.logs.lines;
    for (const n of notices) {
      const line = await waitFor(() => lines.find((l) => l.includes(`notice ${n.id}`)), {
        message: `the log line of notice ${n.id} (${lines.length} lines: ${lines.slice(-3).join(' | ')})`,
      });
      expect(line).toContain('template=assessment-outcome');
      expect(line).toContain(`to=${n.recipient_masked}`);
    }
    const log = lines.join('\n');
    const digits = (s: string) => s.replace(/[^0-9]/g, '');
    for (const pii of [
      p.name,
      p.idNumber,
      p.phone!,
      p.address!,
      p.birthDate,
      p.guardian!.name,
      p.guardian!.phone!,
    ]) {
      expect(log).not.toContain(pii);
    }
    // Nor the numbers in another spelling (digits only) nor the notice text.
    expect(log).not.toContain(digits(p.guardian!.phone!));
    expect(log).not.toContain('康复评估已完成');
  });
});
