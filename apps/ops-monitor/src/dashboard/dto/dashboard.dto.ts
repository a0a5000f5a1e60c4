import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export class DashboardQuery {
  @ApiPropertyOptional({ description: 'Only this GB/T 2260 county.' })
  @IsOptional()
  @Matches(/^\d{6}$/)
  county?: string;
}

export class StageLatencyDto {
  @ApiProperty({ example: 'registered-to-assigned' }) stage: string;
  @ApiProperty({ enum: ['machine', 'human'] }) kind: 'machine' | 'human';
  @ApiProperty() count: number;
  @ApiPropertyOptional({ type: Number, nullable: true, description: 'Seconds (event time).' })
  p50: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) p90: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) p99: number | null;
  @ApiPropertyOptional({ type: Number, nullable: true }) max: number | null;
}

export class StateCountDto {
  @ApiProperty() state: string;
  @ApiProperty() count: number;
}

export class StateCountyCountDto extends StateCountDto {
  @ApiProperty() county: string;
}

export class BreachCountDto {
  @ApiProperty() kind: string;
  @ApiProperty() county: string;
  @ApiProperty() count: number;
}

export class StuckItemDto {
  @ApiProperty() referralId: string;
  @ApiProperty() state: string;
  @ApiProperty() stateSince: string;
  @ApiPropertyOptional({ type: String, nullable: true }) countyCode: string | null;
  @ApiProperty() expectedSeconds: number;
}

export class StuckDto {
  @ApiProperty() total: number;
  @ApiProperty({ type: [StuckItemDto] }) items: StuckItemDto[];
}

export class AlertCountDto {
  @ApiProperty() code: string;
  @ApiProperty() severity: string;
  @ApiProperty() count: number;
}

export class RecentAlertDto {
  @ApiProperty() id: string;
  @ApiProperty() code: string;
  @ApiProperty() severity: string;
  @ApiProperty() service: string;
  @ApiProperty() summary: string;
  @ApiPropertyOptional({ type: String, nullable: true }) referralId: string | null;
  @ApiPropertyOptional({ type: String, nullable: true }) countyCode: string | null;
  @ApiProperty() raisedAt: string;
  @ApiProperty() status: string;
}

export class AlertsOverviewDto {
  @ApiProperty({ type: [AlertCountDto] }) open: AlertCountDto[];
  @ApiProperty({ type: [RecentAlertDto] }) recent: RecentAlertDto[];
}

export class ConsumerLagDto {
  @ApiProperty() consumer: string;
  @ApiProperty() service: string;
  @ApiProperty() stream: string;
  @ApiProperty() pending: number;
  @ApiProperty() ackPending: number;
  @ApiProperty() redelivered: number;
}

export class ServiceCountDto {
  @ApiProperty() service: string;
  @ApiProperty() count: number;
}

export class OutboxDto {
  @ApiProperty() service: string;
  @ApiProperty() pending: number;
  @ApiProperty() oldestAgeSeconds: number;
}

export class BusDto {
  @ApiProperty({ type: [ConsumerLagDto] }) consumers: ConsumerLagDto[];
  @ApiProperty({ type: [ServiceCountDto] }) deadLetters: ServiceCountDto[];
  @ApiProperty({
    type: OutboxDto,
    description: "Ops-monitor's own outbox; other services report theirs on /metrics.",
  })
  outbox: OutboxDto;
}

export class DashboardDto {
  @ApiProperty() generatedAt: string;
  @ApiPropertyOptional({ type: String, nullable: true }) county: string | null;
  @ApiProperty({ type: [String] }) counties: string[];
  @ApiProperty({ type: [StageLatencyDto] }) latency: StageLatencyDto[];
  @ApiProperty({ type: [StateCountDto] }) referralsByState: StateCountDto[];
  @ApiProperty({ type: [StateCountyCountDto] }) referralsByCounty: StateCountyCountDto[];
  @ApiProperty({ type: [BreachCountDto] }) slaBreaches: BreachCountDto[];
  @ApiProperty({ type: StuckDto }) stuck: StuckDto;
  @ApiProperty({ type: AlertsOverviewDto }) alerts: AlertsOverviewDto;
  @ApiProperty({ type: BusDto }) bus: BusDto;
}
