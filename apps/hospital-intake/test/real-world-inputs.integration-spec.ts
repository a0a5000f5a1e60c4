import iconv from 'iconv-lite';
import { randomUUID } from 'node:crypto';
import { EVENTS } from '@app/contracts';
import { ManualClock, WorkingDayCalendar } from '@app/core';
import { webhookReceiver, waitFor } from '@app/testing';
import { AssessmentService } from '../src/discharges/assessment.service';
import { HospitalService } from '../src/hospitals/hospital.service';
import { idNumberFor } from './fixtures';
import {
  assessmentObservations,
  assessmentQuestionnaire,
  chineseDischargeBundle,
} from './fixtures/chinese-fhir-discharge';
import { AdtOptions, chineseAdtA03, oruR01 } from './fixtures/chinese-hl7v2';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

const FHIR = { 'content-type': 'application/fhir+json' };
const HL7 = { 'content-type': 'x-application/hl7-v2+er7' };

type Outcome = {
  resourceType: string;
  issue: { expression?: string[]; diagnostics?: string; details?: { text?: string } }[];
};
type TransactionResponse = {
  resourceType: string;
  entry: { response: { status: string; location?: string; outcome?: Outcome } }[];
};

describe('hospital-intake: FHIR and HL7v2 as hospital systems send them', () => {
  let w: HospitalIntakeHarness;
  const clock = new ManualClock(new Date());

  beforeAll(async () => {
    w = await startHospitalIntakeHarness(
      { assessmentSweepIntervalMs: 0, assessmentWithinWorkingDays: 3 },
      clock,
    );
  });

  afterAll(async () => {
    const logs = w?.service.logs.lines.join('\n') ?? '';
    for (const pii of ['孙文静', '周桂芳', '13991520417', '李海峰']) expect(logs).not.toContain(pii);
    await w?.close();
  });

  const subjectsOf = (referralId: string) => w.lifecycleSubjects(referralId);
  const referral = async (referralId: string) =>
    (
      await w.db.query<{
        status: string;
        residence_division_code: string;
        diagnoses: string[];
        consents: { purpose: string; grantedBy: string; expiresAt?: string }[];
        sealed_hospital_identifiers: unknown;
      }>(
        `SELECT status, residence_division_code, diagnoses, consents, sealed_hospital_identifiers
           FROM "${w.service.schema}".referral WHERE id = $1`,
        [referralId],
      )
    )[0];
  const locationOf = (body: unknown) =>
    (body as TransactionResponse).entry.find((e) => e.response.location)!.response.location!;
  /** MSH-9 of an ACK and the control id its MSA-2 acknowledges. */
  const ackHeader = (ack: string) => {
    const segments = ack.split(/\r|\n/);
    return {
      type: segments[0].split('|')[8],
      controlId: segments.find((s) => s.startsWith('MSA|'))!.split('|')[2],
    };
  };
  const controlIdOf = (message: string) => message.split(/\r|\n/)[0].split('|')[9];
  const issuesOf = (body: unknown) =>
    (body as Outcome).issue.map((i) => ({
      at: i.expression?.[0],
      code: i.details?.text,
      text: i.diagnostics ?? '',
    }));

  describe('FHIR R4 discharge Bundle', () => {
    it.each(['names', 'text', 'extension'] as const)(
      'should keep a Bundle with the address as %s, the ID-card OID, no assessment and a LOINC consent by a guardian, and route it once assessed',
      async (address) => {
        const answer = await w.send('/v1/fhir', chineseDischargeBundle({ address }), FHIR);

        expect(answer.status).toBe(201);
        const location = locationOf(answer.body);
        expect(answer.location).toBe(location);
        const sr = (answer.body as TransactionResponse).entry.find((e) => e.response.location)!;
        expect(sr.response.outcome?.issue[0]).toMatchObject({ severity: 'warning', code: 'incomplete' });
        // Each missing item as FHIRPath: the Observation code it is read from (not `Observation.riskLevel`).
        expect((sr.response.outcome?.issue[0] as { expression?: string[] }).expression).toEqual(
          expect.arrayContaining([
            "Bundle.entry.resource.ofType(Observation).where(code.coding.code = 'risk-level')",
            "Bundle.entry.resource.ofType(Observation).where(code.coding.code = 'condition-status')",
          ]),
        );
        const referralId = location.split('/')[1];
        const stored = await referral(referralId);
        expect(stored).toMatchObject({ status: 'awaiting-assessment', diagnoses: ['F20.000'] });
        expect(stored.residence_division_code).toBe(address === 'names' ? '610902001' : '610902001003');
        expect(stored.consents).toEqual([
          expect.objectContaining({
            purpose: 'community-rehab',
            grantedBy: 'guardian',
            expiresAt: expect.any(String),
          }),
        ]);
        expect(stored.sealed_hospital_identifiers).not.toBeNull();
        // Kept, not routed: no referral.assessed until the assessment arrives.
        expect(await subjectsOf(referralId)).toEqual([EVENTS.referralDischarged.subject]);

        const completed = await w.send('/v1/fhir', assessmentObservations(location), FHIR);

        expect(completed.status).toBe(200);
        expect(locationOf(completed.body)).toBe(location);
        expect((await referral(referralId)).status).toBe('assessed');
        expect(await subjectsOf(referralId)).toEqual([
          EVENTS.referralDischarged.subject,
          EVENTS.referralAssessed.subject,
        ]);
      },
    );

    it('should keep a discharge Bundle that has no ServiceRequest, answering on its Encounter', async () => {
      const bundle = chineseDischargeBundle({ address: 'text' }) as {
        entry: { resource: { resourceType: string } }[];
      };
      bundle.entry = bundle.entry.filter((e) => e.resource.resourceType !== 'ServiceRequest');

      const answer = await w.send('/v1/fhir', bundle, FHIR);

      expect(answer.status).toBe(201);
      const entries = (answer.body as TransactionResponse).entry;
      expect(entries).toHaveLength(bundle.entry.length);
      const carrier = bundle.entry.findIndex((e) => e.resource.resourceType === 'Encounter');
      expect(entries[carrier].response.location).toBe(answer.location);
      const referralId = answer.location!.split('/')[1];
      expect(await referral(referralId)).toMatchObject({ status: 'awaiting-assessment' });
    });

    it('should take the R4 elements that hold one value (Bundle.identifier, Reference.identifier, Organization.name, Patient.contact.name) and answer a re-sent Bundle once', async () => {
      const bundle = chineseDischargeBundle({ address: 'text' }) as {
        identifier?: unknown;
        entry: { fullUrl: string; resource: Record<string, unknown> }[];
      };
      // As the R4 specification shapes them: Bundle.identifier and Reference.identifier are one Identifier,
      // Organization.name a string, Patient.contact.name one HumanName and its address one Address.
      bundle.identifier = { system: 'urn:oid:1.2.156.112604.1.2.1', value: `DS-${Date.now()}` };
      const organization = `urn:uuid:${randomUUID()}`;
      bundle.entry.push({
        fullUrl: organization,
        resource: {
          resourceType: 'Organization',
          identifier: [{ system: 'urn:oid:2.16.156.10011.1.5', value: '42690320761090211A1001' }],
          name: '安康市精神卫生中心',
          telecom: [{ system: 'phone', value: '0915-3212345' }],
        },
      });
      const patient = bundle.entry.find((e) => e.resource.resourceType === 'Patient')!.resource;
      patient.contact = [
        {
          relationship: [
            { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0131', code: 'N' }] },
          ],
          name: { text: '周桂芳' },
          telecom: [{ system: 'phone', value: '13991520418' }],
          address: { text: '安康市汉滨区老城街道西大街社区' },
        },
      ];
      const encounter = bundle.entry.find((e) => e.resource.resourceType === 'Encounter')!.resource;
      encounter.serviceProvider = {
        reference: organization,
        identifier: { system: 'urn:oid:2.16.156.10011.1.5', value: '42690320761090211A1001' },
        display: '安康市精神卫生中心',
      };

      const answer = await w.send('/v1/fhir', bundle, FHIR);

      expect(answer.status).toBe(201);
      const referralId = locationOf(answer.body).split('/')[1];
      expect(await referral(referralId)).toMatchObject({ status: 'awaiting-assessment' });
      // The same Bundle again (a retry after a lost answer): the same referral, not a second one.
      const again = await w.send('/v1/fhir', bundle, FHIR);
      expect(again.status).toBe(200);
      expect(locationOf(again.body)).toBe(locationOf(answer.body));
    });

    it('should refuse a Bundle whose Encounter says the patient died (discharge-disposition exp), naming it', async () => {
      const bundle = chineseDischargeBundle({ address: 'text' }) as {
        entry: { resource: { resourceType: string; hospitalization?: unknown } }[];
      };
      const encounter = bundle.entry.findIndex((e) => e.resource.resourceType === 'Encounter');
      bundle.entry[encounter].resource.hospitalization = {
        dischargeDisposition: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'exp' }],
        },
      };

      const answer = await w.send('/v1/fhir', bundle, FHIR);

      expect(answer.status).toBe(400);
      expect(issuesOf(answer.body)).toContainEqual({
        at: `Bundle.entry[${encounter}].resource.hospitalization.dischargeDisposition`,
        code: 'PATIENT_DECEASED',
        text: expect.stringContaining('the patient died'),
      });
    });

    it('should resolve an address with the district and the province but no city', async () => {
      const answer = await w.send('/v1/fhir', chineseDischargeBundle({ address: 'no-city' }), FHIR);

      expect(answer.status).toBe(201);
      const referralId = locationOf(answer.body).split('/')[1];
      // 新城街道 of 汉滨区 (陕西省安康市); 新兴社区 is no committee of it in the division data.
      expect((await referral(referralId)).residence_division_code).toBe('610902002');
    });

    it('should keep a Bundle whose residence does not resolve as held, naming the address and the fix', async () => {
      const answer = await w.send('/v1/fhir', chineseDischargeBundle({ address: 'unresolvable' }), FHIR);

      expect(answer.status).toBe(202);
      expect(answer.location).toMatch(/^\/v1\/held-discharges\//);
      const [issue] = issuesOf(answer.body).filter((i) => i.code);
      expect(issue.code).toBe('RESIDENCE_UNRESOLVED');
      expect(issue.at).toBe('Bundle.entry[0].resource.address[0]');
      expect(issue.text).toMatch(/county .*长安区.*send the division code/);
    });

    it('should say the ID number is missing, and where it is expected, instead of a length error (held)', async () => {
      const answer = await w.send('/v1/fhir', chineseDischargeBundle({ withoutIdCard: true }), FHIR);

      expect(answer.status).toBe(202);
      const issues = issuesOf(answer.body).filter((i) => i.code);
      expect(issues).toEqual([
        {
          at: 'Bundle.entry[0].resource.identifier',
          code: 'ID_NUMBER_MISSING',
          text: expect.stringContaining('urn:oid:2.16.156.10011.1.3'),
        },
      ]);
      expect(JSON.stringify(answer.body)).not.toContain('18 characters');
    });

    it('should say an ICD-10 code is required when a diagnosis is coded in SNOMED CT only', async () => {
      const answer = await w.send('/v1/fhir', chineseDischargeBundle({ snomedOnly: true }), FHIR);

      expect(answer.status).toBe(400);
      expect(issuesOf(answer.body)).toEqual([
        {
          at: 'Bundle.entry[3].resource.code',
          code: 'ICD10_REQUIRED',
          text: expect.stringContaining('an ICD-10 code is required'),
        },
      ]);
    });
  });

  describe('HL7v2 ADT^A03 then ORU^R01', () => {
    it.each([
      ['2.3', 'NNCHN'],
      ['2.3.1', 'NI'],
      ['2.4', 'OID'],
      ['2.5', 'NNCHN'],
      ['2.5.1', 'NI'],
      // Later versions keep every field read here; hospitals upgrading their HIS send them.
      ['2.6', 'OID'],
      ['2.7', 'NNCHN'],
      ['2.8.2', 'NI'],
    ] as [AdtOptions['version'], AdtOptions['idForm']][])(
      'should keep a v%s discharge (ID by %s in PID-3, address as names, no OBX) and route it once the ORU^R01 arrives',
      async (version, idForm) => {
        const encounterId = `ZY-${version}-${Date.now()}`;
        const adt = chineseAdtA03({ version, idForm, encounterId, idNumber: idNumberFor('1979-06-15') });

        const answer = await w.send('/v1/hl7/v2', adt, HL7);

        expect(answer.status).toBe(202);
        expect(answer.text).toMatch(
          /MSA\|AA\|[^|]+\|referral [0-9a-f-]{36} awaiting-assessment: send ORU R01/,
        );
        // The whole instruction, deadline included, in an informational ERR (MSA-3 holds 80 characters).
        expect(answer.text).toMatch(
          new RegExp(
            `ERR\\|\\|PV1\\^1\\^19\\|ASSESSMENT_AWAITED\\^\\^HL70357\\|I\\|\\|\\|\\|send ORU R01 with OBX RISK_LEVEL and CONDITION_STATUS for PV1-19 ${encounterId} by \\d{4}-\\d{2}-\\d{2}T`,
          ),
        );
        expect(answer.text).toContain(`|${version}`);
        expect(ackHeader(answer.text)).toEqual({ type: 'ACK^A03^ACK', controlId: controlIdOf(adt) });
        const [row] = await w.db.query<{ id: string; residence_division_code: string }>(
          `SELECT id, residence_division_code FROM "${w.service.schema}".referral WHERE encounter_id = $1`,
          [encounterId],
        );
        expect(row.residence_division_code).toBe('610902001');

        const oruMessage = oruR01({ version, encounterId });
        const oru = await w.send('/v1/hl7/v2', oruMessage, HL7);

        expect(oru.status).toBe(200);
        expect(oru.text).toContain('MSA|AA|');
        // The ACK answers the ORU^R01 (MSH-9.2) and its control id, not an ADT^A03.
        expect(ackHeader(oru.text)).toEqual({ type: 'ACK^R01^ACK', controlId: controlIdOf(oruMessage) });
        expect(await subjectsOf(row.id)).toEqual([
          EVENTS.referralDischarged.subject,
          EVENTS.referralAssessed.subject,
        ]);
        const again = await w.send('/v1/hl7/v2', oruR01({ version, encounterId }), HL7);
        expect(again.text).toMatch(/MSA\|AE\|.*ASSESSMENT_ALREADY_RECORDED/);
      },
    );

    it('should say in HL7 terms where a consent OBX puts its time wrong (held, W at OBX-5.3)', async () => {
      const encounterId = `ZY-OBX-${Date.now()}`;
      // What an integrator guessed: a method component before the time.
      const adt = `${chineseAdtA03({ version: '2.5', encounterId, idNumber: idNumberFor('1979-06-15') })}\rOBX|1|NM|RISK_LEVEL^风险等级^L||1||||||F\rOBX|2|ST|CONDITION_STATUS^病情^L||stable||||||F\rOBX|3|CE|CONSENT^知情同意^L||community-rehab^patient^signed-at-hospital^20261205090000||||||F`;

      const answer = await w.send('/v1/hl7/v2', adt, HL7);

      expect(answer.status).toBe(202);
      const errs = answer.text.split(/\r|\n/).filter((line) => line.startsWith('ERR|'));
      expect(errs).toEqual([
        expect.stringMatching(
          /^ERR\|\|OBX\^3\^5\^3\|CONSENT_TIME_INVALID\^\^HL70357\|W\|.*the time \(OBX-5\.3\) is an HL7 DTM such as 20261127150000 \(found signed-at-hospital\)$/,
        ),
      ]);
      expect(answer.text).not.toContain('RFC 3339');
    });

    it('should refuse (AE) a version before 2.3, naming MSH-12, and keep nothing', async () => {
      const encounterId = `ZY-2.2-${Date.now()}`;
      const adt = chineseAdtA03({ version: '2.5', encounterId, idNumber: idNumberFor('1979-06-15') }).replace(
        '|P|2.5',
        '|P|2.2',
      );

      const answer = await w.send('/v1/hl7/v2', adt, HL7);

      expect(answer.status).toBe(400);
      expect(answer.text).toMatch(/ERR\|\|MSH\^1\^12\|UNSUPPORTED_VERSION\^\^HL70357\|E\|/);
      expect(answer.text).toContain('2.3 to 2.9');
      // Addressed back to the sender (MSH-5/6 its MSH-3/4), with its control id.
      const [ackMsh] = answer.text.split(/\r|\n/);
      const [msgMsh] = adt.split(/\r|\n/);
      expect(ackMsh.split('|').slice(4, 6)).toEqual(msgMsh.split('|').slice(2, 4));
      expect(ackHeader(answer.text).controlId).toBe(controlIdOf(adt));
      expect(await w.count('referral', 'encounter_id = $1', [encounterId])).toBe(0);
      expect(await w.count('held_discharge', 'encounter_id = $1', [encounterId])).toBe(0);
    });

    it('should say which OBX an ORU^R01 carried but does not read (a consent), not drop it without a word', async () => {
      const encounterId = `ZY-OBX-${randomUUID().slice(0, 8)}`;
      const adt = chineseAdtA03({ version: '2.5', encounterId, idNumber: idNumberFor('1979-06-15') });
      expect((await w.send('/v1/hl7/v2', adt, HL7)).status).toBe(202);
      const withConsent = `${oruR01({ version: '2.5', encounterId })}\rOBX|4|CE|CONSENT^知情同意^L||community-rehab^patient^written||||||F`;

      const oru = await w.send('/v1/hl7/v2', withConsent, HL7);

      expect(oru.status).toBe(200);
      expect(oru.text).toContain('MSA|AA|');
      expect(oru.text).toMatch(
        /ERR\|\|OBX\^4\^3\|OBX_NOT_READ\^\^HL70357\|W\|\|\|\|OBX CONSENT is not read on an ORU R01/,
      );
    });
  });

  describe('HL7v2 in GB 18030, as many Chinese HIS send it', () => {
    const gb = (text: string) => iconv.encode(text, 'gb18030');
    const msh18 = (ack: string) => ack.split(/\r|\n/)[0].split('|')[17];

    it.each([
      ['MSH-18 GB 18030-2000', { charset: 'GB 18030-2000' }, HL7],
      ['MSH-18 GBK', { charset: 'GBK' }, HL7],
      ['a charset parameter', {}, { 'content-type': 'x-application/hl7-v2+er7; charset=GB18030' }],
      ['neither (read by its bytes)', {}, HL7],
    ])('should read a discharge named by %s and answer in GB 18030', async (_, named, headers) => {
      const encounterId = `ZY-GB-${randomUUID().slice(0, 8)}`;
      const adt = chineseAdtA03({
        version: '2.5',
        encounterId,
        idNumber: idNumberFor('1979-06-15'),
        ...named,
      });

      const answer = await w.send('/v1/hl7/v2', gb(adt), headers);

      expect(answer.status).toBe(202);
      expect(answer.contentType).toContain('charset=gb18030');
      const ack = iconv.decode(answer.bytes, 'gb18030');
      expect(ack).toMatch(/MSA\|AA\|[^|]+\|referral [0-9a-f-]{36} awaiting-assessment/);
      expect(msh18(ack)).toBe((named as { charset?: string }).charset ?? 'GB 18030-2000');
      // The address read right: 南新街 18 号^老城街道^安康市^陕西省 resolved (garbled, it would be held).
      const [row] = await w.db.query<{ residence_division_code: string }>(
        `SELECT residence_division_code FROM "${w.service.schema}".referral WHERE encounter_id = $1`,
        [encounterId],
      );
      expect(row.residence_division_code).toBe('610902001');
    });

    it('should refuse (AE) bytes that are not the set MSH-18 names, and a set it does not read, naming MSH-18', async () => {
      const adt = (charset: string) =>
        chineseAdtA03({ version: '2.5', idNumber: idNumberFor('1979-06-15'), charset });

      const mislabelled = await w.send('/v1/hl7/v2', gb(adt('UNICODE UTF-8')), HL7);
      const unknown = await w.send('/v1/hl7/v2', Buffer.from(adt('ISO IR87')), HL7);

      for (const answer of [mislabelled, unknown]) {
        expect(answer.status).toBe(400);
        expect(answer.text).toContain('MSA|AE|');
        expect(answer.text).toContain('HL7_MESSAGE_INVALID');
      }
      expect(mislabelled.text).toContain('not in the character set MSH-18 names');
      expect(unknown.text).toContain('MSH-18 "ISO IR87" is not a character set read here');
    });
  });

  describe('HL7v2 PID-11 of a HIS with the district in the city component (XAD-3)', () => {
    const adt = (residence: string, encounterId = `ZY-XAD-${Date.now()}-${Math.random()}`) => ({
      encounterId,
      message: chineseAdtA03({ version: '2.4', encounterId, idNumber: idNumberFor('1979-06-15'), residence }),
    });
    const errsOf = (ack: string) => ack.split(/\r|\n/).filter((s) => s.startsWith('ERR|'));

    it('should resolve 新城街道新兴社区^^汉滨区^陕西省 to the street of the district', async () => {
      const { encounterId, message } = adt('新城街道新兴社区^^汉滨区^陕西省');

      const answer = await w.send('/v1/hl7/v2', message, HL7);

      expect(answer.status).toBe(202);
      expect(answer.text).toMatch(/MSA\|AA\|[^|]+\|referral [0-9a-f-]{36} awaiting-assessment/);
      const [row] = await w.db.query<{ residence_division_code: string }>(
        `SELECT residence_division_code FROM "${w.service.schema}".referral WHERE encounter_id = $1`,
        [encounterId],
      );
      expect(row.residence_division_code).toBe('610902002');
    });

    it('should hold one whose district is in no province named, saying so (RESIDENCE_UNRESOLVED)', async () => {
      // 长安区 is a district of 西安市 (and 石家庄市), not of 甘肃省.
      const { message } = adt('幸福路 5 号^^长安区^甘肃省');

      const answer = await w.send('/v1/hl7/v2', message, HL7);

      expect(answer.status).toBe(202);
      expect(answer.text).toMatch(/MSA\|AA\|[^|]+\|held [0-9a-f-]{36}: kept/);
      expect(errsOf(answer.text)).toEqual([
        expect.stringMatching(
          /^ERR\|\|PID\^1\^11\|RESIDENCE_UNRESOLVED\^\^HL70357\|W\|.*no prefecture \(市\) or county \(县\/区\) is named 长安区 in 甘肃省; check the spelling or send the division code/,
        ),
      ]);
    });

    it('should hold one whose district is in several provinces and no province is given (RESIDENCE_AMBIGUOUS)', async () => {
      const { message } = adt('中山路 1 号^^鼓楼区');

      const answer = await w.send('/v1/hl7/v2', message, HL7);

      expect(answer.status).toBe(202);
      expect(errsOf(answer.text)).toEqual([
        expect.stringMatching(
          /^ERR\|\|PID\^1\^11\|RESIDENCE_AMBIGUOUS\^\^HL70357\|W\|.*鼓楼区 320106, 鼓楼区 320302, 鼓楼区 350102, 鼓楼区 410204.*name the level above it/,
        ),
      ]);
    });
  });

  describe('assessment completed later', () => {
    it('should take the assessment as JSON once, only from the referring hospital', async () => {
      const answer = await w.send('/v1/fhir', chineseDischargeBundle(), FHIR);
      const referralId = locationOf(answer.body).split('/')[1];
      const assessment = {
        riskLevel: 1,
        conditionStatus: 'basically-stable',
        rehabNeeds: ['day-care'],
        employmentInterest: false,
      };

      const other = await w.send(`/v1/discharges/${referralId}/assessment`, assessment, {}, w.keyB);
      const done = await w.send(`/v1/discharges/${referralId}/assessment`, assessment);
      const twice = await w.send(`/v1/discharges/${referralId}/assessment`, assessment);

      expect(other.status).toBe(404);
      expect(done.status).toBe(200);
      expect(done.body).toMatchObject({ status: 'assessed', colourGrade: expect.any(String) });
      expect(twice.status).toBe(409);
      expect((twice.body as { code: string }).code).toBe('ASSESSMENT_ALREADY_RECORDED');
    });

    it('should complete the assessment with a QuestionnaireResponse basedOn the referral or naming its encounter', async () => {
      const first = await w.send('/v1/fhir', chineseDischargeBundle(), FHIR);
      const location = locationOf(first.body);
      const encounterId = `ZYQR${Date.now()}`;
      const second = await w.send('/v1/fhir', chineseDischargeBundle({ encounterId }), FHIR);

      const byBasedOn = await w.send('/v1/fhir', assessmentQuestionnaire({ basedOn: location }), FHIR);
      const byEncounter = await w.send('/v1/fhir', assessmentQuestionnaire({ encounterId }), FHIR);

      expect(byBasedOn.status).toBe(200);
      expect(locationOf(byBasedOn.body)).toBe(location);
      expect(byEncounter.status).toBe(200);
      expect(locationOf(byEncounter.body)).toBe(locationOf(second.body));
      const rows = await w.db.query<{ risk_level: number; condition_status: string }>(
        `SELECT risk_level, condition_status FROM "${w.service.schema}".discharge_assessment WHERE referral_id = $1`,
        [location.split('/')[1]],
      );
      expect(rows).toEqual([{ risk_level: 1, condition_status: 'basically-stable' }]);
      expect((await referral(location.split('/')[1])).status).toBe('assessed');
      expect(await subjectsOf(location.split('/')[1])).toEqual([
        EVENTS.referralDischarged.subject,
        EVENTS.referralAssessed.subject,
      ]);
    });

    it('should name each missing QuestionnaireResponse item and the missing referral in an OperationOutcome', async () => {
      const answer = await w.send(
        '/v1/fhir',
        assessmentQuestionnaire({ encounterId: '' }, { without: ['risk-level', 'condition-status'] }),
        FHIR,
      );

      expect(answer.status).toBe(400);
      expect((answer.body as Outcome).resourceType).toBe('OperationOutcome');
      expect(issuesOf(answer.body)).toEqual([
        expect.objectContaining({
          at: "Bundle.entry[0].resource.item.where(linkId='risk-level')",
          text: expect.stringMatching(/linkId 'risk-level'.*valueInteger 0–5/),
        }),
        expect.objectContaining({
          at: "Bundle.entry[0].resource.item.where(linkId='condition-status')",
          text: expect.stringMatching(/linkId 'condition-status'/),
        }),
        expect.objectContaining({
          at: 'Bundle.entry[0].resource.basedOn',
          text: expect.stringMatching(/basedOn ServiceRequest\/<referralId>/),
        }),
      ]);
    });

    it('should remind the hospital once, one working day before the assessment deadline, by event and webhook, and show it on the referral', async () => {
      const hook = await webhookReceiver();
      const registry = w.service.app.get(HospitalService);
      await registry.update(w.hospitalA, { webhookUrl: hook.url });
      const answer = await w.send('/v1/fhir', chineseDischargeBundle(), FHIR);
      const referralId = locationOf(answer.body).split('/')[1];
      const sweeper = w.service.app.get(AssessmentService);
      const [row] = await w.db.query<{ assessment_due_at: Date; assessment_remind_at: Date }>(
        `SELECT assessment_due_at, assessment_remind_at FROM "${w.service.schema}".referral WHERE id = $1`,
        [referralId],
      );
      const view = async () => {
        const response = await fetch(`${w.service.url}/v1/referrals/${referralId}`, {
          headers: { 'x-api-key': w.keyA },
        });
        return (await response.json()) as {
          assessmentDueAt: string;
          assessmentReminderSentAt: string | null;
        };
      };
      const reminders = async () =>
        (await subjectsOf(referralId)).filter((s) => s === EVENTS.referralAssessmentReminder.subject).length;

      expect(
        new WorkingDayCalendar().workingDaysBetween(row.assessment_remind_at, row.assessment_due_at),
      ).toBe(1);
      await sweeper.sweepReminders();
      expect(await reminders()).toBe(0);
      expect(await view()).toMatchObject({
        assessmentDueAt: row.assessment_due_at.toISOString(),
        assessmentReminderSentAt: null,
      });

      const remindedAt = new Date(row.assessment_remind_at.getTime() + 60_000);
      clock.set(remindedAt);
      // Two replicas sweeping at once, then again: one reminder.
      await Promise.all([sweeper.sweepReminders(), sweeper.sweepReminders()]);
      await sweeper.sweepReminders();
      clock.set(new Date());

      expect(await reminders()).toBe(1);
      expect((await view()).assessmentReminderSentAt).toBe(remindedAt.toISOString());
      // The hospital's webhook gets the same reminder, once.
      const toHook = () =>
        hook.received.filter(
          (r) =>
            r.body.includes(referralId) &&
            r.headers['x-event-type'] === EVENTS.referralAssessmentReminder.type,
        );
      await waitFor(() => toHook().length === 1, { message: 'reminder webhook' });
      await registry.update(w.hospitalA, { webhookUrl: null });
      await hook.close();
      expect(toHook()).toHaveLength(1);
    });

    it('should report a missed working-day deadline once as referral.assessment-overdue', async () => {
      const answer = await w.send('/v1/fhir', chineseDischargeBundle(), FHIR);
      const referralId = locationOf(answer.body).split('/')[1];
      const sweeper = w.service.app.get(AssessmentService);

      await sweeper.sweepOverdue();
      expect(await subjectsOf(referralId)).toEqual([EVENTS.referralDischarged.subject]);
      clock.set(new Date(clock.now().getTime() + 30 * 86_400_000));
      const first = await sweeper.sweepOverdue();
      const second = await sweeper.sweepOverdue();
      clock.set(new Date());

      expect(first).toBeGreaterThanOrEqual(1);
      expect(second).toBe(0);
      expect(await subjectsOf(referralId)).toEqual([
        EVENTS.referralDischarged.subject,
        EVENTS.referralAssessmentOverdue.subject,
      ]);
    });
  });
});
