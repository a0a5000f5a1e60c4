import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { GreenCaseRepository } from './green-case.repository';
import { GreenCaseSweeper } from './green-case.sweeper';
import { GreenCasesController } from './green-cases.controller';
import { GreenCasesService } from './green-cases.service';
import { GreenEventsController } from './green-events.controller';
import { GreenLadderService } from './green-ladder.service';
import { HospitalNotifier } from './hospital-notifier.service';
import { HospitalWebhookTargets } from './hospital-webhook-targets';

/** The green channel at the hospital end: cases, the escalation ladder and its timer, notices on every channel. */
@Module({
  imports: [
    HospitalsModule,
    WebhooksModule.register({
      imports: [HospitalsModule],
      targets: HospitalWebhookTargets,
      settings: {
        inject: [HOSPITAL_INTAKE_CONFIG],
        useFactory: (config: HospitalIntakeConfig) => config.webhooks,
      },
    }),
  ],
  controllers: [GreenCasesController, GreenEventsController],
  exports: [HospitalNotifier],
  providers: [GreenCaseRepository, GreenLadderService, HospitalNotifier, GreenCasesService, GreenCaseSweeper],
})
export class GreenCasesModule {}
