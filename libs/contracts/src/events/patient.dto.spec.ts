import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { ID_NUMBER_PATTERN, PatientIdentityDto } from './patient.dto';

const patient = (idNumber: unknown) =>
  plainToInstance(PatientIdentityDto, {
    name: '张三',
    idNumber,
    birthDate: '1990-03-07',
    sex: 'male',
    residenceDivisionCode: '610902001001',
    lacksCapacity: false,
  });

describe('PatientIdentityDto (the one patient identity of every channel)', () => {
  it.each([
    ['61090219900307451X', '61090219900307451X'],
    ['61090219900307451x', '61090219900307451X'],
    ['610902199003070016', '610902199003070016'],
  ])('should accept %s and keep it as %s', (typed, stored) => {
    const sut = patient(typed);

    expect(validateSync(sut)).toEqual([]);
    expect(sut.idNumber).toBe(stored);
  });

  it.each([
    '61090219860514',
    '6109021990030745xX',
    '61090219900307451Y',
    ' 61090219900307451X',
    610902199003070016,
  ])('should refuse the ID number %p with the message every channel shows', (typed) => {
    const [error] = validateSync(patient(typed));

    expect(error.property).toBe('idNumber');
    expect(Object.values(error.constraints ?? {})).toEqual([
      'idNumber must be 18 characters: 17 digits and a digit or X',
    ]);
  });

  it('should be the one ID number pattern (the intake rules test the same one)', () => {
    expect(ID_NUMBER_PATTERN.test('11010519491231002x')).toBe(true);
    expect(ID_NUMBER_PATTERN.test('1101051949123100')).toBe(false);
  });
});
