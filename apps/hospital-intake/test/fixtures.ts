import { randomUUID } from 'node:crypto';
import { gb11643CheckChar } from '../src/discharges/discharge-rules';

/** A valid GB 11643 number for a birth date (county 610902, random sequence). */
export function idNumberFor(birthDate: string, sequence = Math.floor(Math.random() * 999)): string {
  const first17 = `610902${birthDate.replace(/-/g, '')}${String(sequence).padStart(3, '0')}`;
  return first17 + gb11643CheckChar(first17);
}

/** The same number with a wrong check character. */
export function withBadChecksum(id: string): string {
  const wrong = '10X98765432'.split('').find((c) => c !== id[17])!;
  return id.slice(0, 17) + wrong;
}

export const RESIDENCE = '610902001003'; // 汉滨区 老城街道 西大街社区居委会

const hoursAgo = (h: number) => new Date(Date.now() - h * 3_600_000).toISOString();

/** A valid JSON discharge (a new encounter id each call). */
export function discharge(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    encounterId: `ZY-${randomUUID()}`,
    admittedAt: hoursAgo(24 * 40),
    dischargedAt: hoursAgo(2),
    dischargeDisposition: 'home',
    patient: {
      name: '王秀兰',
      idNumber: idNumberFor('1986-05-14'),
      birthDate: '1986-05-14',
      sex: 'female',
      phone: '13991500000',
      address: '汉滨区老城街道西大街 12 号',
      residenceDivisionCode: RESIDENCE,
      lacksCapacity: false,
    },
    diagnoses: [{ code: 'F20.0', primary: true }],
    assessment: {
      riskLevel: 1,
      conditionStatus: 'basically-stable',
      functionalScores: [{ instrument: 'gaf', score: 62 }],
      rehabNeeds: ['day-care', 'social-skills'],
      employmentInterest: true,
    },
    consents: [
      {
        purpose: 'community-rehab',
        grantedBy: 'patient',
        method: 'signed-at-hospital',
        grantedAt: hoursAgo(3),
      },
    ],
    ...overrides,
  };
}

/** A FHIR R4 transaction Bundle as a hospital discharge system would send it. */
export function fhirBundle(
  options: { encounterId?: string; idNumber?: string; end?: string; risk?: number } = {},
): Record<string, unknown> {
  const encounterId = options.encounterId ?? `ZY-${randomUUID()}`;
  const pid = `urn:uuid:${randomUUID()}`;
  const eid = `urn:uuid:${randomUUID()}`;
  const gid = `urn:uuid:${randomUUID()}`;
  const entry = (fullUrl: string, resource: Record<string, unknown>) => ({
    fullUrl,
    resource,
    request: { method: 'POST', url: resource.resourceType },
  });
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: [
      entry(pid, {
        resourceType: 'Patient',
        identifier: [
          { system: 'urn:oid:1.2.156.112604.1.2.1', value: 'MRN0098123', type: { coding: [{ code: 'MR' }] } },
          { system: 'urn:oid:2.16.156.10011.1.3', value: options.idNumber ?? idNumberFor('1979-11-02') },
        ],
        name: [{ use: 'official', text: '陈建国', family: '陈', given: ['建国'] }],
        gender: 'male',
        birthDate: '1979-11-02',
        telecom: [{ system: 'phone', value: '13700000001', use: 'mobile' }],
        address: [
          {
            text: '汉滨区老城街道西大街 8 号',
            district: '汉滨区',
            extension: [
              {
                url: 'https://referral-bus.dev/fhir/StructureDefinition/division-code',
                valueCode: RESIDENCE,
              },
            ],
          },
        ],
      }),
      entry(gid, {
        resourceType: 'RelatedPerson',
        patient: { reference: pid },
        relationship: [
          { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RoleCode', code: 'WIFE' }] },
        ],
        name: [{ text: '刘芳' }],
        telecom: [{ system: 'phone', value: '13700000002' }],
      }),
      entry(eid, {
        resourceType: 'Encounter',
        status: 'finished',
        class: { system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'IMP' },
        identifier: [{ system: 'urn:oid:1.2.156.112604.1.4', value: encounterId }],
        subject: { reference: pid },
        period: { start: hoursAgo(24 * 30), end: options.end ?? hoursAgo(1) },
        hospitalization: {
          dischargeDisposition: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/discharge-disposition', code: 'home' }],
          },
        },
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'Condition',
        clinicalStatus: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
        },
        category: [
          {
            coding: [
              {
                system: 'http://terminology.hl7.org/CodeSystem/condition-category',
                code: 'encounter-diagnosis',
              },
            ],
          },
        ],
        code: {
          coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'F31.1', display: '双相情感障碍' }],
        },
        subject: { reference: pid },
        encounter: { reference: eid },
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'ServiceRequest',
        status: 'active',
        intent: 'order',
        category: [{ text: '社区精神康复转介' }],
        code: {
          coding: [{ system: 'https://referral-bus.dev/fhir/CodeSystem/rehab-service', code: 'day-care' }],
        },
        orderDetail: [
          {
            coding: [
              { system: 'https://referral-bus.dev/fhir/CodeSystem/rehab-service', code: 'family-support' },
            ],
          },
        ],
        subject: { reference: pid },
        encounter: { reference: eid },
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'Observation',
        status: 'final',
        code: {
          coding: [
            { system: 'https://referral-bus.dev/fhir/CodeSystem/discharge-assessment', code: 'risk-level' },
          ],
        },
        subject: { reference: pid },
        valueInteger: options.risk ?? 1,
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'Observation',
        status: 'final',
        code: {
          coding: [
            {
              system: 'https://referral-bus.dev/fhir/CodeSystem/discharge-assessment',
              code: 'condition-status',
            },
          ],
        },
        subject: { reference: pid },
        valueCodeableConcept: {
          coding: [
            { system: 'https://referral-bus.dev/fhir/CodeSystem/discharge-assessment', code: 'stable' },
          ],
        },
      }),
      entry(`urn:uuid:${randomUUID()}`, {
        resourceType: 'Consent',
        status: 'active',
        scope: {
          coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }],
        },
        category: [
          {
            coding: [
              { system: 'https://referral-bus.dev/fhir/CodeSystem/consent-purpose', code: 'community-rehab' },
            ],
          },
        ],
        patient: { reference: pid },
        dateTime: hoursAgo(3),
        performer: [{ reference: pid }],
      }),
    ],
  };
}

const hl7Stamp = (hoursBack: number) =>
  new Date(Date.now() - hoursBack * 3_600_000 + 8 * 3_600_000)
    .toISOString()
    .replace(/[-:T]/g, '')
    .slice(0, 14);

/** `SEG|f1|f2…` with the given fields set (1-based). */
function segment(name: string, fields: Record<number, string>): string {
  const last = Math.max(...Object.keys(fields).map(Number));
  return [name, ...Array.from({ length: last }, (_, i) => fields[i + 1] ?? '')].join('|');
}

/**
 * An ADT^A03 discharge as a HIS sends it (segments separated by CR). `withoutIdNumber`: PID-3 carries only the
 * MRN; `withoutResidence`: PID-11 is empty (what a real HIS often sends: the discharge is held, not refused).
 */
export function adtA03(
  options: {
    encounterId?: string;
    idNumber?: string;
    controlId?: string;
    withoutIdNumber?: boolean;
    withoutResidence?: boolean;
  } = {},
): string {
  const id = options.idNumber ?? idNumberFor('1992-08-20');
  const identifiers = `MRN77123^^^AKZX^MR${options.withoutIdNumber ? '' : `~${id}^^^CHN^NNCHN`}`;
  const address = options.withoutResidence
    ? ''
    : `汉滨区老城街道西大街 3 号^^安康市^陕西省^725000^CHN^H^^${RESIDENCE}`;
  return [
    `MSH|^~\\&|HIS|AKZX|REFERRALBUS|INTAKE|${hl7Stamp(0)}||ADT^A03^ADT_A03|${options.controlId ?? randomUUID().slice(0, 20)}|P|2.5`,
    `EVN|A03|${hl7Stamp(1)}`,
    `PID|1||${identifiers}||赵^磊||19920820|M|||${address}||13809150000`,
    `NK1|1|赵^建华|FTH|汉滨区老城街道西大街 3 号|13809150001`,
    segment('PV1', {
      1: '1',
      2: 'I',
      3: 'PSY^301^02',
      19: options.encounterId ?? `ZY-${randomUUID()}`,
      36: '01',
      44: hl7Stamp(24 * 20),
      45: hl7Stamp(2),
    }),
    `DG1|1||F20.0^偏执型精神分裂症^I10||${hl7Stamp(2)}|F|||||||||1`,
    `OBX|1|NM|RISK_LEVEL^危险性评估^L||2||||||F`,
    `OBX|2|CE|CONDITION_STATUS^病情^L||basically-stable||||||F`,
    `OBX|3|CE|REHAB_NEEDS^康复需求^L||life-skills~vocational-rehab||||||F`,
    `OBX|4|CE|EMPLOYMENT_INTEREST^就业意愿^L||Y||||||F`,
    `OBX|5|NM|SDSS^社会功能缺陷^L||6||||||F`,
    `OBX|6|CE|CONSENT^知情同意^L||community-rehab^patient^${hl7Stamp(3)}||||||F`,
  ].join('\r');
}

/**
 * registration's `referral.registered` for a referral hospital-intake holds, hand-made as registration sends it
 * (the contact sealed for rehab-site: a placeholder hospital-intake never opens).
 */
export function referralRegisteredData(
  referralId: string,
  registeredAt: string,
  ids: { registrationId?: string; patientRef?: string } = {},
): { referralId: string } & Record<string, unknown> {
  return {
    referralId,
    registrationId: ids.registrationId ?? randomUUID(),
    patientRef: ids.patientRef ?? randomUUID(),
    residenceDivisionCode: RESIDENCE,
    needs: ['day-care'],
    riskLevel: 1,
    colourGrade: 'yellow',
    registeredAt,
    sealedContact: {
      alg: 'A256GCM',
      keyId: 'k1',
      iv: 'AAAAAAAAAAAAAAAA',
      tag: 'AAAAAAAAAAAAAAAAAAAAAA',
      ciphertext: 'AAAA',
    },
  };
}

/** rehab-site's `referral.assigned` to `site-1`, hand-made without a county (as older producers sent it). */
export function referralAssignedData(
  referralId: string,
  assignedAt: string,
): { referralId: string } & Record<string, unknown> {
  return {
    referralId,
    siteId: 'site-1',
    siteName: '金星社区精康服务站',
    hop: 1,
    assignedAt,
    answerDueAt: assignedAt,
    needsManualPlacement: false,
  };
}
