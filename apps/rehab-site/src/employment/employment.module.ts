import { Module } from '@nestjs/common';
import { EmploymentEventsController } from './employment-events.controller';
import { EmploymentOutcomeRepository } from './employment-outcome.repository';
import { EmploymentOutcomeService } from './employment-outcome.service';

/** The employment outcome of the site's referrals (employment.stage-changed), shown on the referral view. */
@Module({
  controllers: [EmploymentEventsController],
  providers: [EmploymentOutcomeRepository, EmploymentOutcomeService],
  exports: [EmploymentOutcomeService],
})
export class EmploymentModule {}
