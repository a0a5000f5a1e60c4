import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '@app/core';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { AssessmentTimersService } from './assessment-timers.service';

/** Periodically raises periodic-assessment due/overdue notices (by the injected Clock). */
@Injectable()
export class AssessmentTimerSweeper extends PeriodicSweeper {
  constructor(timers: AssessmentTimersService, @Inject(REHAB_SITE_CONFIG) config: RehabSiteConfig) {
    super(
      AssessmentTimerSweeper.name,
      config.sweepIntervalMs,
      () => timers.raiseOwed(),
      'periodic-assessment notices raised',
    );
  }
}
