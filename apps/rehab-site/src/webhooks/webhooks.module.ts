import { Module } from '@nestjs/common';
import { DirectoryModule } from '../directory/directory.module';
import { SiteNotifier } from './site-notifier.service';
import { WebhookRepository } from './webhook.repository';
import { WebhookWorker } from './webhook.worker';

@Module({
  imports: [DirectoryModule],
  providers: [WebhookRepository, SiteNotifier, WebhookWorker],
  exports: [WebhookRepository, SiteNotifier],
})
export class WebhooksModule {}
