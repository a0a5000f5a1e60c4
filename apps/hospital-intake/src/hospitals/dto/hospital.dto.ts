import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IdPageQuery } from '@app/platform';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsOptional,
  IsString,
  IsUrl,
  Length,
  Matches,
  ValidateIf,
} from 'class-validator';
import { IsNested, IsOneOf, IsOrgId } from '@app/contracts';
import { Hospital, HOSPITAL_KINDS, HOSPITAL_LEVELS } from '../hospital.types';

export class OnCallContactDto {
  @ApiProperty({ example: '精神科总值班' })
  @IsString()
  @Length(1, 100)
  name: string;

  @ApiProperty({ example: '0915-3212120' })
  @IsString()
  @Matches(/^[0-9+() -]{3,32}$/, { message: '$property must be a phone number' })
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

  @ApiProperty({ description: 'A general hospital with a psychiatric ward takes its own patients back.' })
  hasPsychiatricWard: boolean;

  @ApiProperty({ description: 'Whether it takes green-channel cases.' })
  takesGreenCases: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    description: 'Signed webhook for green cases.',
  })
  webhookUrl: string | null;
}

export function toHospitalDto(h: Hospital): HospitalDto {
  return {
    id: h.id,
    name: h.name,
    level: h.level,
    countyDivisionCode: h.countyDivisionCode,
    kind: h.kind,
    onCall: { name: h.onCall.name, phone: h.onCall.phone },
    hasPsychiatricWard: h.hasPsychiatricWard,
    takesGreenCases: h.takesGreenCases,
    webhookUrl: h.webhookUrl,
  };
}

export class CreateHospitalDto {
  @ApiProperty({ example: 'ak-mental-health-centre' })
  @IsOrgId()
  id: string;

  @ApiProperty() @IsString() @Length(1, 200) name: string;

  @ApiProperty({ enum: HOSPITAL_LEVELS }) @IsOneOf(HOSPITAL_LEVELS) level: (typeof HOSPITAL_LEVELS)[number];

  @ApiProperty({ example: '610902' })
  @Matches(/^\d{6}$/, { message: '$property must be a 6-digit county code' })
  countyDivisionCode: string;

  @ApiProperty({ enum: HOSPITAL_KINDS }) @IsOneOf(HOSPITAL_KINDS) kind: (typeof HOSPITAL_KINDS)[number];

  @ApiProperty({ type: () => OnCallContactDto })
  @IsNested(() => OnCallContactDto)
  onCall: OnCallContactDto;

  @ApiPropertyOptional({ default: false }) @IsOptional() @IsBoolean() hasPsychiatricWard?: boolean;

  @ApiPropertyOptional({ default: true }) @IsOptional() @IsBoolean() takesGreenCases?: boolean;
}

export class UpdateHospitalDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;

  @ApiPropertyOptional({ enum: HOSPITAL_LEVELS })
  @IsOptional()
  @IsOneOf(HOSPITAL_LEVELS)
  level?: (typeof HOSPITAL_LEVELS)[number];

  @ApiPropertyOptional({ enum: HOSPITAL_KINDS })
  @IsOptional()
  @IsOneOf(HOSPITAL_KINDS)
  kind?: (typeof HOSPITAL_KINDS)[number];

  @ApiPropertyOptional({ type: () => OnCallContactDto })
  @IsOptional()
  @IsNested(() => OnCallContactDto)
  onCall?: OnCallContactDto;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() hasPsychiatricWard?: boolean;

  @ApiPropertyOptional() @IsOptional() @IsBoolean() takesGreenCases?: boolean;

  @ApiPropertyOptional({
    type: String,
    format: 'uri',
    nullable: true,
    description:
      'HTTPS endpoint for signed green-case webhooks (http allowed for localhost); null removes it.',
  })
  @IsOptional()
  @ValidateIf((_, v) => v !== null)
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  webhookUrl?: string | null;
}

export class CreatedHospitalDto {
  @ApiProperty({ type: () => HospitalDto }) hospital: HospitalDto;
  @ApiProperty({ description: 'Shown once.' }) apiKey: string;
}

export class UpdatedHospitalDto {
  @ApiProperty({ type: () => HospitalDto }) hospital: HospitalDto;
  @ApiPropertyOptional({ description: 'The new webhook signing secret, shown once when the URL changed.' })
  webhookSecret?: string;
}

export class HospitalListQuery extends IdPageQuery {
  @ApiPropertyOptional({ description: 'Only hospitals of this county.' })
  @IsOptional()
  @Matches(/^\d{6}$/)
  countyDivisionCode?: string;
}

export class DesignationDto {
  @ApiProperty({
    type: [String],
    description: 'Hospital ids in the order the green channel asks them (first is asked first).',
  })
  @IsArray()
  @ArrayMaxSize(20)
  @ArrayUnique()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, {
    each: true,
    message: 'each of $property must be a hospital id',
  })
  hospitalIds: string[];
}

export class DesignatedHospitalsDto {
  @ApiProperty({ example: '610900' }) divisionCode: string;
  @ApiProperty({ type: () => [HospitalDto] }) hospitals: HospitalDto[];
}
