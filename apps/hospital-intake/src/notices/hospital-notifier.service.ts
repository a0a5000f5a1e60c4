import { Injectable } from '@nestjs/common';
import {
  EVENTS,
  HospitalGreenOfferedData,
  HospitalGreenWithdrawnData,
  HospitalReferralStepData,
} from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { WebhookRepository, webhookBody } from '@app/webhooks';
import { HospitalRepository } from '../hospitals/hospital.repository';

type Notice =
  | { definition: typeof EVENTS.hospitalGreenOffered; data: HospitalGreenOfferedData }
  | { definition: typeof EVENTS.hospitalGreenWithdrawn; data: HospitalGreenWithdrawnData }
  | { definition: typeof EVENTS.hospitalReferralStep; data: HospitalReferralStepData };

/**
 * Tells one hospital something, in the caller's transaction, on every channel it has: its own NATS subject
 * (`hospital.<hospitalId>.…`, through the outbox) and, when it registered one, a signed webhook (@app/webhooks,
 * the sites' scheme: retries and a delivery log). The one mechanism for green-case notices, every step of a
 * referral's timeline (`hospital.<id>.referral.step`) and, webhook only, the assessment reminder. The HTTP API
 * (worklist, timeline) is the pull channel. Ids and codes only, no PII.
 */
@Injectable()
export class HospitalNotifier {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly hospitals: HospitalRepository,
    private readonly webhooks: WebhookRepository,
  ) {}

  offered(data: HospitalGreenOfferedData, at: Date): Promise<void> {
    return this.notify({ definition: EVENTS.hospitalGreenOffered, data }, at);
  }

  withdrawn(data: HospitalGreenWithdrawnData, at: Date): Promise<void> {
    return this.notify({ definition: EVENTS.hospitalGreenWithdrawn, data }, at);
  }

  /**
   * One new step on the timeline of one of the hospital's referrals; `hasWebhook` as the caller already read it
   * with the referral's lock (steps are the hot path: no second look-up of the hospital).
   */
  step(data: HospitalReferralStepData, at: Date, hasWebhook: boolean): Promise<void> {
    return this.notify({ definition: EVENTS.hospitalReferralStep, data }, at, hasWebhook);
  }

  private async notify(notice: Notice, at: Date, hasWebhook?: boolean): Promise<void> {
    const { definition, data } = notice;
    const id = await this.publisher.publish(definition as typeof EVENTS.hospitalGreenOffered, data as never, {
      subject: data.referralId,
      recipient: data.hospitalId,
      time: at,
    });
    await this.webhook(
      { id, type: definition.type, time: at, hospitalId: data.hospitalId, data },
      hasWebhook,
    );
  }

  /**
   * The event `id` of `type` to the hospital's signed webhook, when it registered one (same transaction);
   * `hasWebhook` when the caller knows already, otherwise it is looked up.
   */
  async webhook(
    notice: {
      id: string;
      type: string;
      time: Date;
      hospitalId: string;
      data: { referralId: string };
    },
    hasWebhook?: boolean,
  ): Promise<void> {
    const { id, type, time, hospitalId, data } = notice;
    if (!(hasWebhook ?? (await this.hospitals.webhookTarget(hospitalId)) !== undefined)) return;
    const body = webhookBody({ id, type, time, subject: data.referralId, data });
    await this.webhooks.enqueue(hospitalId, data.referralId, type, body);
  }
}
