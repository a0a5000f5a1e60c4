import { Injectable } from '@nestjs/common';
import { FieldCipher } from '@app/crypto';
import { WebhookTarget, WebhookTargets } from '@app/webhooks';
import { HospitalRepository } from '../hospitals/hospital.repository';
import { HOSPITAL_WEBHOOK_SECRET_CONTEXT } from '../hospitals/hospital.service';

/** A hospital's green-case webhook URL and its signing secret, opened from the registry. */
@Injectable()
export class HospitalWebhookTargets extends WebhookTargets {
  constructor(
    private readonly hospitals: HospitalRepository,
    private readonly cipher: FieldCipher,
  ) {
    super();
  }

  async target(hospitalId: string): Promise<WebhookTarget | undefined> {
    const target = await this.hospitals.webhookTarget(hospitalId);
    return (
      target && { url: target.url, secret: this.cipher.open(target.secret, HOSPITAL_WEBHOOK_SECRET_CONTEXT) }
    );
  }
}
