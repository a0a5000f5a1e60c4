import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { IsTimestamp } from '@app/contracts';
import { ALERT_STATUSES, AlertRecord, AlertStatus } from '../alert.repository';

export class AlertListQuery {
  @ApiPropertyOptional({ enum: ALERT_STATUSES })
  @IsOptional()
  @IsIn(ALERT_STATUSES)
  status?: AlertStatus;

  @ApiPropertyOptional({ example: 'STUCK_REFERRAL' })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{0,63}$/)
  code?: string;

  @ApiPropertyOptional({ description: 'GB/T 2260 county code.' })
  @IsOptional()
  @Matches(/^\d{6}$/)
  county?: string;

  @ApiPropertyOptional({ default: 50, maximum: 200 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'Page: alerts raised before this time (with beforeId).' })
  @IsOptional()
  @IsTimestamp({ spaceSeparator: true })
  beforeRaisedAt?: string;

  @ApiPropertyOptional({ description: 'Page: the id of the last alert of the previous page.' })
  @ValidateIf((q: AlertListQuery) => q.beforeRaisedAt !== undefined)
  @IsString()
  @MaxLength(64)
  beforeId?: string;
}

export class AlertDto {
  @ApiProperty() id: string;
  @ApiProperty({ example: 'NEEDS_MANUAL_PLACEMENT' }) code: string;
  @ApiProperty({ enum: ['info', 'warning', 'critical'] }) severity: string;
  @ApiProperty() service: string;
  @ApiProperty() summary: string;
  @ApiProperty({ description: 'Pointers only (ids, consumer names, codes).' })
  details: Record<string, string | number | boolean>;
  @ApiPropertyOptional({ nullable: true }) referralId: string | null;
  @ApiPropertyOptional({ nullable: true }) countyCode: string | null;
  @ApiProperty() raisedAt: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status: AlertStatus;
  @ApiPropertyOptional({ nullable: true }) acknowledgedAt: string | null;
  @ApiPropertyOptional({ nullable: true }) acknowledgedBy: string | null;
  @ApiPropertyOptional({ nullable: true }) resolvedAt: string | null;
  @ApiPropertyOptional({ nullable: true }) resolvedBy: string | null;

  static from(a: AlertRecord): AlertDto {
    return {
      ...a,
      raisedAt: a.raisedAt.toISOString(),
      acknowledgedAt: a.acknowledgedAt?.toISOString() ?? null,
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
    };
  }
}

export class AlertPageDto {
  @ApiProperty({ type: [AlertDto] }) items: AlertDto[];
}
