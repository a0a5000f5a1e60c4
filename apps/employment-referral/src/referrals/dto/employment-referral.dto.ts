import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';
import {
  EMPLOYMENT_DECLINE_REASONS,
  EMPLOYMENT_END_REASONS,
  EMPLOYMENT_PROGRAMMES,
  EmploymentDeclineReason,
  EmploymentEndReason,
  EmploymentProgramme,
  IsOneOf,
  PLACEMENT_TYPES,
  PlacementType,
  RETENTION_CHECK_MONTHS,
  RetentionCheckMonth,
} from '@app/contracts';
import { CursorPageQuery } from '@app/platform';
import {
  EMPLOYMENT_STATUSES,
  EmploymentStatus,
  PROVIDER_ACTIONS,
  ProviderAction,
} from '../employment-lifecycle';

/** End reasons a provider may give (consent withdrawal is the service's, from registration). */
export const PROVIDER_END_REASONS = EMPLOYMENT_END_REASONS.filter((r) => r !== 'consent-withdrawn');

export class ProviderReferralQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: EMPLOYMENT_STATUSES })
  @IsOptional()
  @IsOneOf(EMPLOYMENT_STATUSES)
  status?: EmploymentStatus;
}

export class EmploymentDeclineDto {
  @ApiProperty({ enum: EMPLOYMENT_DECLINE_REASONS })
  @IsOneOf(EMPLOYMENT_DECLINE_REASONS)
  reasonCode: EmploymentDeclineReason;

  @ApiPropertyOptional({ description: 'Required when reasonCode is "other".' })
  @ValidateIf((o: EmploymentDeclineDto) => o.reasonCode === 'other' || o.reasonText !== undefined)
  @IsString()
  @Length(1, 500)
  reasonText?: string;
}

export class AcceptEmploymentDto {
  @ApiPropertyOptional({
    example: 'es-07',
    description:
      "The provider's staff code of the employment specialist taking the person on (no name): IPS caseload.",
  })
  @IsOptional()
  @Matches(/^[A-Za-z0-9_-]{1,64}$/, {
    message: 'employmentSpecialist must be a staff code (letters, digits, - or _)',
  })
  employmentSpecialist?: string;
}

export class EmployerContactDto {
  @ApiProperty({ example: '2026-03-10', description: 'Day of the contact with an employer (YYYY-MM-DD).' })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'contactedOn must be YYYY-MM-DD' })
  contactedOn: string;
}

export class StartTrainingDto {
  @ApiProperty({ enum: EMPLOYMENT_PROGRAMMES })
  @IsOneOf(EMPLOYMENT_PROGRAMMES)
  programme: EmploymentProgramme;
}

export class PlacementDto {
  @ApiProperty({ enum: PLACEMENT_TYPES, description: 'sheltered 庇护性, supported 辅助性, competitive.' })
  @IsOneOf(PLACEMENT_TYPES)
  placementType: PlacementType;

  @ApiProperty({ example: '安康市汉滨区某食品有限公司' })
  @IsString()
  @Length(1, 200)
  employerName: string;

  @ApiProperty({ example: '2026-03-02', description: "The job's first day (YYYY-MM-DD, China time)." })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'startDate must be YYYY-MM-DD' })
  startDate: string;
}

export class RetentionCheckDto {
  @ApiProperty({ enum: RETENTION_CHECK_MONTHS })
  @IsOneOf(RETENTION_CHECK_MONTHS)
  month: RetentionCheckMonth;

  @ApiProperty({ description: 'Still in the job. False: the job ended; the provider looks for another.' })
  @IsBoolean()
  retained: boolean;
}

export class EndEmploymentDto {
  @ApiProperty({ enum: PROVIDER_END_REASONS })
  @IsOneOf(PROVIDER_END_REASONS)
  reason: EmploymentEndReason;
}

export class RetentionCheckViewDto {
  @ApiProperty({ enum: RETENTION_CHECK_MONTHS }) month: number;
  @ApiProperty() dueAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) checkedAt: string | null;
  @ApiPropertyOptional({ type: Boolean, nullable: true }) retained: boolean | null;
  @ApiProperty({ description: 'Not recorded within the grace period.' }) overdue: boolean;
}

export class PlacementViewDto {
  @ApiProperty({ enum: PLACEMENT_TYPES }) placementType: PlacementType;
  @ApiProperty() employerName: string;
  @ApiProperty() startDate: string;
}

/** What a provider sees of an employment referral: no clinical data, no hospital. */
export class EmploymentReferralDto {
  @ApiProperty() referralId: string;
  @ApiProperty({
    enum: [...EMPLOYMENT_STATUSES, 'declined'],
    description: '"declined" only in the answer to a decline: the referral went on to another provider.',
  })
  status: EmploymentStatus | 'declined';
  @ApiProperty({ description: 'The rehab site that confirmed readiness.' }) siteId: string;
  @ApiProperty() residenceDivisionCode: string;
  @ApiProperty({ enum: EMPLOYMENT_PROGRAMMES, isArray: true }) programmes: EmploymentProgramme[];
  @ApiProperty() hop: number;
  @ApiProperty() referredAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) acceptedAt: string | null;
  @ApiPropertyOptional({ enum: EMPLOYMENT_PROGRAMMES, nullable: true }) trainingProgramme: string | null;
  @ApiPropertyOptional({ type: PlacementViewDto, nullable: true }) placement: PlacementViewDto | null;
  @ApiProperty({ type: [RetentionCheckViewDto] }) retentionChecks: RetentionCheckViewDto[];
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) endedAt: string | null;
  @ApiPropertyOptional({ enum: EMPLOYMENT_END_REASONS, nullable: true }) endReason: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Staff code of the employment specialist.',
  })
  employmentSpecialist: string | null;
  @ApiPropertyOptional({
    type: String,
    format: 'date',
    nullable: true,
    description: 'First employer contact made (YYYY-MM-DD).',
  })
  firstEmployerContactOn: string | null;
  @ApiProperty({ enum: PROVIDER_ACTIONS, isArray: true }) allowedActions: ProviderAction[];
}

export class EmploymentReferralPageDto {
  @ApiProperty({ type: [EmploymentReferralDto] }) items: EmploymentReferralDto[];
  @ApiPropertyOptional({ type: String, nullable: true }) nextCursor: string | null;
}
