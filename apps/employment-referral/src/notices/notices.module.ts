import { Module } from '@nestjs/common';
import { WebhooksModule as SignedWebhooksModule } from '@app/webhooks';
import { EMPLOYMENT_REFERRAL_CONFIG, EmploymentReferralConfig } from '../config/employment-referral.config';
import { ProvidersModule } from '../providers/providers.module';
import { ProviderNotifier } from './provider-notifier.service';
import { ProviderWebhookTargets } from './provider-webhook-targets';

const signedWebhooks = SignedWebhooksModule.register({
  imports: [ProvidersModule],
  targets: ProviderWebhookTargets,
  settings: {
    inject: [EMPLOYMENT_REFERRAL_CONFIG],
    useFactory: (config: EmploymentReferralConfig) => config.webhooks,
  },
});

/** Provider notices: per-provider NATS subjects and the signed webhooks of @app/webhooks. */
@Module({
  imports: [ProvidersModule, signedWebhooks],
  providers: [ProviderNotifier],
  exports: [ProviderNotifier],
})
export class NoticesModule {}
