import { ApiProperty } from '@nestjs/swagger';
import { HOSPITAL_KINDS, HOSPITAL_LEVELS } from '../hospital.types';

export class OnCallContactDto {
  @ApiProperty({ example: '精神科总值班' })
  name: string;

  @ApiProperty({ example: '0915-3212120' })
  phone: string;
}

/** A hospital's registry entry (no credentials). */
export class HospitalDto {
  @ApiProperty({ example: 'ak-mental-health-centre' })
  id: string;

  @ApiProperty({ example: '安康市精神卫生中心' })
  name: string;

  @ApiProperty({ enum: HOSPITAL_LEVELS })
  level: (typeof HOSPITAL_LEVELS)[number];

  @ApiProperty({ example: '610902', description: 'GB/T 2260 county code' })
  countyDivisionCode: string;

  @ApiProperty({ enum: HOSPITAL_KINDS })
  kind: (typeof HOSPITAL_KINDS)[number];

  @ApiProperty({ type: () => OnCallContactDto, description: 'Who the green channel calls' })
  onCall: OnCallContactDto;
}
