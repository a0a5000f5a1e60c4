import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import {
  APPLICATION_CHANNELS,
  ApplicationChannel,
  COLOUR_GRADES,
  ColourGrade,
  CONDITION_STATUSES,
  ConditionStatus,
  CONSENT_PURPOSES,
  ConsentPurpose,
  IsDivisionCode,
  IsListOf,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsOrgId,
  IsRiskLevel,
  IsTimestamp,
  REHAB_SERVICES,
  RehabService,
} from '@app/contracts';

export const CONSENT_METHODS = [
  'signed-at-hospital',
  'recorded-by-community-worker',
  'signed-online',
] as const;
export type ConsentMethod = (typeof CONSENT_METHODS)[number];

export class GuardianRequestDto {
  @ApiProperty({ example: '李四', description: 'Guardian (监护人) name' })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ example: 'parent', description: 'spouse, parent, child, sibling, other' })
  @IsString()
  @Length(1, 32)
  relationship: string;

  @ApiPropertyOptional({ example: '13900000000' })
  @IsOptional()
  @Matches(/^\+?[0-9-]{5,20}$/)
  phone?: string;
}

export class PatientIdentityRequestDto {
  @ApiProperty({ example: '张三' })
  @IsString()
  @Length(1, 64)
  name: string;

  @ApiProperty({ example: '61090219900307451X', description: 'Resident identity card number (GB 11643)' })
  @Matches(/^\d{17}[\dXx]$/)
  idNumber: string;

  @ApiProperty({ example: '1990-03-07' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/)
  birthDate: string;

  @ApiProperty({ enum: ['male', 'female', 'unknown'] })
  @IsIn(['male', 'female', 'unknown'])
  sex: 'male' | 'female' | 'unknown';

  @ApiPropertyOptional({ example: '13800000000' })
  @IsOptional()
  @Matches(/^\+?[0-9-]{5,20}$/)
  phone?: string;

  @ApiPropertyOptional({ example: '汉滨区老城街道某路 1 号' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  address?: string;

  @ApiProperty({
    example: '610902001001',
    description: 'Residence division (GB/T 2260 + township + committee)',
  })
  @IsDivisionCode()
  residenceDivisionCode: string;

  @ApiProperty({ description: 'The patient lacks capacity to consent: only a guardian may consent' })
  @IsBoolean()
  lacksCapacity: boolean;

  @ApiPropertyOptional({ type: GuardianRequestDto })
  @IsOptional()
  @IsNested(() => GuardianRequestDto)
  guardian?: GuardianRequestDto;
}

export class ConsentRequestDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @ApiProperty({ enum: ['patient', 'guardian'] })
  @IsIn(['patient', 'guardian'])
  grantedBy: 'patient' | 'guardian';

  @ApiProperty({ enum: CONSENT_METHODS })
  @IsOneOf(CONSENT_METHODS)
  method: ConsentMethod;

  @ApiProperty({ example: '2026-11-20T09:00:00+08:00' })
  @IsTimestamp()
  grantedAt: string;

  @ApiPropertyOptional({ example: '2027-11-20T00:00:00+08:00' })
  @IsOptional()
  @IsTimestamp()
  expiresAt?: string;

  @ApiPropertyOptional({ type: GuardianRequestDto, description: 'The guardian who signed (recorded sealed)' })
  @IsOptional()
  @IsNested(() => GuardianRequestDto)
  guardian?: GuardianRequestDto;
}

export class FileApplicationDto {
  @ApiProperty({ enum: APPLICATION_CHANNELS.filter((c) => c !== 'hospital') })
  @IsOneOf(APPLICATION_CHANNELS.filter((c) => c !== 'hospital'))
  channel: Exclude<ApplicationChannel, 'hospital'>;

  @ApiProperty({ type: PatientIdentityRequestDto })
  @IsNested(() => PatientIdentityRequestDto)
  patient: PatientIdentityRequestDto;

  @ApiProperty({ enum: REHAB_SERVICES, isArray: true })
  @IsListOf(REHAB_SERVICES)
  needs: RehabService[];

  @ApiPropertyOptional({ example: 'site-hanbin-laocheng' })
  @IsOptional()
  @IsOrgId()
  preferredSiteId?: string;

  @ApiPropertyOptional({ type: ConsentRequestDto, isArray: true })
  @IsOptional()
  @IsNestedArray(() => ConsentRequestDto, 10)
  consents?: ConsentRequestDto[];
}

export class VerificationDto {
  @ApiProperty({ enum: ['verified', 'rejected'], description: '初核登记 outcome' })
  @IsIn(['verified', 'rejected'])
  outcome: 'verified' | 'rejected';

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 500)
  note?: string;
}

export class AssessmentResultDto {
  @ApiProperty({ minimum: 0, maximum: 5 })
  @IsRiskLevel()
  riskLevel: number;

  @ApiProperty({ enum: CONDITION_STATUSES })
  @IsOneOf(CONDITION_STATUSES)
  conditionStatus: ConditionStatus;

  @ApiProperty({ enum: COLOUR_GRADES })
  @IsOneOf(COLOUR_GRADES)
  colourGrade: ColourGrade;

  @ApiProperty()
  @IsBoolean()
  eligibleForCommunityRehab: boolean;

  @ApiProperty({ enum: REHAB_SERVICES, isArray: true })
  @IsListOf(REHAB_SERVICES)
  rehabNeeds: RehabService[];

  @ApiProperty()
  @IsBoolean()
  employmentInterest: boolean;

  @ApiProperty({ example: '2026-11-21T10:00:00+08:00' })
  @IsTimestamp()
  assessedAt: string;
}

export class WithdrawalDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  @IsOneOf(CONSENT_PURPOSES)
  purpose: ConsentPurpose;

  @ApiProperty({ enum: ['patient', 'guardian'] })
  @IsIn(['patient', 'guardian'])
  withdrawnBy: 'patient' | 'guardian';
}

export const ASSESSMENT_REQUEST_PAGE_MAX = 200;

export class AssessmentRequestQuery {
  @ApiPropertyOptional({
    default: 50,
    minimum: 1,
    maximum: ASSESSMENT_REQUEST_PAGE_MAX,
    description: 'Page size; outside 1–200 or not an integer → 400',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(ASSESSMENT_REQUEST_PAGE_MAX)
  limit?: number;
}
