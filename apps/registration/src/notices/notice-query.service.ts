import { Inject, Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { Clock, DomainException } from '@app/core';
import { systemActor, TransactionHost } from '@app/persistence';
import { Caller, callerActor, notFound, restAudit } from '../auth/caller';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { RegistrationRepository } from '../registrations/registration.repository';
import { RegistrationsService } from '../registrations/registrations.service';
import { DeliveryReceiptDto, NoticeViewDto } from './dto/notice.dto';
import { NoticeRecord, NoticeRepository } from './notice.repository';
import { verifyDeliveryReceipt } from './sms-gateway-notice-sender';

const toView = (n: NoticeRecord): NoticeViewDto => ({
  noticeId: n.id,
  referralId: n.referralId,
  recipientRole: n.recipientRole,
  channel: n.channel,
  templateCode: n.templateCode,
  recipient: n.recipientMasked,
  status: n.status,
  attempts: n.attempts,
  failureReason: n.failureReason,
  createdAt: n.createdAt.toISOString(),
  sentAt: n.sentAt?.toISOString() ?? null,
  deliveredAt: n.deliveredAt?.toISOString() ?? null,
  failedAt: n.failedAt?.toISOString() ?? null,
  nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
});

/** A registration's notices for the registration office and ops, and the gateway's delivery receipts. */
@Injectable()
export class NoticeQueryService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly notices: NoticeRepository,
    private readonly registrations: RegistrationRepository,
    private readonly views: RegistrationsService,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  /** The county centre of one of the person's applications (others: 404). */
  listForCentre(caller: Caller, registrationId: string, limit: number): Promise<NoticeViewDto[]> {
    const entry = restAudit('notices', 'R', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const registration = await this.registrations.findRegistration(registrationId);
      if (!registration || !(await this.views.canSee(caller, registrationId))) throw notFound('registration');
      // The notice table is the service's own: read it once the caller's access is checked.
      return (await this.tx.elevated(() => this.notices.listByRegistration(registrationId, limit))).map(
        toView,
      );
    });
  }

  listForOps(userId: string, registrationId: string, limit: number): Promise<NoticeViewDto[]> {
    const entry = restAudit('notices', 'R', 'registration', registrationId);
    return this.audit.audited(systemActor('ops-read', userId), entry, async () => {
      if (!(await this.registrations.findRegistration(registrationId))) throw notFound('registration');
      return (await this.notices.listByRegistration(registrationId, limit)).map(toView);
    });
  }

  /** A delivery receipt: its signature checked with the gateway's callback secret, then recorded (idempotent). */
  async recordReceipt(receipt: DeliveryReceiptDto, signature: string | undefined): Promise<void> {
    const secret = this.config.notices.smsGateway?.callbackSecret;
    if (!secret || !verifyDeliveryReceipt(receipt, secret, signature)) {
      throw new DomainException('RECEIPT_SIGNATURE_INVALID', 'unauthenticated', 'missing or wrong signature');
    }
    const found = await this.tx.run(
      () =>
        this.notices.recordReceipt(
          receipt.messageId,
          receipt.status,
          receipt.reason ?? null,
          new Date(receipt.at),
          this.clock.now(),
        ),
      systemActor('sms-gateway'),
    );
    if (!found) throw notFound('message');
  }
}
