import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional } from 'class-validator';
import { MILESTONES, REFERRAL_STATES } from '../referral-states';
import type { ReferralTimeline } from '../timeline.service';
import type { RebuildReport } from '../read-model-rebuild.service';

export class TimelineEventDto {
  @ApiProperty() eventId: string;
  @ApiProperty({ description: 'CloudEvents type.' }) eventType: string;
  @ApiProperty({ example: 'referral.assigned' }) subject: string;
  @ApiProperty({ description: 'CloudEvents time.' }) occurredAt: string;
  @ApiPropertyOptional({ type: String, nullable: true }) countyCode: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) siteId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) hospitalId: string | null;
  @ApiPropertyOptional({
    type: String,
    nullable: true,
    description: 'A code (reason, outcome, record kind), never free text.',
  })
  detail: string | null;
  @ApiPropertyOptional({ nullable: true, enum: REFERRAL_STATES }) state: string | null;
}

export class ReferralSummaryDto {
  @ApiProperty() referralId: string;
  @ApiProperty({ enum: REFERRAL_STATES }) state: string;
  @ApiProperty() stateSince: string;
  @ApiPropertyOptional({ type: String, nullable: true }) countyCode: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) hospitalId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) siteId: string | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string', format: 'date-time' },
    description: `First time of each milestone (${MILESTONES.join(', ')}).`,
  })
  milestones: Record<string, string>;
  @ApiProperty() slaBreaches: number;
}

export class ReferralTimelineDto {
  @ApiProperty({ type: ReferralSummaryDto }) summary: ReferralSummaryDto;
  @ApiProperty({ type: [TimelineEventDto] }) events: TimelineEventDto[];

  static from({ summary, events }: ReferralTimeline): ReferralTimelineDto {
    return {
      summary: {
        referralId: summary.referralId,
        state: summary.state,
        stateSince: summary.stateSince.toISOString(),
        countyCode: summary.countyCode,
        hospitalId: summary.hospitalId,
        siteId: summary.siteId,
        milestones: Object.fromEntries(
          Object.entries(summary.milestones).map(([m, at]) => [m, at.toISOString()]),
        ),
        slaBreaches: summary.slaBreaches,
      },
      events: events.map((e) => ({
        eventId: e.eventId,
        eventType: e.eventType,
        subject: e.subject,
        occurredAt: e.occurredAt.toISOString(),
        countyCode: e.countyCode,
        siteId: e.siteId,
        hospitalId: e.hospitalId,
        detail: e.detail,
        state: e.state,
      })),
    };
  }
}

export class RebuildRequestDto {
  @ApiPropertyOptional({
    default: false,
    description: 'Make the rebuild the live model (otherwise it is only compared with it).',
  })
  @IsOptional()
  @IsBoolean()
  replace?: boolean;
}

export class RebuildDifferencesDto {
  @ApiProperty() missingInRebuild: number;
  @ApiProperty() missingInLive: number;
  @ApiProperty() differentTimelineRows: number;
  @ApiProperty() differentSummaries: number;
}

export class RebuildReportDto implements RebuildReport {
  @ApiProperty() messagesRead: number;
  @ApiProperty() skipped: number;
  @ApiProperty() referrals: number;
  @ApiProperty({ type: RebuildDifferencesDto }) differences: RebuildDifferencesDto;
  @ApiProperty() matchesLive: boolean;
  @ApiProperty() replaced: boolean;
}
