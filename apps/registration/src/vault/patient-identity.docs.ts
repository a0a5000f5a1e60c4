import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { GuardianDto, PatientIdentityDto } from '@app/contracts';

/*
 * OpenAPI documentation of the contracts' patient identity, which carries no swagger decorators: these classes
 * only describe PatientIdentityDto / GuardianDto for /docs; requests are validated with the contracts' classes.
 */

@ApiSchema({ name: 'GuardianDto' })
export class GuardianDocs extends GuardianDto {
  @ApiProperty({ example: '李四', description: 'Guardian (监护人) name' })
  declare name: string;

  @ApiProperty({ example: 'parent', description: 'spouse, parent, child, sibling, other' })
  declare relationship: string;

  @ApiPropertyOptional({ example: '13900000000' })
  declare phone?: string;
}

@ApiSchema({ name: 'PatientIdentityDto' })
export class PatientIdentityDocs extends PatientIdentityDto {
  @ApiProperty({ example: '张三' })
  declare name: string;

  @ApiProperty({ example: '61090219900307451X', description: 'Resident identity card number (GB 11643)' })
  declare idNumber: string;

  @ApiProperty({ example: '1990-03-07' })
  declare birthDate: string;

  @ApiProperty({ enum: ['male', 'female', 'unknown'] })
  declare sex: 'male' | 'female' | 'unknown';

  @ApiPropertyOptional({ example: '13800000000' })
  declare phone?: string;

  @ApiPropertyOptional({ example: '汉滨区老城街道某路 1 号' })
  declare address?: string;

  @ApiProperty({
    example: '610902001001',
    description: 'Residence division (GB/T 2260 + township + committee)',
  })
  declare residenceDivisionCode: string;

  @ApiProperty({ description: 'The patient lacks capacity to consent: only a guardian may consent' })
  declare lacksCapacity: boolean;

  @ApiPropertyOptional({ type: GuardianDocs })
  declare guardian?: GuardianDocs;
}
