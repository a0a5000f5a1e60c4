import { plainToInstance } from 'class-transformer';
import { ConsentGrantDto, PatientIdentityDto } from '@app/contracts';
import { SubmitDischargeDto } from './dto/submit-discharge.dto';
import {
  compareResend,
  completeFromReferral,
  fieldPath,
  MAX_REFERRAL_CONSENTS,
  NOT_APPLIED_DETAIL,
  ReferralAsReceived,
} from './resend';

const patient: PatientIdentityDto = {
  name: '王秀兰',
  idNumber: '11010519491231002X',
  birthDate: '1949-12-31',
  sex: 'female',
  phone: '13991500000',
  residenceDivisionCode: '610902001003',
  lacksCapacity: false,
};

const consent = (overrides: Partial<ConsentGrantDto> = {}): ConsentGrantDto => ({
  purpose: 'community-rehab',
  grantedBy: 'patient',
  method: 'signed-at-hospital',
  grantedAt: '2026-11-19T15:00:00+08:00',
  ...overrides,
});

const referral = (overrides: Partial<ReferralAsReceived> = {}): ReferralAsReceived => ({
  status: 'assessed',
  restored: false,
  admittedAt: new Date('2026-10-01T01:00:00Z'),
  dischargedAt: new Date('2026-11-19T02:00:00Z'),
  dischargeDisposition: null,
  diagnoses: ['F20.0'],
  patient,
  hospitalIdentifiers: [],
  assessment: {
    riskLevel: 1,
    conditionStatus: 'stable',
    functionalScores: [],
    rehabNeeds: ['day-care'],
    employmentInterest: false,
    assessedAt: new Date('2026-11-19T02:00:00Z'),
  },
  consents: [],
  ...overrides,
});

/** The discharge as first sent (times in China Standard Time, as a hospital writes them). */
const sent = (patch: Record<string, unknown> = {}, patientPatch: Record<string, unknown> = {}) =>
  plainToInstance(SubmitDischargeDto, {
    encounterId: 'E1',
    admittedAt: '2026-10-01T09:00:00+08:00',
    dischargedAt: '2026-11-19T10:00:00+08:00',
    patient: { ...patient, ...patientPatch },
    diagnoses: [{ code: 'F20.0', primary: true }],
    assessment: {
      riskLevel: 1,
      conditionStatus: 'stable',
      rehabNeeds: ['day-care'],
      employmentInterest: false,
    },
    consents: [],
    ...patch,
  });

describe(compareResend.name, () => {
  it('should find nothing in the same discharge sent again', () => {
    expect(compareResend(referral({ consents: [consent()] }), sent({ consents: [consent()] }))).toEqual({
      notApplied: [],
      consentsAdded: [],
    });
  });

  it('should add a consent for a purpose the referral does not have, and a later grant of one it has', () => {
    const employment = consent({ purpose: 'employment', grantedAt: '2026-11-20T09:00:00+08:00' });
    const later = consent({ grantedBy: 'guardian', grantedAt: '2026-11-21T09:00:00+08:00' });
    const outcome = compareResend(
      referral({ consents: [consent()] }),
      sent({ consents: [later, employment] }, { guardian: { name: '王父', relationship: 'parent' } }),
    );

    expect(outcome.consentsAdded).toEqual([later, employment]);
    expect(outcome.notApplied).toEqual([{ pointer: '#/patient/guardian', detail: NOT_APPLIED_DETAIL }]);
  });

  it('should take a consent with a time written another way as the same grant', () => {
    const outcome = compareResend(
      referral({ consents: [consent()] }),
      sent({ consents: [consent({ grantedAt: '2026-11-19T07:00:00Z' })] }),
    );
    expect(outcome).toEqual({ notApplied: [], consentsAdded: [] });
  });

  it('should not take a grant no later than the one recorded for its purpose, naming it', () => {
    const outcome = compareResend(
      referral({ consents: [consent()] }),
      sent({ consents: [consent({ method: 'signed-online' })] }),
    );
    expect(outcome.consentsAdded).toEqual([]);
    expect(outcome.notApplied).toEqual([
      {
        pointer: '#/consents/0',
        detail: expect.stringContaining('only a later grant is taken') as string,
      },
    ]);
  });

  it('should take no consent once the referral has ended', () => {
    const outcome = compareResend(referral({ status: 'cancelled' }), sent({ consents: [consent()] }));
    expect(outcome.consentsAdded).toEqual([]);
    expect(outcome.notApplied).toEqual([
      {
        pointer: '#/consents/0',
        detail: 'the referral is cancelled: it takes no more consents; not applied',
      },
    ]);
  });

  it('should say where a consent goes once registration has ended the referral for want of it', () => {
    const outcome = compareResend(
      referral({ status: 'registration-expired' }),
      sent({ consents: [consent()] }),
    );
    expect(outcome.consentsAdded).toEqual([]);
    expect(outcome.notApplied).toEqual([
      {
        pointer: '#/consents/0',
        detail: expect.stringContaining('a new application to registration (POST /v1/applications') as string,
      },
    ]);
  });

  it('should take no more consents than a referral holds', () => {
    const full = Array.from({ length: MAX_REFERRAL_CONSENTS }, (_, i) =>
      consent({ grantedAt: new Date(Date.UTC(2026, 10, 1, i)).toISOString() }),
    );
    const outcome = compareResend(referral({ consents: full }), sent({ consents: [consent()] }));
    expect(outcome.consentsAdded).toEqual([]);
    expect(outcome.notApplied.map((e) => e.pointer)).toEqual(['#/consents/0']);
  });

  it('should name every other field that differs, in the order of the discharge', () => {
    const outcome = compareResend(
      referral(),
      sent(
        {
          dischargedAt: '2026-11-19T11:00:00+08:00',
          diagnoses: [{ code: 'F31.1' }],
          assessment: {
            riskLevel: 2,
            conditionStatus: 'stable',
            rehabNeeds: ['day-care'],
            employmentInterest: false,
          },
        },
        { name: '王秀英', phone: undefined },
      ),
    );
    expect(outcome.notApplied.map((e) => e.pointer)).toEqual([
      '#/dischargedAt',
      '#/patient/name',
      '#/patient/phone',
      '#/diagnoses',
      '#/assessment/riskLevel',
    ]);
    expect(outcome.consentsAdded).toEqual([]);
  });

  it('should say an assessment sent again does not complete a referral awaiting it, and take its consents', () => {
    const outcome = compareResend(
      referral({ status: 'awaiting-assessment', assessment: undefined }),
      sent({ consents: [consent()] }),
    );
    expect(outcome.notApplied).toEqual([
      { pointer: '#/assessment', detail: expect.stringContaining('awaits its assessment') as string },
    ]);
    expect(outcome.consentsAdded).toEqual([consent()]);
  });

  it('should not compare what a restored referral does not know', () => {
    const outcome = compareResend(
      referral({ restored: true, admittedAt: null, diagnoses: [] }),
      sent({ hospitalIdentifiers: [{ system: 'urn:oid:1.2', value: 'MRN1' }] }),
    );
    expect(outcome).toEqual({ notApplied: [], consentsAdded: [] });
  });
});

describe(completeFromReferral.name, () => {
  it('should take what the message lacks from the referral and leave its faulty consents out', () => {
    const plain = {
      encounterId: 'E1',
      patient: { name: '王秀兰', birthDate: '1949-12-31' },
      consents: [consent({ grantedBy: 'guardian' }), consent({ purpose: 'employment' })],
    };
    const completed = completeFromReferral(
      plain,
      [
        { field: '#/patient/idNumber', detail: 'no resident ID number' },
        { field: '#/consents/0/grantedBy', detail: 'a guardian consent needs patient.guardian' },
      ],
      patient,
    );

    expect(completed.discharge.patient).toEqual({
      name: '王秀兰',
      birthDate: '1949-12-31',
      idNumber: patient.idNumber,
    });
    expect(completed.discharge.consents).toEqual([consent({ purpose: 'employment' })]);
    expect(completed.consentIndex).toEqual([1]);
    expect(completed.notApplied).toEqual([
      { pointer: '#/patient/idNumber', detail: 'no resident ID number' },
      { pointer: '#/consents/0/grantedBy', detail: 'a guardian consent needs patient.guardian' },
    ]);
  });
});

describe(fieldPath.name, () => {
  it('should write a pointer as a path', () => {
    expect(fieldPath('#/patient/name')).toBe('patient.name');
    expect(fieldPath('#/consents/0')).toBe('consents[0]');
    expect(fieldPath('#/patient/guardian/phone')).toBe('patient.guardian.phone');
    expect(fieldPath('#')).toBe('');
  });
});
