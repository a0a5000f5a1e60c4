import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { DrillDownItem, INDICATOR_CODES } from '../indicator-calculator';
import { ReportRecord } from '../indicator.repository';
import { DrillDown, IndicatorsView, IndicatorSummary } from '../indicators.service';

const PERIOD_PATTERN = /^\d{4}-(0[1-9]|1[0-2]|Q[1-4])$/;
const AREA_PATTERN = /^\d{2}(\d{2}(\d{2})?)?$/;

export class IndicatorQuery {
  @ApiProperty({
    example: '2026-Q3',
    description: 'A month (YYYY-MM) or a quarter (YYYY-Qn), in Beijing time.',
  })
  @Matches(PERIOD_PATTERN, { message: 'period must be YYYY-MM or YYYY-Qn' })
  period: string;

  @ApiProperty({ example: '6109', description: 'Province (2), prefecture (4) or county (6 digits) code.' })
  @Matches(AREA_PATTERN, { message: 'area must be a 2, 4 or 6 digit division code' })
  area: string;
}

export class DrillDownQuery extends IndicatorQuery {
  @ApiPropertyOptional({ default: 100, maximum: 1000, description: 'Clamped to OPS_PAGE_LIMIT_MAX.' })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional({ default: 0 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  offset?: number;
}

export class GenerateReportDto {
  @ApiProperty({ example: '2026-Q3', description: 'A quarter (YYYY-Qn) or a month.' })
  @Matches(PERIOD_PATTERN, { message: 'period must be YYYY-MM or YYYY-Qn' })
  period: string;

  @ApiProperty({ example: '610902', description: 'County (6) or prefecture (4 digits) code.' })
  @Matches(AREA_PATTERN, { message: 'area must be a 2, 4 or 6 digit division code' })
  area: string;
}

export class ExportQuery {
  @ApiProperty({ enum: ['csv', 'xlsx'] })
  @IsIn(['csv', 'xlsx'])
  format: 'csv' | 'xlsx';
}

export class IndicatorValueDto {
  @ApiProperty({ enum: INDICATOR_CODES }) code: string;
  @ApiProperty({ example: '规范服务率' }) name: string;
  @ApiProperty() definition: string;
  @ApiProperty() area: string;
  @ApiProperty() period: string;
  @ApiProperty() numerator: number;
  @ApiProperty({ type: Number, nullable: true, description: 'Null for counts.' }) denominator: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description: 'Rates as fractions (0.25 = 25 %); null for 0/0.',
  })
  value: number | null;
  @ApiProperty({ type: Number, nullable: true }) target: number | null;
  @ApiProperty({ type: Number, nullable: true, description: 'value − target (negative: short).' })
  gap: number | null;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    nullable: true,
    description: 'Counts by code (REGISTERED: by channel).',
    example: { hospital: 4, self: 2 },
  })
  breakdown: Record<string, number> | null;

  static from(v: IndicatorSummary): IndicatorValueDto {
    return {
      code: v.code,
      name: v.name,
      definition: v.definition,
      area: v.area,
      period: v.period,
      numerator: v.numerator,
      denominator: v.denominator,
      value: v.value,
      target: v.target,
      gap: v.gap,
      breakdown: v.breakdown ? { ...v.breakdown } : null,
    };
  }
}

export class CountyIndicatorsDto {
  @ApiProperty() countyCode: string;
  @ApiProperty() countyName: string;
  @ApiProperty({ type: [IndicatorValueDto] }) indicators: IndicatorValueDto[];
}

export class TrendPointDto {
  @ApiProperty({ example: '2026-07' }) month: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number', nullable: true },
    description: 'Indicator code → value (null when undefined).',
  })
  values: Record<string, number | null>;
}

export class IndicatorsViewDto {
  @ApiProperty() area: string;
  @ApiProperty() areaName: string;
  @ApiProperty() period: string;
  @ApiProperty({ description: 'First instant (Beijing midnight) in UTC.' }) start: string;
  @ApiProperty({ description: 'End (exclusive).' }) end: string;
  @ApiProperty({ type: [IndicatorValueDto] }) indicators: IndicatorValueDto[];
  @ApiProperty({ type: [CountyIndicatorsDto] }) byCounty: CountyIndicatorsDto[];
  @ApiProperty({ type: [TrendPointDto], description: 'Each month of the year up to the period end.' })
  trend: TrendPointDto[];

  static from(v: IndicatorsView): IndicatorsViewDto {
    return {
      area: v.area,
      areaName: v.areaName,
      period: v.period,
      start: v.start.toISOString(),
      end: v.end.toISOString(),
      indicators: v.indicators.map((i) => IndicatorValueDto.from(i)),
      byCounty: v.byCounty.map((c) => ({
        countyCode: c.countyCode,
        countyName: c.countyName,
        indicators: c.indicators.map((i) => IndicatorValueDto.from(i)),
      })),
      trend: v.trend.map((t) => ({
        month: t.month,
        values: { ...t.values },
      })),
    };
  }
}

export class DrillDownItemDto {
  @ApiProperty({
    description: 'Referral id (`id@YYYY-MM` for a subject-month; a division code for coverage).',
  })
  key: string;
  @ApiProperty({ type: [String], description: 'The events behind it.' }) eventIds: string[];
  @ApiProperty() inNumerator: boolean;

  static from(d: DrillDownItem): DrillDownItemDto {
    return { key: d.key, eventIds: [...d.eventIds], inNumerator: d.inNumerator };
  }
}

export class DrillDownDto {
  @ApiProperty({ type: IndicatorValueDto }) indicator: IndicatorValueDto;
  @ApiProperty({ description: 'Items in the denominator (or counted, for counts).' }) total: number;
  @ApiProperty({ type: [DrillDownItemDto] }) items: DrillDownItemDto[];

  static from(d: DrillDown): DrillDownDto {
    return {
      indicator: IndicatorValueDto.from(d.indicator),
      total: d.total,
      items: d.items.map((i) => DrillDownItemDto.from(i)),
    };
  }
}

export class ReportDto {
  @ApiProperty() id: string;
  @ApiProperty() area: string;
  @ApiProperty() period: string;
  @ApiProperty() version: number;
  @ApiProperty({ enum: ['draft', 'signed'] }) status: string;
  @ApiProperty() generatedAt: string;
  @ApiProperty() generatedBy: string;
  @ApiProperty({ type: String, nullable: true }) signedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) signedBy: string | null;
  @ApiProperty({ type: [IndicatorValueDto], description: 'The numbers as generated (frozen once signed).' })
  indicators: IndicatorValueDto[];

  static from(r: ReportRecord): ReportDto {
    return {
      id: r.id,
      area: r.area,
      period: r.period,
      version: r.version,
      status: r.status,
      generatedAt: r.generatedAt.toISOString(),
      generatedBy: r.generatedBy,
      signedAt: r.signedAt?.toISOString() ?? null,
      signedBy: r.signedBy,
      indicators: r.content.indicators.map((i) => IndicatorValueDto.from(i)),
    };
  }
}
