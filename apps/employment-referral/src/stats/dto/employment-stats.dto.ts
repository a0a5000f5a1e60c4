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

/**
 * IPS-style measures of employment referrals. What the service does not record is not estimated: there is no
 * "first employer contact" stage and no employment specialist, so neither is reported.
 */
export class EmploymentStatsDto {
  @ApiProperty({ description: 'Employment referrals (every status).' }) referrals: number;
  @ApiProperty({ description: 'Held by a provider and not ended or paused: the caseload.' }) caseload: number;
  @ApiProperty({ description: 'Places the provider(s) offer.' }) capacity: number;
  @ApiProperty({ description: 'Ever placed in a job (latest placement counted).' }) placed: number;
  @ApiProperty({ description: 'Of those placed, in a competitive (open market) job.' })
  placedCompetitive: number;
  @ApiPropertyOptional({ nullable: true, description: 'placedCompetitive / placed (null when none placed).' })
  competitiveShare: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Median days from readiness confirmed to placement.' })
  medianDaysReadyToPlaced: number | null;
  @ApiPropertyOptional({ nullable: true, description: 'Median days from readiness confirmed to a provider.' })
  medianDaysReadyToReferred: number | null;
  @ApiProperty({ type: [RetentionStatsDto], description: 'Tenure: retention checks at 1, 3 and 6 months.' })
  retention: RetentionStatsDto[];
  @ApiProperty({ type: [ReasonCountDto], description: 'Why providers declined.' })
  declineReasons: ReasonCountDto[];
  @ApiProperty({ type: [ReasonCountDto], description: 'Why referrals ended.' }) endReasons: ReasonCountDto[];
  @ApiProperty({ type: [ReasonCountDto], description: 'Why referrals could not be placed with a provider.' })
  unplacedReasons: ReasonCountDto[];
}
