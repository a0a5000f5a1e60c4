import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  APPLICATION_END_OUTCOMES,
  APPLICATION_END_REASONS,
  ApplicationEndReason,
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
  ...APPLICATION_END_OUTCOMES,
] as const;
export const REFERRAL_STAGES = [
  'awaiting-assessment',
  'awaiting-consent',
  'hospital-follow-up',
  'routing',
  'green-channel',
  'closed',
  'consent-withdrawn',
  ...APPLICATION_END_OUTCOMES,
] as const;

export class AssignedSiteDto {
  @ApiProperty({ example: '金星社区精康服务站' })
  name: string;
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

  @ApiProperty({ enum: ['json', 'fhir', 'hl7v2', 'nats'] })
  channel: string;

  @ApiProperty({ enum: REFERRAL_STATUSES })
  status: (typeof REFERRAL_STATUSES)[number];

  @ApiProperty({ enum: REFERRAL_STAGES, description: 'Where the referral is now' })
  stage: (typeof REFERRAL_STAGES)[number];

  @ApiProperty()
  dischargedAt: string;

  @ApiProperty({ minimum: 0, maximum: 5, nullable: true, description: 'null while awaiting the assessment' })
  riskLevel: number | null;

  @ApiProperty({ enum: COLOUR_GRADES, nullable: true, description: 'null while awaiting the assessment' })
  colourGrade: ColourGrade | null;

  @ApiProperty({ nullable: true, description: 'null while awaiting the assessment' })
  eligibleForCommunityRehab: boolean | null;

  @ApiPropertyOptional({ nullable: true })
  registeredAt: string | null;

  @ApiPropertyOptional({ type: () => AssignedSiteDto, nullable: true, description: 'Name only' })
  assignedSite: AssignedSiteDto | null;

  @ApiPropertyOptional({ type: () => ReferralOutcomeDto, nullable: true, description: 'Outcome feedback' })
  outcome: ReferralOutcomeDto | null;

  @ApiPropertyOptional({ nullable: true, description: 'A relapse was reported (green channel)' })
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
    nullable: true,
    description:
      'Working-day deadline of the discharge assessment (discharges sent without one); null otherwise',
  })
  assessmentDueAt: string | null;

  @ApiPropertyOptional({
    nullable: true,
    description:
      'When the hospital was reminded of that deadline (referral.assessment-reminder); null if not yet',
  })
  assessmentReminderSentAt: string | null;

  @ApiProperty()
  updatedAt: string;
}
