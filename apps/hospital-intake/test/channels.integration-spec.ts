import { headers as natsHeaders } from '@nats-io/nats-core';
import { connect, NatsConnection } from '@nats-io/transport-node';
import { EVENTS, REQUESTS } from '@app/contracts';
import { Topology } from '@app/messaging';
import { SHARED_NATS_URL } from '@app/testing';
import { adtA03, discharge, fhirBundle, idNumberFor, withBadChecksum } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const FHIR = { 'content-type': 'application/fhir+json' };
const HL7 = { 'content-type': 'x-application/hl7-v2+er7' };

type Outcome = {
  resourceType: string;
  issue: { severity: string; expression?: string[]; details?: { text?: string } }[];
};
type TransactionResponse = {
  resourceType: string;
  type: string;
  entry: { response: { status: string; location: string } }[];
};

describe('hospital-intake: FHIR R4, HL7v2 and NATS channels', () => {
  let w: HospitalIntakeHarness;
  let nc: NatsConnection;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
    nc = await connect({ servers: SHARED_NATS_URL });
  });

  afterAll(async () => {
    // No patient identity from any channel ever reaches the logs.
    const logs = w?.service.logs.lines.join('\n') ?? '';
    for (const pii of ['陈建国', '赵磊', '13700000001', '13809150000', '王秀兰'])
      expect(logs).not.toContain(pii);
    await nc?.close();
    await w?.close();
  });

  const referralsOf = (encounterId: string) =>
    w.count('referral', 'hospital_id = $1 AND encounter_id = $2', [w.hospitalA, encounterId]);
  /** How many referral.consents-added a referral's outbox holds. */
  const consentsAddedOf = (referralId: string) =>
    w.count('outbox', 'ordering_key = $1 AND subject = $2', [
      referralId,
      EVENTS.referralConsentsAdded.subject,
    ]);

  describe('FHIR R4 Bundle', () => {
    it('should accept a hospital transaction Bundle once, and answer the same referral when it is sent again', async () => {
      const bundle = fhirBundle({ encounterId: `ZY-FHIR-${Date.now()}` });
      const first = await w.send('/v1/fhir/Bundle', bundle, FHIR);
      const again = await w.send('/v1/fhir/Bundle', bundle, { 'content-type': 'application/json' });

      expect(first.status).toBe(201);
      expect(first.contentType).toContain('application/fhir+json');
      const response = first.body as TransactionResponse;
      expect(response).toMatchObject({ resourceType: 'Bundle', type: 'transaction-response' });
      // One entry per request entry, in order; the ServiceRequest's carries the referral's location.
      const requested = (bundle.entry as { resource: { resourceType: string } }[]).map(
        (e) => e.resource.resourceType,
      );
      expect(response.entry).toHaveLength(requested.length);
      const at = requested.indexOf('ServiceRequest');
      expect(response.entry[at].response).toMatchObject({ status: '201 Created' });
      expect(response.entry[at].response.location).toMatch(/^ServiceRequest\/[0-9a-f-]{36}$/);
      expect(first.location).toBe(response.entry[at].response.location);
      expect(response.entry.filter((e) => e.response.location)).toHaveLength(1);
      expect(again.status).toBe(200);
      expect((again.body as TransactionResponse).entry[at].response).toEqual({
        status: '200 OK',
        location: response.entry[at].response.location,
      });
      const encounterId = (
        bundle.entry as { resource: { resourceType: string; identifier?: { value: string }[] } }[]
      ).find((e) => e.resource.resourceType === 'Encounter')!.resource.identifier![0].value;
      expect(await referralsOf(encounterId)).toBe(1);
      const [row] = await w.db.query<{ channel: string; diagnoses: string[]; consents: unknown[] }>(
        `SELECT channel, diagnoses, consents FROM "${w.service.schema}".referral WHERE encounter_id = $1`,
        [encounterId],
      );
      expect(row).toMatchObject({ channel: 'fhir', diagnoses: ['F31.1'] });
      expect(row.consents).toHaveLength(1);
    });

    it('should take a Consent signed after the discharge when the Bundle is sent again, and name what it does not apply', async () => {
      const bundle = fhirBundle({ encounterId: `ZY-FHIR-LATE-${Date.now()}` });
      type Entry = { resource: { resourceType: string } & Record<string, unknown> };
      const entries = bundle.entry as Entry[];
      const first = await w.send(
        '/v1/fhir',
        { ...bundle, entry: entries.filter((e) => e.resource.resourceType !== 'Consent') },
        FHIR,
      );
      expect(first.status).toBe(201);
      const referralId = first.location!.replace('ServiceRequest/', '');

      // The whole Bundle again, with the Consent signed since and the patient's name written another way.
      const renamed = entries.map((e, i) =>
        i === 0 ? { ...e, resource: { ...e.resource, name: [{ text: '陈建华' }] } } : e,
      );
      const again = await w.send('/v1/fhir', { ...bundle, entry: renamed }, FHIR);

      expect(again.status).toBe(200);
      const at = entries.findIndex((e) => e.resource.resourceType === 'ServiceRequest');
      const consentAt = entries.findIndex((e) => e.resource.resourceType === 'Consent');
      const response = (again.body as { entry: { response: { outcome?: Outcome } }[] }).entry[at].response;
      expect(response.outcome).toEqual({
        resourceType: 'OperationOutcome',
        issue: [
          {
            severity: 'information',
            code: 'informational',
            details: {
              coding: [{ system: 'https://referral-bus.dev/problems', code: 'CONSENT_ADDED' }],
              text: 'CONSENT_ADDED',
            },
            diagnostics: expect.stringMatching(
              new RegExp(
                `^consent added to referral ${referralId}: community-rehab, by the patient, granted `,
              ),
            ) as string,
            expression: [`Bundle.entry[${consentAt}].resource`],
          },
          {
            severity: 'warning',
            code: 'business-rule',
            details: {
              coding: [{ system: 'https://referral-bus.dev/problems', code: 'NOT_APPLIED' }],
              text: 'NOT_APPLIED',
            },
            diagnostics: 'patient.name: differs from the referral as first received; not applied',
            expression: ['Bundle.entry[0].resource.name'],
          },
        ],
      });
      expect(await consentsAddedOf(referralId)).toBe(1);
      // Sent a third time: the Consent is the referral's already, so only the name is named.
      const third = await w.send('/v1/fhir', { ...bundle, entry: renamed }, FHIR);
      const issues = (third.body as { entry: { response: { outcome?: Outcome } }[] }).entry[at].response
        .outcome!.issue;
      expect(issues.map((i) => i.severity)).toEqual(['warning']);
      expect(await consentsAddedOf(referralId)).toBe(1);
    });

    it('should create one referral for concurrent copies of one Bundle', async () => {
      const encounterId = `ZY-FHIR-C-${Date.now()}`;
      const bundle = fhirBundle({ encounterId });
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => w.send('/v1/fhir/Bundle', bundle, FHIR)),
      );

      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(await referralsOf(encounterId)).toBe(1);
    });

    it('should answer a Bundle without an Encounter with an OperationOutcome naming it', async () => {
      const bundle = fhirBundle();
      const entries = bundle.entry as { resource: { resourceType: string } }[];
      const answer = await w.send(
        '/v1/fhir/Bundle',
        { ...bundle, entry: entries.filter((e) => e.resource.resourceType !== 'Encounter') },
        FHIR,
      );

      expect(answer.status).toBe(400);
      const outcome = answer.body as Outcome;
      expect(outcome.resourceType).toBe('OperationOutcome');
      expect(outcome.issue[0].expression).toEqual(['Bundle.entry.resource.ofType(Encounter)']);
      expect(outcome.issue[0].details?.text).toBe('FHIR_BUNDLE_INVALID');
    });

    it('should keep a Bundle whose ID number fails its checksum as held, naming the Patient identifier, and refer nothing', async () => {
      const encounterId = `ZY-FHIR-BAD-${Date.now()}`;
      const answer = await w.send(
        '/v1/fhir/Bundle',
        fhirBundle({ encounterId, idNumber: withBadChecksum(idNumberFor('1979-11-02')) }),
        FHIR,
      );

      expect(answer.status).toBe(202);
      const outcome = answer.body as Outcome;
      expect(outcome.issue).toContainEqual(
        expect.objectContaining({
          severity: 'warning',
          expression: ['Bundle.entry[0].resource.identifier[1].value'],
          details: expect.objectContaining({ text: 'ID_NUMBER_CHECKSUM' }),
        }),
      );
      expect(await referralsOf(encounterId)).toBe(0);
    });

    it('should name Encounter.period.end for a future discharge', async () => {
      const encounterId = `ZY-FHIR-FUT-${Date.now()}`;
      const answer = await w.send(
        '/v1/fhir/Bundle',
        fhirBundle({ encounterId, end: new Date(Date.now() + 86_400_000).toISOString() }),
        FHIR,
      );

      expect(answer.status).toBe(400);
      expect((answer.body as Outcome).issue).toContainEqual(
        expect.objectContaining({ expression: ['Bundle.entry[2].resource.period.end'] }),
      );
      expect(await referralsOf(encounterId)).toBe(0);
    });

    it('should answer a body that is not a Bundle, or the wrong content type, with an OperationOutcome', async () => {
      const patient = await w.send('/v1/fhir/Bundle', { resourceType: 'Patient' }, FHIR);
      const xml = await w.send('/v1/fhir/Bundle', '<Bundle/>', { 'content-type': 'application/fhir+xml' });

      expect(patient.status).toBe(400);
      expect((patient.body as Outcome).issue[0].expression).toEqual(['Bundle']);
      expect(xml.status).toBe(415);
      expect((xml.body as Outcome).resourceType).toBe('OperationOutcome');
    });
  });

  describe('HL7v2 ADT^A03 over HTTP', () => {
    it('should accept a discharge message with MSA|AA once and acknowledge a resend with the same referral', async () => {
      const encounterId = `ZY-HL7-${Date.now()}`;
      const message = adtA03({ encounterId, controlId: 'MSG00001' });
      const first = await w.send('/v1/hl7/v2', message, HL7);
      const again = await w.send('/v1/hl7/v2', message.replace(/\r/g, '\n'), {
        'content-type': 'text/plain',
      });

      expect(first.status).toBe(201);
      expect(first.text).toMatch(/^MSH\|\^~\\&\|REFERRAL-BUS\|HOSPITAL-INTAKE\|HIS\|AKZX\|/);
      expect(first.text).toContain('MSA|AA|MSG00001|referral ');
      expect(again.status).toBe(200);
      expect(again.text.split('MSA|AA|MSG00001|')[1]).toBe(first.text.split('MSA|AA|MSG00001|')[1]);
      expect(await referralsOf(encounterId)).toBe(1);
      const [row] = await w.db.query<{
        channel: string;
        diagnoses: string[];
        risk_level: number;
        rehab_needs: string[];
      }>(
        `SELECT r.channel, r.diagnoses, a.risk_level, a.rehab_needs FROM "${w.service.schema}".referral r
           JOIN "${w.service.schema}".discharge_assessment a ON a.referral_id = r.id WHERE r.encounter_id = $1`,
        [encounterId],
      );
      expect(row).toMatchObject({
        channel: 'hl7v2',
        diagnoses: ['F20.0'],
        risk_level: 2,
        rehab_needs: ['life-skills', 'vocational-rehab'],
      });
    });

    it('should take an OBX CONSENT sent with the ADT^A03 again: ERR of severity I at the OBX, W for a changed name', async () => {
      const encounterId = `ZY-HL7-LATE-${Date.now()}`;
      const message = adtA03({ encounterId, controlId: 'LATE0001' });
      const withoutConsent = message
        .split('\r')
        .filter((segment) => !segment.includes('|CONSENT^'))
        .join('\r');
      const first = await w.send('/v1/hl7/v2', withoutConsent, HL7);
      expect(first.status).toBe(201);
      const referralId = /MSA\|AA\|LATE0001\|referral ([0-9a-f-]{36})/.exec(first.text)![1];

      const again = await w.send(
        '/v1/hl7/v2',
        message.replace('|LATE0001|', '|LATE0002|').replace('||赵^磊||', '||赵^蕾||'),
        HL7,
      );

      expect(again.status).toBe(200);
      const segments = again.text.split('\r');
      expect(segments).toContain(`MSA|AA|LATE0002|referral ${referralId}: 1 consent added, 1 not applied`);
      expect(segments.filter((s) => s.startsWith('ERR|'))).toEqual([
        expect.stringMatching(
          new RegExp(
            `^ERR\\|\\|OBX\\^6\\^5\\|CONSENT_ADDED\\^\\^HL70357\\|I\\|\\|\\|\\|consent added to referral ${referralId}: community-rehab, by the patient, granted .+; registration applies the consent gate again$`,
          ),
        ),
        'ERR||PID^1^5|NOT_APPLIED^^HL70357|W||||patient.name: differs from the referral as first received; not applied',
      ]);
      expect(await consentsAddedOf(referralId)).toBe(1);
    });

    it('should take a consent from a message that still lacks the ID number, for an encounter referred since', async () => {
      const encounterId = `ZY-HL7-HELD-LATE-${Date.now()}`;
      const message = adtA03({ encounterId, controlId: 'HLATE001', withoutIdNumber: true });
      const withoutConsent = message
        .split('\r')
        .filter((segment) => !segment.includes('|CONSENT^'))
        .join('\r');
      const held = await w.send('/v1/hl7/v2', withoutConsent, HL7);
      expect(held.status).toBe(202);
      const heldId = /MSA\|AA\|HLATE001\|held ([0-9a-f-]{36})/.exec(held.text)![1];
      const completed = await w.send(`/v1/held-discharges/${heldId}/completion`, {
        patient: { idNumber: idNumberFor('1992-08-20') },
      });
      expect(completed.status).toBe(201);
      const referralId = (completed.body as { referralId: string }).referralId;

      // The HIS sends the discharge again with the consent, and still without the ID number.
      const again = await w.send('/v1/hl7/v2', message.replace('|HLATE001|', '|HLATE002|'), HL7);

      expect(again.status).toBe(200);
      const segments = again.text.split('\r');
      expect(segments).toContain(`MSA|AA|HLATE002|referral ${referralId}: 1 consent added, 1 not applied`);
      expect(segments.filter((s) => s.startsWith('ERR|'))).toEqual([
        expect.stringMatching(/^ERR\|\|OBX\^6\^5\|CONSENT_ADDED\^\^HL70357\|I\|/),
        expect.stringMatching(
          /^ERR\|\|PID\^1\^3\|NOT_APPLIED\^\^HL70357\|W\|\|\|\|patient\.idNumber: no resident ID number/,
        ),
      ]);
      expect(await consentsAddedOf(referralId)).toBe(1);
      expect(await w.count('held_discharge', 'encounter_id = $1', [encounterId])).toBe(1);
    });

    it('should create one referral for concurrent copies of one message', async () => {
      const encounterId = `ZY-HL7-C-${Date.now()}`;
      const message = adtA03({ encounterId });
      const answers = await Promise.all(Array.from({ length: 6 }, () => w.send('/v1/hl7/v2', message, HL7)));

      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      expect(answers.every((a) => a.text.includes('MSA|AA|'))).toBe(true);
      expect(await referralsOf(encounterId)).toBe(1);
    });

    it('should hold a message with a bad ID checksum: MSA|AA with a W ERR at PID-3, and no referral', async () => {
      const encounterId = `ZY-HL7-BAD-${Date.now()}`;
      const answer = await w.send(
        '/v1/hl7/v2',
        adtA03({ encounterId, controlId: 'MSG00002', idNumber: withBadChecksum(idNumberFor('1992-08-20')) }),
        HL7,
      );

      expect(answer.status).toBe(202);
      expect(answer.text).toContain('MSA|AA|MSG00002|held ');
      expect(answer.text).toMatch(/ERR\|\|PID\^1\^3\^2\|ID_NUMBER_CHECKSUM\^\^HL70357\|W/);
      expect(await referralsOf(encounterId)).toBe(0);
    });

    it('should still refuse (MSA|AE) a discharge in the future, naming PV1-45, and keep nothing', async () => {
      const encounterId = `ZY-HL7-FUT-${Date.now()}`;
      const message = adtA03({ encounterId, controlId: 'MSG00004' }).replace(
        /^(PV1(?:\|[^|\r]*){44})\|[^|\r]*/m,
        (_, head: string) => `${head}|20991231120000`,
      );
      const answer = await w.send('/v1/hl7/v2', message, HL7);

      expect(answer.status).toBe(400);
      expect(answer.text).toContain('MSA|AE|MSG00004|');
      expect(answer.text).toMatch(/ERR\|\|PV1\^1\^45\|DISCHARGE_IN_FUTURE\^\^HL70357\|E/);
      expect(await referralsOf(encounterId)).toBe(0);
      expect(await w.count('held_discharge', 'encounter_id = $1', [encounterId])).toBe(0);
    });

    it('should answer MSA|AE for text that is not HL7, another message type, or refuse JSON with 415', async () => {
      const garbage = await w.send('/v1/hl7/v2', 'hello', HL7);
      const a01 = await w.send(
        '/v1/hl7/v2',
        adtA03({ controlId: 'MSG00003' }).replace('ADT^A03^ADT_A03', 'ADT^A01^ADT_A01'),
        HL7,
      );
      const json = await w.send('/v1/hl7/v2', { message: adtA03() });

      expect(garbage.status).toBe(400);
      expect(garbage.text).toContain('MSA|AE|');
      expect(a01.status).toBe(400);
      expect(a01.text).toMatch(/MSA\|AE\|MSG00003\|[\s\S]*ERR\|\|MSH\^1\^9\|/);
      expect(json.status).toBe(415);
    });
  });

  describe('NATS request/reply intake.discharge.submit', () => {
    const subject = () => new Topology(w.service.namespace).subject(REQUESTS.intakeDischargeSubmit.subject);
    const request = async (body: unknown, key?: string) => {
      const h = natsHeaders();
      if (key) h.set('X-API-Key', key);
      const reply = await nc.request(subject(), JSON.stringify(body), { timeout: 5000, headers: h });
      return reply.json<{
        ok: boolean;
        status: number;
        code?: string;
        referral?: { referralId: string };
        errors?: { pointer: string; code?: string }[];
      }>();
    };

    it('should accept a discharge from a hospital on the bus once, including concurrent duplicates', async () => {
      const body = discharge();
      const answers = await Promise.all(Array.from({ length: 5 }, () => request(body, w.keyA)));

      expect(answers.every((a) => a.ok)).toBe(true);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 200, 200, 200, 201]);
      expect(new Set(answers.map((a) => a.referral!.referralId)).size).toBe(1);
      expect(await referralsOf(body.encounterId as string)).toBe(1);
    });

    it('should reply with the errors for an invalid discharge and 401 without a key', async () => {
      const bad = discharge({
        patient: { ...(discharge().patient as object), idNumber: withBadChecksum(idNumberFor('1986-05-14')) },
      });
      const invalid = await request(bad, w.keyA);
      const anonymous = await request(discharge());

      expect(invalid).toMatchObject({ ok: false, status: 400, code: 'VALIDATION_FAILED' });
      expect(invalid.errors).toContainEqual(
        expect.objectContaining({ pointer: '#/patient/idNumber', code: 'ID_NUMBER_CHECKSUM' }),
      );
      expect(anonymous).toMatchObject({ ok: false, status: 401, code: 'UNAUTHENTICATED' });
      expect(await referralsOf(bad.encounterId as string)).toBe(0);
    });
  });
});
