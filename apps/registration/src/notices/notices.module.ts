import { Module, Provider } from '@nestjs/common';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { VaultModule } from '../vault/vault.module';
import { LogNoticeSender } from './log-notice-sender';
import { NoticeDispatcher } from './notice-dispatcher.service';
import { NOTICE_SENDER, NoticeSender } from './notice-sender';
import { NoticeRepository } from './notice.repository';
import { NoticeService } from './notice.service';
import { SmsGatewayNoticeSender } from './sms-gateway-notice-sender';

/** The sender NOTICE_SENDER names (validated at boot: sms-gateway needs its URL, key and callback secret). */
export function noticeSenderOf(config: RegistrationConfig): NoticeSender {
  const { sender, smsGateway } = config.notices;
  if (sender === 'sms-gateway') {
    if (!smsGateway) throw new Error('NOTICE_SENDER=sms-gateway needs the SMS gateway settings');
    return new SmsGatewayNoticeSender(smsGateway);
  }
  return new LogNoticeSender();
}

const senderProvider: Provider = {
  provide: NOTICE_SENDER,
  inject: [REGISTRATION_CONFIG],
  useFactory: noticeSenderOf,
};

/**
 * Notices to the patient and guardian: queued by the features (NoticeService, in their transaction), sent by
 * the dispatcher through the configured sender. The HTTP side (list, delivery receipts) is NoticeApiModule.
 */
@Module({
  imports: [VaultModule],
  providers: [NoticeRepository, NoticeService, NoticeDispatcher, senderProvider],
  exports: [NoticeService, NoticeRepository, NoticeDispatcher],
})
export class NoticesModule {}
