import { Module } from '@nestjs/common';
import { ReadModelModule } from '../read-model.module';
import { StuckService } from './stuck.service';
import { StuckSweeper } from './stuck.sweeper';

@Module({
  imports: [ReadModelModule],
  providers: [StuckService, StuckSweeper],
  exports: [StuckService],
})
export class StuckModule {}
