import { EVENTS, OPS_ALERT_CODES } from '@app/contracts';
import { ManualClock } from '@app/core';
import { HeldDischargeService } from '../src/discharges/held/held-discharge.service';
import { adtA03, idNumberFor, RESIDENCE } from './fixtures';
import { chineseDischargeBundle } from './fixtures/chinese-fhir-discharge';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const FHIR = { 'content-type': 'application/fhir+json' };
const HL7 = { 'content-type': 'x-application/hl7-v2+er7' };
const ALERT_AFTER_HOURS = 6;

type Outcome = {
  resourceType: string;
  issue: { severity: string; code: string; expression?: string[]; details?: { text?: string } }[];
};
type Held = {
  id: string;
  status: string;
  channel: string;
  messageId: string | null;
  encounterId: string;
  missing: { field: string; at: string; code?: string; detail?: string }[];
  referralId: string | null;
  discharge: { patient: Record<string, unknown> } | null;
};

/** A real-world ADT^A03: the HIS put only its MRN in PID-3 (no ID number) and no address in PID-11. */
const adtWithoutIdAndResidence = (options: { encounterId: string; controlId: string }): string =>
  adtA03({ ...options, withoutIdNumber: true, withoutResidence: true });

const segmentsOf = (ack: string) => ack.split(/\r|\n/).filter(Boolean);

describe('hospital-intake: a discharge that lacks registration data is held, not refused', () => {
  let w: HospitalIntakeHarness;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    w = await startHospitalIntakeHarness(
      { assessmentSweepIntervalMs: 0, held: { alertAfterHours: ALERT_AFTER_HOURS, sweepIntervalMs: 0 } },
      clock,
    );
  });

  afterAll(async () => {
    const logs = w?.service.logs.lines.join('\n') ?? '';
    for (const pii of ['赵磊', '13809150000', '孙文静']) expect(logs).not.toContain(pii);
    await w?.close();
  });

  const get = async (path: string, key = w.keyA) => {
    const response = await fetch(`${w.service.url}${path}`, { headers: { 'x-api-key': key } });
    return { status: response.status, body: await response.json() };
  };
  const heldRows = (encounterId: string) =>
    w.db.query<{ id: string; status: string; sealed_discharge: unknown; referral_id: string | null }>(
      `SELECT id, status, sealed_discharge, referral_id FROM "${w.service.schema}".held_discharge
        WHERE hospital_id = $1 AND encounter_id = $2`,
      [w.hospitalA, encounterId],
    );
  const referralsOf = (encounterId: string) =>
    w.count('referral', 'hospital_id = $1 AND encounter_id = $2', [w.hospitalA, encounterId]);
  const subjectsOf = (referralId: string) => w.lifecycleSubjects(referralId);

  describe('HL7v2 ADT^A03 without the ID number and the residence', () => {
    const encounterId = `ZY-HELD-${Date.now()}`;
    const message = adtWithoutIdAndResidence({ encounterId, controlId: 'HELD0001' });
    let heldId: string;

    it('should keep it once and answer MSA|AA with one ERR of severity W per missing field and the held id', async () => {
      const first = await w.send('/v1/hl7/v2', message, HL7);
      const again = await w.send('/v1/hl7/v2', message, HL7);

      expect(first.status).toBe(202);
      const msa = segmentsOf(first.text).find((s) => s.startsWith('MSA|'))!;
      const match = /^MSA\|AA\|HELD0001\|held ([0-9a-f-]{36}): kept, 2 field\(s\) missing$/.exec(msa);
      expect(match).not.toBeNull();
      heldId = match![1];
      const errs = segmentsOf(first.text).filter((s) => s.startsWith('ERR|'));
      expect(errs).toEqual([
        expect.stringMatching(
          // The MRN is its one identifier (an empty PID-4 was counted as a second).
          /^ERR\|\|PID\^1\^3\|ID_NUMBER_MISSING\^\^HL70357\|W\|\|\|\|held [0-9a-f-]{36}: patient\.idNumber: no resident ID number \(居民身份证号\) among 1 identifier\(s\)/,
        ),
        expect.stringMatching(
          /^ERR\|\|PID\^1\^11\|RESIDENCE_MISSING\^\^HL70357\|W\|\|\|\|held [0-9a-f-]{36}: patient\.residenceDivisionCode: /,
        ),
      ]);
      expect(errs.every((e) => e.includes(`held ${heldId}:`))).toBe(true);
      // The same message again: the same held record, no second one, no referral.
      expect(again.status).toBe(202);
      expect(again.text).toContain(`MSA|AA|HELD0001|held ${heldId}:`);
      const rows = await heldRows(encounterId);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ id: heldId, status: 'held' });
      // Sealed at rest: the patient's name and phone are not readable in the row.
      expect(JSON.stringify(rows[0])).not.toMatch(/赵磊|13809150000/);
      expect(await referralsOf(encounterId)).toBe(0);
    });

    it('should show it, with the patient, only to the hospital that sent it', async () => {
      const own = await get(`/v1/held-discharges/${heldId}`);
      const other = await get(`/v1/held-discharges/${heldId}`, w.keyB);
      const ownList = await get('/v1/held-discharges?status=held&limit=100');
      const otherList = await get('/v1/held-discharges', w.keyB);
      const tooMany = await get('/v1/held-discharges?limit=1001');

      expect(own.status).toBe(200);
      expect(own.body).toMatchObject({
        id: heldId,
        status: 'held',
        channel: 'hl7v2',
        messageId: 'HELD0001',
        encounterId,
        referralId: null,
        missing: [
          { field: 'patient.idNumber', at: 'PID^1^3', code: 'ID_NUMBER_MISSING', detail: expect.any(String) },
          { field: 'patient.residenceDivisionCode', at: 'PID^1^11', code: 'RESIDENCE_MISSING' },
        ],
      });
      expect((own.body as Held).discharge?.patient).toMatchObject({ name: '赵磊', birthDate: '1992-08-20' });
      expect(other.status).toBe(404);
      const items = (ownList.body as { items: Held[] }).items;
      expect(items.map((i) => i.id)).toContain(heldId);
      expect(JSON.stringify(items)).not.toContain('赵磊');
      expect((otherList.body as { items: Held[] }).items.map((i) => i.id)).not.toContain(heldId);
      expect(tooMany.status).toBe(400);
    });

    it('should refuse a completion from another hospital (404) and one that breaks a discharge rule (400)', async () => {
      const fields = { patient: { residenceDivisionCode: RESIDENCE } };
      const other = await w.send(`/v1/held-discharges/${heldId}/completion`, fields, {}, w.keyB);
      const stillMissing = await w.send(`/v1/held-discharges/${heldId}/completion`, fields);

      expect(other.status).toBe(404);
      expect(stillMissing.status).toBe(400);
      expect((stillMissing.body as { errors: { pointer: string }[] }).errors).toContainEqual(
        expect.objectContaining({ pointer: '#/patient/idNumber' }),
      );
      expect((await heldRows(encounterId))[0].status).toBe('held');
      expect(await referralsOf(encounterId)).toBe(0);
    });

    it('should turn the completed discharge into a referral the normal way (referral.assessed), once', async () => {
      const completion = {
        patient: { idNumber: idNumberFor('1992-08-20'), residenceDivisionCode: RESIDENCE },
      };
      const done = await w.send(`/v1/held-discharges/${heldId}/completion`, completion);
      const twice = await w.send(`/v1/held-discharges/${heldId}/completion`, completion);

      expect(done.status).toBe(201);
      const receipt = done.body as { referralId: string; status: string };
      expect(receipt).toMatchObject({ status: 'assessed', encounterId, created: true });
      expect(await subjectsOf(receipt.referralId)).toEqual([
        EVENTS.referralDischarged.subject,
        EVENTS.referralAssessed.subject,
      ]);
      const [row] = await heldRows(encounterId);
      expect(row).toMatchObject({
        status: 'completed',
        referral_id: receipt.referralId,
        sealed_discharge: null,
      });
      expect(twice.status).toBe(409);
      expect(twice.body).toMatchObject({ code: 'HELD_DISCHARGE_COMPLETED', referralId: receipt.referralId });
      expect(await referralsOf(encounterId)).toBe(1);
      // The message sent again now answers the referral.
      const resent = await w.send('/v1/hl7/v2', message, HL7);
      expect(resent.status).toBe(200);
      expect(resent.text).toContain(`MSA|AA|HELD0001|referral ${receipt.referralId}`);
      expect((await get(`/v1/held-discharges/${heldId}`)).body).toMatchObject({
        status: 'completed',
        referralId: receipt.referralId,
        discharge: null,
      });
    });

    it('should hold an ID number that fails its checksum, and still refuse a message with no patient identity at all', async () => {
      const badId = adtA03({
        encounterId: `ZY-HELD-CK-${Date.now()}`,
        controlId: 'HELD0002',
        idNumber: idNumberFor('1992-08-20').slice(0, 17) + 'Y',
      });
      const anonymous = adtWithoutIdAndResidence({
        encounterId: `ZY-HELD-ANON-${Date.now()}`,
        controlId: 'HELD0003',
      })
        .replace('MRN77123^^^AKZX^MR', '')
        .replace('赵^磊', '');

      const held = await w.send('/v1/hl7/v2', badId, HL7);
      const refused = await w.send('/v1/hl7/v2', anonymous, HL7);

      expect(held.status).toBe(202);
      expect(held.text).toMatch(/ERR\|\|PID\^1\^3\^2\|ID_NUMBER_CHECKSUM\^\^HL70357\|W\|/);
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('MSA|AE|HELD0003|');
      expect(refused.text).toMatch(/ERR\|\|PID\^1\^3\|ID_NUMBER_MISSING\^\^HL70357\|E\|/);
      expect(await w.count('held_discharge', 'message_id = $1', ['HELD0003'])).toBe(0);
    });

    it('should still refuse a message that lacks registration data and also has a wrong diagnosis', async () => {
      const message = adtWithoutIdAndResidence({
        encounterId: `ZY-HELD-DX-${Date.now()}`,
        controlId: 'HELD0004',
      }).replace('F20.0^偏执型精神分裂症^I10', 'J45.9^哮喘^I10');

      const refused = await w.send('/v1/hl7/v2', message, HL7);

      expect(refused.status).toBe(400);
      expect(refused.text).toContain('MSA|AE|HELD0004|');
      expect(refused.text).toContain('NO_MENTAL_DISORDER_DIAGNOSIS');
      expect(await w.count('held_discharge', 'message_id = $1', ['HELD0004'])).toBe(0);
    });
  });

  describe('FHIR Bundle without the ID number', () => {
    it('should answer 202 with an OperationOutcome of warnings and the held Location, idempotently, and complete it', async () => {
      const encounterId = `ZYHELDF${Date.now()}`;
      const bundle = chineseDischargeBundle({ withoutIdCard: true, encounterId });

      const first = await w.send('/v1/fhir', bundle, FHIR);
      const again = await w.send('/v1/fhir', bundle, FHIR);

      expect(first.status).toBe(202);
      expect(first.location).toMatch(/^\/v1\/held-discharges\/[0-9a-f-]{36}$/);
      const outcome = first.body as Outcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue.filter((i) => i.severity === 'warning')).toEqual([
        expect.objectContaining({
          code: 'incomplete',
          expression: ['Bundle.entry[0].resource.identifier'],
          details: expect.objectContaining({ text: 'ID_NUMBER_MISSING' }),
        }),
      ]);
      expect(outcome.issue.some((i) => i.severity === 'error')).toBe(false);
      expect(again.status).toBe(202);
      expect(again.location).toBe(first.location);
      expect(await heldRows(encounterId)).toHaveLength(1);

      const done = await w.send(`${first.location!}/completion`, {
        patient: { idNumber: idNumberFor('1984-03-09') },
      });

      // The Bundle carried no assessment: the referral awaits it, as a complete Bundle without one would.
      expect(done.status).toBe(202);
      const receipt = done.body as { referralId: string; status: string };
      expect(receipt.status).toBe('awaiting-assessment');
      expect(await subjectsOf(receipt.referralId)).toEqual([EVENTS.referralDischarged.subject]);
    });
  });

  describe('ops', () => {
    it(`should alert once when a held discharge stays incomplete past ${ALERT_AFTER_HOURS} hours`, async () => {
      const encounterId = `ZY-HELD-ALERT-${Date.now()}`;
      const answer = await w.send(
        '/v1/hl7/v2',
        adtWithoutIdAndResidence({ encounterId, controlId: `ALERT${Date.now()}` }),
        HL7,
      );
      expect(answer.status).toBe(202);
      const [{ id }] = await heldRows(encounterId);
      const sweeper = w.service.app.get(HeldDischargeService);
      const alerts = async () =>
        (
          await w.db.query<{ payload: string }>(
            `SELECT payload FROM "${w.service.schema}".outbox WHERE subject = $1`,
            [EVENTS.opsAlertRaised.subject],
          )
        )
          .map((r) => JSON.parse(r.payload) as { data: { code: string; details: Record<string, unknown> } })
          .filter((e) => e.data.details.heldDischargeId === id);

      await sweeper.sweepIncomplete();
      expect(await alerts()).toHaveLength(0);
      clock.advance((ALERT_AFTER_HOURS * 60 - 1) * 60_000);
      await sweeper.sweepIncomplete();
      expect(await alerts()).toHaveLength(0);
      clock.advance(2 * 60_000);
      await Promise.all([sweeper.sweepIncomplete(), sweeper.sweepIncomplete()]);
      await sweeper.sweepIncomplete();

      const raised = await alerts();
      expect(raised).toHaveLength(1);
      expect(raised[0].data).toMatchObject({
        code: OPS_ALERT_CODES.HELD_DISCHARGE_INCOMPLETE,
        details: { heldDischargeId: id, hospitalId: w.hospitalA, missingFields: 2 },
      });
      expect(JSON.stringify(raised[0])).not.toMatch(/赵磊|13809150000/);
    });
  });
});
