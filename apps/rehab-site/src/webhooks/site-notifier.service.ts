import { Injectable } from '@nestjs/common';
import {
  EVENTS,
  SiteReferralAssignedData,
  SiteReferralEscalatedData,
  SiteReferralRevokedData,
} from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { SiteRepository } from '../directory/site.repository';
import { WebhookRepository, webhookBody } from '@app/webhooks';

export interface NoticeOptions {
  /** Whether the site takes webhooks, when the caller already read it (saves a round trip). */
  hasWebhook?: boolean;
}

/**
 * Tells one site about its referrals, in the caller's transaction: on its own NATS subject
 * (`site.<siteId>.referral.*`, through the outbox) and, when it registered one, by signed webhook.
 */
@Injectable()
export class SiteNotifier {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly sites: SiteRepository,
    private readonly webhooks: WebhookRepository,
  ) {}

  async assigned(data: SiteReferralAssignedData, at: Date, options: NoticeOptions = {}): Promise<void> {
    await this.notify(EVENTS.siteReferralAssigned, data, at, options);
  }

  async revoked(data: SiteReferralRevokedData, at: Date): Promise<void> {
    await this.notify(EVENTS.siteReferralRevoked, data, at);
  }

  /** To the county centre: a site in its county let a referral's answer window pass. */
  async escalatedToCountyCentre(data: SiteReferralEscalatedData, at: Date): Promise<void> {
    await this.notify(EVENTS.siteReferralEscalated, data, at);
  }

  private async notify(
    definition:
      | typeof EVENTS.siteReferralAssigned
      | typeof EVENTS.siteReferralRevoked
      | typeof EVENTS.siteReferralEscalated,
    data: SiteReferralAssignedData | SiteReferralRevokedData | SiteReferralEscalatedData,
    at: Date,
    options: NoticeOptions = {},
  ): Promise<void> {
    const id = await this.publisher.publish(
      definition as typeof EVENTS.siteReferralAssigned,
      data as SiteReferralAssignedData,
      { subject: data.referralId, recipient: data.siteId, time: at },
    );
    const hasWebhook = options.hasWebhook ?? (await this.sites.webhookTarget(data.siteId)) !== undefined;
    if (hasWebhook) {
      const body = webhookBody({ id, type: definition.type, time: at, subject: data.referralId, data });
      await this.webhooks.enqueue(data.siteId, data.referralId, definition.type, body);
    }
  }
}
