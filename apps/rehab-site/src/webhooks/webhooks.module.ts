import { Module } from '@nestjs/common';
import { WebhooksModule as SignedWebhooksModule } from '@app/webhooks';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { DirectoryModule } from '../directory/directory.module';
import { SiteNotifier } from './site-notifier.service';
import { SiteWebhookTargets } from './site-webhook-targets';

const signedWebhooks = SignedWebhooksModule.register({
  imports: [DirectoryModule],
  targets: SiteWebhookTargets,
  settings: {
    inject: [REHAB_SITE_CONFIG],
    useFactory: (config: RehabSiteConfig) => config.webhooks,
  },
});

/** Site notices: per-site NATS subjects and the signed webhooks of @app/webhooks. */
@Module({
  imports: [DirectoryModule, signedWebhooks],
  providers: [SiteNotifier],
  exports: [SiteNotifier, signedWebhooks],
})
export class WebhooksModule {}
