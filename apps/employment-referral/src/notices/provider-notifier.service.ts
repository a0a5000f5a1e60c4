import { Injectable } from '@nestjs/common';
import { EVENTS, ProviderReferralOfferedData, ProviderReferralRevokedData } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { WebhookRepository, webhookBody } from '@app/webhooks';
import { ProviderRepository } from '../providers/provider.repository';

/**
 * Tells one employment provider about its referrals, in the caller's transaction: on its own NATS subject
 * (`provider.<providerId>.referral.*`, through the outbox) and, when it registered one, by signed webhook
 * (@app/webhooks, the same outbox and worker as sites and hospitals). Ids only: it fetches over HTTPS.
 */
@Injectable()
export class ProviderNotifier {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly providers: ProviderRepository,
    private readonly webhooks: WebhookRepository,
  ) {}

  async offered(data: ProviderReferralOfferedData, at: Date): Promise<void> {
    await this.notify(EVENTS.providerReferralOffered, data, at);
  }

  /** Access gone: the notice goes out, and webhooks still queued for the referral are cancelled first. */
  async revoked(data: ProviderReferralRevokedData, at: Date): Promise<void> {
    await this.webhooks.cancelForSubject(data.referralId, `provider access revoked (${data.reason})`);
    await this.notify(EVENTS.providerReferralRevoked, data, at);
  }

  private async notify(
    definition: typeof EVENTS.providerReferralOffered | typeof EVENTS.providerReferralRevoked,
    data: ProviderReferralOfferedData | ProviderReferralRevokedData,
    at: Date,
  ): Promise<void> {
    const id = await this.publisher.publish(
      definition as typeof EVENTS.providerReferralOffered,
      data as ProviderReferralOfferedData,
      { subject: data.referralId, recipient: data.providerId, time: at },
    );
    if (await this.providers.hasWebhook(data.providerId)) {
      const body = webhookBody({ id, type: definition.type, time: at, subject: data.referralId, data });
      await this.webhooks.enqueue(data.providerId, data.referralId, definition.type, body);
    }
  }
}
