import { Injectable } from '@nestjs/common';
import { FieldCipher } from '@app/crypto';
import { WebhookTarget, WebhookTargets } from '@app/webhooks';
import { WEBHOOK_SECRET_CONTEXT } from '../directory/directory.service';
import { SiteRepository } from '../directory/site.repository';

/** A site's webhook URL and its signing secret, opened from the directory. */
@Injectable()
export class SiteWebhookTargets extends WebhookTargets {
  constructor(
    private readonly sites: SiteRepository,
    private readonly cipher: FieldCipher,
  ) {
    super();
  }

  async target(siteId: string): Promise<WebhookTarget | undefined> {
    const target = await this.sites.webhookTarget(siteId);
    return target && { url: target.url, secret: this.cipher.open(target.secret, WEBHOOK_SECRET_CONTEXT) };
  }
}
