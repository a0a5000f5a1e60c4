import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional } from 'class-validator';
import { IsOrgId } from '@app/contracts';

export class EmploymentStatsQuery {
  @ApiPropertyOptional({ description: 'One provider only.' })
  @IsOptional()
  @IsOrgId()
  providerId?: string;
}

export class RetentionStatsDto {
  @ApiProperty({ enum: [1, 3, 6] }) month: number;
  @ApiProperty({ description: 'Checks recorded.' }) checked: number;
  @ApiProperty({ description: 'Recorded as still in the job.' }) retained: number;
  @ApiProperty({ description: 'Raised overdue (not recorded within the grace period).' }) overdue: number;
}

export class ReasonCountDto {
  @ApiProperty() reason: string;
  @ApiProperty() count: number;
}

export class SpecialistCaseloadDto {
  @ApiProperty() providerId: string;
  @ApiProperty({ description: "The provider's staff code of the employment specialist (no name)." })
  specialist: string;
  @ApiProperty({ description: 'Open referrals (referred, accepted, training, placed) the specialist holds.' })
  caseload: number;
}

/**
 * IPS-style measures of employment referrals. Days to first employer contact count only referrals where the
 * provider recorded one; caseload per specialist counts only referrals accepted with a specialist's code.
 */
export class EmploymentStatsDto {
  @ApiProperty({ description: 'Employment referrals (every status).' }) referrals: number;
  @ApiProperty({ description: 'Held by a provider and not ended or paused: the caseload.' }) caseload: number;
  @ApiProperty({ description: 'Places the provider(s) offer.' }) capacity: number;
  @ApiProperty({ description: 'Ever placed in a job (latest placement counted).' }) placed: number;
  @ApiProperty({ description: 'Of those placed, in a competitive (open market) job.' })
  placedCompetitive: number;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'placedCompetitive / placed (null when none placed).',
  })
  competitiveShare: number | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Median days from readiness confirmed to placement.',
  })
  medianDaysReadyToPlaced: number | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Median days from readiness confirmed to a provider.',
  })
  medianDaysReadyToReferred: number | null;
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description:
      'IPS: median days from readiness confirmed to the first employer contact (China calendar days).',
  })
  medianDaysToFirstEmployerContact: number | null;
  @ApiProperty({ description: 'Referrals with a first employer contact recorded.' })
  employerContacted: number;
  @ApiProperty({
    type: [SpecialistCaseloadDto],
    description: 'IPS: open caseload per employment specialist.',
  })
  caseloadPerSpecialist: SpecialistCaseloadDto[];
  @ApiPropertyOptional({
    type: Number,
    nullable: true,
    description: 'Mean of caseloadPerSpecialist (null when none).',
  })
  meanCaseloadPerSpecialist: number | null;
  @ApiProperty({ type: [RetentionStatsDto], description: 'Tenure: retention checks at 1, 3 and 6 months.' })
  retention: RetentionStatsDto[];
  @ApiProperty({ type: [ReasonCountDto], description: 'Why providers declined.' })
  declineReasons: ReasonCountDto[];
  @ApiProperty({ type: [ReasonCountDto], description: 'Why referrals ended.' }) endReasons: ReasonCountDto[];
  @ApiProperty({ type: [ReasonCountDto], description: 'Why referrals could not be placed with a provider.' })
  unplacedReasons: ReasonCountDto[];
}
