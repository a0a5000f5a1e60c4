import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Length, Matches, Max, Min } from 'class-validator';
import {
  APPLICATION_CHANNELS,
  ApplicationChannel,
  COLOUR_GRADES,
  ColourGrade,
  CONDITION_STATUSES,
  ConditionStatus,
  ID_NUMBER_PATTERN,
  IsListOf,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsOrgId,
  IsRiskLevel,
  IsTimestamp,
  normaliseIdNumberCase,
  PatientIdentityDto,
  REHAB_SERVICES,
  RehabService,
} from '@app/contracts';
import { ConsentRequestDto } from '../../consent/dto/consent.dto';

/**
 * The person as a channel files them: like a hospital's patient block, but a family or a village committee may
 * not know the ID number. Without one the person is never linked automatically (the registration office reviews
 * a name + birth date + county match).
 */
export class ApplicantIdentityDto extends OmitType(PatientIdentityDto, ['idNumber'] as const) {
  @ApiPropertyOptional({
    example: '61090219900307451X',
    description: 'GB 11643 resident ID number, when known; a lower-case x is accepted',
  })
  @IsOptional()
  @Transform(({ value }) => normaliseIdNumberCase(value))
  @Matches(ID_NUMBER_PATTERN, { message: 'idNumber must be 18 characters: 17 digits and a digit or X' })
  idNumber?: string;
}

export class FileApplicationDto {
  @ApiProperty({ enum: APPLICATION_CHANNELS.filter((c) => c !== 'hospital') })
  @IsOneOf(APPLICATION_CHANNELS.filter((c) => c !== 'hospital'))
  channel: Exclude<ApplicationChannel, 'hospital'>;

  @ApiProperty({ type: () => ApplicantIdentityDto })
  @IsNested(() => ApplicantIdentityDto)
  patient: ApplicantIdentityDto;

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
