import { Module } from '@nestjs/common';
import { OpsStatsController, ProviderStatsController } from './stats.controller';
import { StatsRepository } from './stats.repository';
import { StatsService } from './stats.service';

@Module({
  controllers: [OpsStatsController, ProviderStatsController],
  providers: [StatsRepository, StatsService],
})
export class StatsModule {}
