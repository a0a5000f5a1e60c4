import { ApiProperty, ApiPropertyOptions } from '@nestjs/swagger';
import { GuardianDto, PatientIdentityDto } from '@app/contracts';

/**
 * OpenAPI docs of the contracts DTOs the HTTP APIs take as they are (the patient of a hospital discharge and
 * of every other channel's application). libs/contracts holds the validation only and stays free of
 * @nestjs/swagger, so their `@ApiProperty` is applied here, once, before any app builds its document. Every
 * field must be listed: a field added to a contract fails to compile until it is documented.
 */
function documentContract<T extends object>(
  dto: abstract new () => T,
  fields: { readonly [K in keyof Required<T>]: ApiPropertyOptions },
): void {
  for (const [field, options] of Object.entries<ApiPropertyOptions>(fields)) {
    ApiProperty(options)(dto.prototype as object, field);
  }
}

documentContract(GuardianDto, {
  name: { example: '李四', description: 'Guardian (监护人) name; stored sealed.' },
  relationship: { example: 'parent', description: 'spouse, parent, child, sibling, other' },
  phone: { required: false, example: '13800138000' },
});

documentContract(PatientIdentityDto, {
  name: { example: '张三', description: 'Stored sealed, never logged.' },
  idNumber: {
    example: '61090219900307451X',
    description:
      'Resident ID number (GB 11643, checksum verified): 17 digits and a digit or X (a lower-case x is ' +
      'accepted and stored as X).',
  },
  birthDate: { example: '1990-03-07' },
  sex: { enum: ['male', 'female', 'unknown'] },
  phone: { required: false, example: '13900139000' },
  address: { required: false, example: '汉滨区新城街道金星社区 3 栋 2 单元' },
  residenceDivisionCode: {
    example: '610902001001',
    description:
      'Residence division: GB/T 2260 county (6), + township (9), + committee (12 digits). Must exist.',
  },
  lacksCapacity: {
    description: 'The patient lacks capacity to consent: a guardian is then required and only they consent.',
  },
  guardian: { required: false, type: () => GuardianDto },
});
