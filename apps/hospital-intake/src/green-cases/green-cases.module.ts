import { Module } from '@nestjs/common';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { NoticesModule } from '../notices/notices.module';
import { TimelineModule } from '../timeline/timeline.module';
import { GreenCaseRepository } from './green-case.repository';
import { GreenCaseSweeper } from './green-case.sweeper';
import { GreenCasesController } from './green-cases.controller';
import { GreenCasesService } from './green-cases.service';
import { GreenEventsController } from './green-events.controller';
import { GreenLadderService } from './green-ladder.service';

/** The green channel at the hospital end: cases, the escalation ladder and its timer, notices on every channel. */
@Module({
  imports: [HospitalsModule, NoticesModule, TimelineModule],
  controllers: [GreenCasesController, GreenEventsController],
  providers: [GreenCaseRepository, GreenLadderService, GreenCasesService, GreenCaseSweeper],
})
export class GreenCasesModule {}
