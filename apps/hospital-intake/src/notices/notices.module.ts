import { Module } from '@nestjs/common';
import { WebhooksModule } from '@app/webhooks';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { HospitalNotifier } from './hospital-notifier.service';
import { HospitalWebhookTargets } from './hospital-webhook-targets';

/**
 * The one way hospital-intake tells a hospital something: its NATS subject (`hospital.<id>.…`, outbox) and its
 * signed webhook (@app/webhooks: retries, delivery log). Green-case notices, assessment reminders and every
 * step of a referral's timeline go through it.
 */
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
  providers: [HospitalNotifier],
  exports: [HospitalNotifier],
})
export class NoticesModule {}
