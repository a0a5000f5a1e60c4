import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { CursorPageQuery } from '@app/platform';
import {
  APPLICATION_END_OUTCOMES,
  APPLICATION_END_REASONS,
  ApplicationEndReason,
  CANCELLATION_REASONS,
  CancellationReason,
  IsOneOf,
  IsOrgId,
  IsTimestamp,
  REFERRAL_STEPS,
  ReferralStep,
  CLOSURE_OUTCOMES,
  ClosureOutcome,
  COLOUR_GRADES,
  ColourGrade,
  EMPLOYMENT_END_REASONS,
  EMPLOYMENT_STAGES,
  EmploymentEndReason,
  EmploymentStage,
  PLACEMENT_TYPES,
  PlacementType,
} from '@app/contracts';

export const REFERRAL_STATUSES = [
  'awaiting-assessment',
  'assessed',
  'registered',
  'closed',
  'consent-withdrawn',
  'cancelled',
  'registration-expired',
  ...APPLICATION_END_OUTCOMES,
] as const;
export type ReferralStatus = (typeof REFERRAL_STATUSES)[number];
export const REFERRAL_STAGES = [
  'awaiting-assessment',
  'awaiting-consent',
  'hospital-follow-up',
  'routing',
  'accepted',
  'in-service',
  'green-channel',
  'closed',
  'consent-withdrawn',
  'cancelled',
  'registration-expired',
  ...APPLICATION_END_OUTCOMES,
] as const;
export type ReferralStage = (typeof REFERRAL_STAGES)[number];

/** What the referring hospital may do with its referral now (cancel: before a site accepted it). */
export const REFERRAL_ACTIONS = ['cancel'] as const;
export type ReferralAction = (typeof REFERRAL_ACTIONS)[number];

export class AssignedSiteDto {
  @ApiProperty({ example: 'cc-610902' })
  id: string;

  @ApiPropertyOptional({
    type: String,
    example: '金星社区精康服务站',
    nullable: true,
    description: 'null right after a transfer',
  })
  name: string | null;

  @ApiPropertyOptional({
    type: String,
    example: '610902',
    nullable: true,
    description: 'The site’s county (GB/T 2260)',
  })
  countyCode: string | null;

  @ApiPropertyOptional({ type: String, example: '汉滨区', nullable: true })
  countyName: string | null;
}

/** One step of the referral's timeline: codes and the site concerned, never a site's notes or other PII. */
export class TimelineStepDto {
  @ApiProperty({ minimum: 1, description: '1, 2, … in the order hospital-intake recorded the steps' })
  sequence: number;

  @ApiProperty({ enum: REFERRAL_STEPS })
  step: ReferralStep;

  @ApiProperty({ description: 'When it happened (the event’s own time)' })
  occurredAt: string;

  @ApiPropertyOptional({ description: 'The site concerned (for transferred: the site it moved to)' })
  siteId?: string;

  @ApiPropertyOptional()
  siteName?: string;

  @ApiPropertyOptional({ description: 'The site’s county (GB/T 2260)' })
  siteCountyCode?: string;

  @ApiPropertyOptional({
    description:
      'The coded reason or outcome: decline reason, closure outcome, cancellation reason, refused/linked-to-existing',
  })
  code?: string;
}

export class CancellationDto {
  @ApiProperty({ enum: CANCELLATION_REASONS })
  reasonCode: CancellationReason;

  @ApiProperty()
  cancelledAt: string;
}

/** POST /v1/referrals/:id/cancellation */
export class CancelReferralDto {
  @ApiProperty({ enum: CANCELLATION_REASONS })
  @IsOneOf(CANCELLATION_REASONS)
  reasonCode: CancellationReason;
}

/** GET /v1/referrals filters; combined with AND. */
export class ReferralListQuery extends CursorPageQuery {
  @ApiPropertyOptional({ enum: REFERRAL_STATUSES })
  @IsOptional()
  @IsOneOf(REFERRAL_STATUSES)
  status?: ReferralStatus;

  @ApiPropertyOptional({ enum: REFERRAL_STAGES })
  @IsOptional()
  @IsOneOf(REFERRAL_STAGES)
  stage?: ReferralStage;

  @ApiPropertyOptional({ description: 'Discharged at or after (RFC 3339)' })
  @IsOptional()
  @IsTimestamp()
  from?: string;

  @ApiPropertyOptional({ description: 'Discharged before (RFC 3339)' })
  @IsOptional()
  @IsTimestamp()
  to?: string;

  @ApiPropertyOptional({ description: 'Assigned (now or last) to this site' })
  @IsOptional()
  @IsOrgId()
  siteId?: string;
}

export class ReferralOutcomeDto {
  @ApiProperty({ enum: CLOSURE_OUTCOMES })
  outcome: ClosureOutcome;

  @ApiProperty()
  closedAt: string;
}

/** Why registration ended the referral without a registration of its own (no registration or site named). */
export class ApplicationEndedDto {
  @ApiProperty({ enum: APPLICATION_END_REASONS })
  reasonCode: ApplicationEndReason;

  @ApiProperty()
  endedAt: string;
}

/** Where the patient's employment referral stands (stage and kind of job only). */
export class EmploymentOutcomeDto {
  @ApiProperty({ enum: EMPLOYMENT_STAGES })
  stage: EmploymentStage;

  @ApiPropertyOptional({ enum: PLACEMENT_TYPES, nullable: true })
  placementType: PlacementType | null;

  @ApiPropertyOptional({ enum: EMPLOYMENT_END_REASONS, nullable: true })
  endReason: EmploymentEndReason | null;

  @ApiProperty()
  changedAt: string;
}

/** What the referring hospital sees of its referral (no PII: it already has it). */
export class ReferralViewDto {
  @ApiProperty({ format: 'uuid' })
  referralId: string;

  @ApiProperty()
  encounterId: string;

  @ApiProperty({
    enum: ['json', 'fhir', 'hl7v2', 'nats', 'restored'],
    description:
      'How it came in; `restored` when it was rebuilt from its own events after a database restore',
  })
  channel: string;

  @ApiProperty({
    enum: REFERRAL_STATUSES,
    description:
      'Where the referral stands with registration (it stays `registered` while the site works on it); ' +
      '`stage` says where it is now',
  })
  status: ReferralStatus;

  @ApiProperty({
    enum: REFERRAL_STAGES,
    description:
      'Where the referral is now: routing, accepted and in service at the site, or in the green channel',
  })
  stage: ReferralStage;

  @ApiProperty()
  dischargedAt: string;

  @ApiProperty({
    type: 'integer',
    minimum: 0,
    maximum: 5,
    nullable: true,
    description: 'null while awaiting the assessment',
  })
  riskLevel: number | null;

  @ApiProperty({ enum: COLOUR_GRADES, nullable: true, description: 'null while awaiting the assessment' })
  colourGrade: ColourGrade | null;

  @ApiProperty({ type: Boolean, nullable: true, description: 'null while awaiting the assessment' })
  eligibleForCommunityRehab: boolean | null;

  @ApiPropertyOptional({ type: String, format: 'date-time', nullable: true })
  registeredAt: string | null;

  @ApiPropertyOptional({
    type: () => AssignedSiteDto,
    nullable: true,
    description: 'The site assigned now (or last): id, name and county',
  })
  assignedSite: AssignedSiteDto | null;

  @ApiPropertyOptional({ type: () => ReferralOutcomeDto, nullable: true, description: 'Outcome feedback' })
  outcome: ReferralOutcomeDto | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'A relapse was reported (green channel)',
  })
  relapseReportedAt: string | null;

  @ApiPropertyOptional({
    type: () => ApplicationEndedDto,
    nullable: true,
    description: 'Refused, or linked to an existing registration (stage says which), with the reason',
  })
  applicationEnded: ApplicationEndedDto | null;

  @ApiPropertyOptional({
    type: () => EmploymentOutcomeDto,
    nullable: true,
    description: 'The employment outcome, once the site confirmed the patient ready for employment',
  })
  employment: EmploymentOutcomeDto | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'Working-day deadline of the discharge assessment (discharges sent without one); null otherwise',
  })
  assessmentDueAt: string | null;

  @ApiPropertyOptional({
    type: String,
    format: 'date-time',
    nullable: true,
    description:
      'When the hospital was reminded of that deadline (referral.assessment-reminder); null if not yet',
  })
  assessmentReminderSentAt: string | null;

  @ApiPropertyOptional({
    type: () => CancellationDto,
    nullable: true,
    description: 'Cancelled by the hospital',
  })
  cancellation: CancellationDto | null;

  @ApiProperty({ enum: REFERRAL_ACTIONS, isArray: true, description: 'What the hospital may do now' })
  allowedActions: ReferralAction[];

  @ApiProperty({ type: () => [TimelineStepDto], description: 'Every step so far, in order' })
  timeline: TimelineStepDto[];

  @ApiProperty()
  updatedAt: string;
}

export class ReferralPageDto {
  @ApiProperty({ type: () => [ReferralViewDto] })
  items: ReferralViewDto[];

  @ApiPropertyOptional({ type: String, nullable: true, description: 'Pass as cursor for the next page.' })
  nextCursor: string | null;
}
