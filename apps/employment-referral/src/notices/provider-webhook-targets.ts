import { Injectable } from '@nestjs/common';
import { FieldCipher } from '@app/crypto';
import { WebhookTarget, WebhookTargets } from '@app/webhooks';
import { PROVIDER_WEBHOOK_SECRET_CONTEXT } from '../providers/providers.service';
import { ProviderRepository } from '../providers/provider.repository';

/** A provider's webhook URL and its signing secret, opened from the directory. */
@Injectable()
export class ProviderWebhookTargets extends WebhookTargets {
  constructor(
    private readonly providers: ProviderRepository,
    private readonly cipher: FieldCipher,
  ) {
    super();
  }

  async target(providerId: string): Promise<WebhookTarget | undefined> {
    const target = await this.providers.webhookTarget(providerId);
    return (
      target && { url: target.url, secret: this.cipher.open(target.secret, PROVIDER_WEBHOOK_SECRET_CONTEXT) }
    );
  }
}
