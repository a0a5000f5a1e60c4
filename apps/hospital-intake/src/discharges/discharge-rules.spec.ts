import { plainToInstance } from 'class-transformer';
import { checkDischargeRules, gb11643CheckChar, isValidIdNumber } from './discharge-rules';
import { SubmitDischargeDto } from './dto/submit-discharge.dto';

const NOW = new Date('2026-11-20T08:00:00Z');
const context = { now: NOW, divisionExists: (code: string) => code.startsWith('6109') };

function command(
  patch: Partial<Record<string, unknown>> = {},
  patient: Record<string, unknown> = {},
): SubmitDischargeDto {
  return plainToInstance(SubmitDischargeDto, {
    encounterId: 'E1',
    admittedAt: '2026-10-01T09:00:00+08:00',
    dischargedAt: '2026-11-19T10:00:00+08:00',
    patient: {
      name: 'x',
      idNumber: '11010519491231002X',
      birthDate: '1949-12-31',
      sex: 'female',
      residenceDivisionCode: '610902',
      lacksCapacity: false,
      ...patient,
    },
    diagnoses: [{ code: 'F20.0' }],
    assessment: { riskLevel: 1, conditionStatus: 'stable', rehabNeeds: [], employmentInterest: false },
    consents: [],
    ...patch,
  });
}

const codes = (c: SubmitDischargeDto) => checkDischargeRules(c, context).map((e) => e.code);

describe('GB 11643 ID numbers', () => {
  it('should accept the standard’s worked example and numbers whose check character is X', () => {
    expect(isValidIdNumber('11010519491231002X')).toBe(true);
    expect(gb11643CheckChar('11010519491231002')).toBe('X');
  });

  it('should refuse a wrong check character, an impossible date and the wrong length', () => {
    expect(isValidIdNumber('110105194912310021')).toBe(false);
    expect(isValidIdNumber('110105194902301230'.slice(0, 17) + gb11643CheckChar('11010519490230123'))).toBe(
      false,
    );
    expect(isValidIdNumber('1101051949123100')).toBe(false);
  });
});

describe(checkDischargeRules.name, () => {
  it('should find nothing wrong in a consistent discharge', () => {
    expect(checkDischargeRules(command(), context)).toEqual([]);
  });

  it.each([
    ['a future discharge', command({ dischargedAt: '2026-11-21T10:00:00+08:00' }), 'DISCHARGE_IN_FUTURE'],
    [
      'admission after discharge',
      command({ admittedAt: '2026-11-19T11:00:00+08:00' }),
      'ADMISSION_AFTER_DISCHARGE',
    ],
    ['an unknown division', command({}, { residenceDivisionCode: '110105' }), 'UNKNOWN_DIVISION'],
    ['a birth date unlike the ID number’s', command({}, { birthDate: '1950-01-01' }), 'BIRTH_DATE_MISMATCH'],
    ['a birth date after admission', command({}, { birthDate: '2026-10-02' }), 'BIRTH_DATE_IMPLAUSIBLE'],
    ['a non-ICD code', command({ diagnoses: [{ code: 'F20.0' }, { code: 'U99' }] }), 'ICD10_FORMAT'],
    ['no F code', command({ diagnoses: [{ code: 'G40.9' }] }), 'NO_MENTAL_DISORDER_DIAGNOSIS'],
    ['incapable patient without guardian', command({}, { lacksCapacity: true }), 'GUARDIAN_REQUIRED'],
  ])('should flag %s', (_, c, code) => {
    expect(codes(c)).toContain(code);
  });

  it('should refuse a discharge whose disposition says the patient died (FHIR exp, HL7 table 0112 20, 40-42)', () => {
    for (const disposition of ['exp', 'EXP', '20', '41']) {
      expect(codes(command({ dischargeDisposition: disposition }))).toEqual(['PATIENT_DECEASED']);
    }
    for (const disposition of ['home', '01', 'oth', 'other-hcf']) {
      expect(codes(command({ dischargeDisposition: disposition }))).toEqual([]);
    }
  });

  it('should tolerate a few minutes of clock skew on the discharge time', () => {
    expect(codes(command({ dischargedAt: '2026-11-20T08:03:00Z' }))).toEqual([]);
  });
});
