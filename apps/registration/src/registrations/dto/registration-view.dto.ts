import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  APPLICATION_CHANNELS,
  ApplicationChannel,
  CONSENT_PURPOSES,
  ConsentPurpose,
  FILE_STAGES,
  FileStage,
} from '@app/contracts';

/** The subject's file as a registration channel may see it: where and how far, never what (no notes). */
export class FileSummaryViewDto {
  @ApiProperty({ description: 'The site holding the referral now' })
  siteId: string;

  @ApiProperty({ enum: FILE_STAGES })
  stage: FileStage;

  @ApiProperty()
  sessionCount: number;

  @ApiPropertyOptional()
  lastSessionAt?: string;

  @ApiProperty()
  assessmentCount: number;

  @ApiPropertyOptional()
  lastAssessmentAt?: string;

  @ApiPropertyOptional({ description: 'When the next periodic assessment is due' })
  nextAssessmentBy?: string;

  @ApiProperty()
  updatedAt: string;
}

/** Routing stopped at rehab-site: no site holds the referral, and why. */
export class RoutingStoppedViewDto {
  @ApiProperty({
    enum: ['patient-refused'],
    description: 'patient-refused: the patient or guardian refused the service of the assigned site',
  })
  reason: 'patient-refused';

  @ApiProperty({ description: 'The site that reported it' })
  siteId: string;

  @ApiProperty()
  at: string;
}

export class ApplicationViewDto {
  @ApiProperty({ format: 'uuid', description: 'The referral id of this application' })
  applicationId: string;

  @ApiProperty({ format: 'uuid' })
  registrationId: string;

  @ApiProperty({ format: 'uuid', description: 'Pseudonymous patient reference' })
  patientRef: string;

  @ApiProperty({ enum: APPLICATION_CHANNELS })
  channel: ApplicationChannel;

  @ApiProperty({
    enum: [
      'received',
      'assessment-requested',
      'awaiting-consent',
      'registered',
      'ineligible',
      'rejected',
      'merged',
      'expired',
      'consent-withdrawn',
      'refused',
    ],
  })
  status: string;

  @ApiPropertyOptional({
    description:
      'Registration office (county centre) and ops only: the person already had a registration and this ' +
      'application was linked to it. A filing channel never sees links: its answers are the same whatever ' +
      'registration knew about the person.',
  })
  linkedToExisting?: boolean;

  @ApiPropertyOptional({
    enum: ['id-number', 'name-birth-division', 'identity-review'],
    description: 'Registration office and ops only',
  })
  linkedBy?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Registration office and ops only: the application this one was merged into',
  })
  mergedInto?: string;

  @ApiProperty()
  receivedAt: string;

  @ApiProperty({ description: 'Verify & register deadline (working days)' })
  registerDueAt: string;

  @ApiProperty({
    description:
      'The register deadline was counted through a year with no holiday calendar (weekdays only) and may move ' +
      'once that year is configured',
  })
  registerDueProvisional: boolean;

  @ApiProperty()
  slaBreached: boolean;

  @ApiPropertyOptional({ description: 'Refer-to-a-site deadline (working days from registration)' })
  referToSiteDueAt?: string;

  @ApiPropertyOptional({ description: 'As registerDueProvisional, for the refer-to-a-site deadline' })
  referToSiteDueProvisional?: boolean;

  @ApiPropertyOptional({ description: 'When a site was first assigned' })
  referredToSiteAt?: string;

  @ApiPropertyOptional({ description: 'The refer-to-a-site deadline passed without a site' })
  referToSiteBreached?: boolean;

  @ApiPropertyOptional({ enum: CONSENT_PURPOSES, description: 'Set while awaiting consent' })
  awaitingConsentFor?: ConsentPurpose;

  @ApiPropertyOptional()
  endReason?: string;

  @ApiPropertyOptional({
    type: FileSummaryViewDto,
    description: "The subject's file at rehab-site once a site holds the referral (summary only, no notes)",
  })
  file?: FileSummaryViewDto;

  @ApiPropertyOptional({
    type: RoutingStoppedViewDto,
    description:
      'Set while rehab-site has stopped routing the referral (the patient or guardian refused); cleared when a site is assigned again',
  })
  routingStopped?: RoutingStoppedViewDto;
}

export class ConsentViewDto {
  @ApiProperty({ enum: CONSENT_PURPOSES })
  purpose: ConsentPurpose;

  @ApiProperty({ enum: ['patient', 'guardian'] })
  grantedBy: string;

  @ApiProperty()
  grantedAt: string;

  @ApiPropertyOptional()
  expiresAt?: string;

  @ApiPropertyOptional()
  withdrawnAt?: string;
}

export class RegistrationViewDto {
  @ApiProperty({ format: 'uuid' })
  registrationId: string;

  @ApiProperty({ format: 'uuid' })
  patientRef: string;

  @ApiProperty({
    enum: ['pending', 'registered', 'green-channel', 'consent-withdrawn', 'expired', 'merged'],
    description:
      "A filing channel sees the status only through its own applications (pending until one of them is registered or withdrawn); 'merged' only to the registration office",
  })
  status: string;

  @ApiProperty({ description: 'PII sealed for the statutory record only (after withdrawal)' })
  sealed: boolean;

  @ApiProperty({
    type: ApplicationViewDto,
    isArray: true,
    description: "A filing channel sees its own applications only; the registration office every channel's",
  })
  applications: ApplicationViewDto[];

  @ApiProperty({
    type: ConsentViewDto,
    isArray: true,
    description: 'A filing channel sees the consents it recorded; the registration office all of them',
  })
  consents: ConsentViewDto[];
}
