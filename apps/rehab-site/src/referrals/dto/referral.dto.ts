import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsBoolean,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import {
  CLOSURE_OUTCOMES,
  ClosureOutcome,
  COLOUR_GRADES,
  ColourGrade,
  CONDITION_STATUSES,
  ConditionStatus,
  DECLINE_REASONS,
  DeclineReason,
  EMPLOYMENT_END_REASONS,
  EMPLOYMENT_PAUSE_CAUSES,
  EMPLOYMENT_PROGRAMMES,
  EMPLOYMENT_STAGES,
  EmploymentStage,
  PLACEMENT_TYPES,
  EmploymentProgramme,
  IsDivisionCode,
  IsListOf,
  IsNested,
  IsOneOf,
  IsOrgId,
  IsRiskLevel,
  IsTimestamp,
  REHAB_SERVICES,
  RehabService,
  RETENTION_CHECK_MONTHS,
} from '@app/contracts';
import { CursorPageQuery } from '@app/platform';
import { REFERRAL_STATUSES, ReferralStatus, SITE_ACTIONS, SiteAction } from '../referral-lifecycle';

export class SiteReferralQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsOneOf(REFERRAL_STATUSES)
  status?: ReferralStatus;
}

export class ReferralSummaryDto {
  @ApiProperty() referralId: string;
  @ApiProperty({ enum: REFERRAL_STATUSES }) status: ReferralStatus;
  @ApiProperty() hop: number;
  @ApiProperty({ enum: REHAB_SERVICES, isArray: true }) needs: RehabService[];
  @ApiProperty({ minimum: 0, maximum: 5 }) riskLevel: number;
  @ApiProperty({ enum: COLOUR_GRADES }) colourGrade: ColourGrade;
  @ApiProperty() residenceDivisionCode: string;
  @ApiProperty() needsManualPlacement: boolean;
  @ApiProperty() assignedAt: string;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) answerDueAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) acceptedAt: string | null;
  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true }) closedAt: string | null;
  @ApiPropertyOptional({ enum: CLOSURE_OUTCOMES, nullable: true }) outcome: string | null;
  @ApiProperty({ enum: SITE_ACTIONS, isArray: true, description: 'What this site may do next.' })
  allowedActions: SiteAction[];
}

export class GuardianContactDto {
  @ApiProperty() name: string;
  @ApiProperty() relationship: string;
  @ApiPropertyOptional() phone?: string;
}

export class ContactDto {
  @ApiProperty() name: string;
  @ApiPropertyOptional() phone?: string;
  @ApiPropertyOptional() address?: string;
  @ApiPropertyOptional({ type: GuardianContactDto }) guardian?: GuardianContactDto;
}

/** Where the person's employment referral stands (employment-referral's latest step; no employer, no clinical data). */
export class EmploymentOutcomeViewDto {
  @ApiProperty({ enum: EMPLOYMENT_STAGES }) stage: EmploymentStage;
  @ApiPropertyOptional({ type: String, nullable: true }) providerName: string | null;
  @ApiPropertyOptional({ enum: PLACEMENT_TYPES, nullable: true }) placementType: string | null;
  @ApiPropertyOptional({
    type: 'integer',
    enum: RETENTION_CHECK_MONTHS,
    nullable: true,
    description: 'Month of the last retention check step.',
  })
  retentionMonth: number | null;
  @ApiPropertyOptional({ type: Boolean, nullable: true }) retained: boolean | null;
  @ApiPropertyOptional({ enum: EMPLOYMENT_END_REASONS, nullable: true }) endReason: string | null;
  @ApiPropertyOptional({ enum: EMPLOYMENT_PAUSE_CAUSES, nullable: true }) pauseCause: string | null;
  @ApiProperty() changedAt: string;
}

export class ReferralDetailDto extends ReferralSummaryDto {
  @ApiPropertyOptional({ type: ContactDto, nullable: true, description: 'Opened only for the holding site.' })
  contact: ContactDto | null;
  @ApiPropertyOptional({
    type: EmploymentOutcomeViewDto,
    nullable: true,
    description: 'The employment outcome, once the site confirmed readiness for employment.',
  })
  employment: EmploymentOutcomeViewDto | null;
}

export class ReferralPageDto {
  @ApiProperty({ type: [ReferralSummaryDto] }) items: ReferralSummaryDto[];
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'Pass as ?cursor= for the next page; null at the end.',
  })
  nextCursor: string | null;
}

export class ReferralActionResultDto {
  @ApiProperty() referralId: string;
  @ApiProperty({
    description: 'The status after the action, as this site sees it (declined: no longer held).',
  })
  status: string;
  @ApiProperty({ enum: SITE_ACTIONS, isArray: true }) allowedActions: SiteAction[];
}

export class DeclineDto {
  @ApiProperty({ enum: DECLINE_REASONS })
  @IsOneOf(DECLINE_REASONS)
  reasonCode: DeclineReason;

  @ApiPropertyOptional({ description: 'Required when reasonCode is "other".' })
  @ValidateIf((o: DeclineDto) => o.reasonCode === 'other' || o.reasonText !== undefined)
  @IsString()
  @Length(1, 500)
  reasonText?: string;
}

/** Who a closing follow-up call reached. */
export const FOLLOW_UP_REACHED = ['patient', 'guardian', 'family', 'none'] as const;
export type FollowUpReached = (typeof FOLLOW_UP_REACHED)[number];

export class FollowUpCallDto {
  @ApiProperty()
  @IsTimestamp()
  calledAt: string;

  @ApiProperty({ enum: FOLLOW_UP_REACHED, description: 'Who was reached.' })
  @IsOneOf(FOLLOW_UP_REACHED)
  reached: FollowUpReached;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 1000)
  note?: string;
}

export class CloseDto {
  @ApiProperty({ enum: CLOSURE_OUTCOMES })
  @IsOneOf(CLOSURE_OUTCOMES)
  outcome: ClosureOutcome;

  @ApiProperty({ type: FollowUpCallDto })
  @IsNested(() => FollowUpCallDto)
  followUp: FollowUpCallDto;
}

export class RelapseDto {
  @ApiProperty({ minimum: 0, maximum: 5 })
  @IsRiskLevel()
  observedRiskLevel: number;
}

export class EmploymentReadinessDto {
  @ApiProperty({
    description:
      'The patient wants to work. Registration’s employment consent and the latest assessment (risk at most SITE_EMPLOYMENT_MAX_RISK_LEVEL, not unstable) are checked by the service; a refusal (422 EMPLOYMENT_NOT_READY) names every failed condition.',
  })
  @IsBoolean()
  willing: boolean;

  @ApiPropertyOptional({
    enum: EMPLOYMENT_PROGRAMMES,
    isArray: true,
    description: 'Programmes the person wants; every programme when left out.',
  })
  @IsOptional()
  @IsListOf(EMPLOYMENT_PROGRAMMES)
  @ArrayMinSize(1)
  programmes?: EmploymentProgramme[];
}

export class RehabPlanDto {
  @ApiProperty({ description: 'When the plan starts.' })
  @IsTimestamp()
  startsAt: string;

  @ApiProperty({ type: [String], description: 'Rehabilitation goals (1–10).' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsString({ each: true })
  @Length(1, 200, { each: true })
  goals: string[];

  @ApiProperty({ enum: REHAB_SERVICES, isArray: true })
  @IsListOf(REHAB_SERVICES)
  services: RehabService[];

  @ApiProperty({ description: 'When the plan is reviewed (periodic assessment due).' })
  @IsTimestamp()
  reviewBy: string;
}

export class ServiceSessionDto {
  @ApiProperty({ description: 'When the session took place.' })
  @IsTimestamp()
  date: string;

  @ApiProperty({ enum: REHAB_SERVICES })
  @IsOneOf(REHAB_SERVICES)
  type: RehabService;

  @ApiProperty({ minimum: 1, maximum: 1440 })
  @IsInt()
  @Min(1)
  @Max(1440)
  durationMinutes: number;

  @ApiProperty({ description: 'Staff who gave it (kept at the site, never on the bus).' })
  @IsString()
  @Length(1, 64)
  staff: string;
}

export class PeriodicAssessmentDto {
  @ApiProperty()
  @IsTimestamp()
  assessedAt: string;

  @ApiProperty({ minimum: 0, maximum: 5 })
  @IsRiskLevel()
  riskLevel: number;

  @ApiProperty({ enum: CONDITION_STATUSES })
  @IsOneOf(CONDITION_STATUSES)
  conditionStatus: ConditionStatus;

  @ApiPropertyOptional({ description: 'Kept at the site, never on the bus.' })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  summary?: string;
}

export class TransferDto {
  @ApiProperty({ description: 'The site the patient moved to; it must accept the referral.' })
  @IsOrgId()
  toSiteId: string;

  @ApiPropertyOptional({ description: 'The new residence (12-digit committee code) when known.' })
  @IsOptional()
  @IsDivisionCode()
  newResidenceDivisionCode?: string;

  @ApiProperty()
  @IsString()
  @Length(1, 500)
  reason: string;
}
