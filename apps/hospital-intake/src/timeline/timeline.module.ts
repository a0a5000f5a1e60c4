import { Module } from '@nestjs/common';
import { NoticesModule } from '../notices/notices.module';
import { TimelineRepository } from './timeline.repository';
import { TimelineService } from './timeline.service';

/** Each referral's steps as its referring hospital sees them, pushed on every channel as they are recorded. */
@Module({
  imports: [NoticesModule],
  providers: [TimelineRepository, TimelineService],
  exports: [TimelineService],
})
export class TimelineModule {}
