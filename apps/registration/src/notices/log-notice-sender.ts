import { Logger } from '@nestjs/common';
import { NoticeSender, OutgoingNotice, SendResult } from './notice-sender';
import { maskPhone } from '../vault/patient-vault.service';

/**
 * Development sender: one log line per notice with its id, template code and the masked number. Never the text
 * or the parameters (they may name a site near the person's home), never the number itself.
 */
export class LogNoticeSender implements NoticeSender {
  readonly name = 'log';
  private readonly logger = new Logger('NoticeSender');

  send(notice: OutgoingNotice): Promise<SendResult> {
    this.logger.log(
      `notice ${notice.noticeId} template=${notice.templateCode} to=${maskPhone(notice.to)} (development sender: not sent)`,
    );
    return Promise.resolve({ status: 'delivered', deliveryId: `log-${notice.noticeId}` });
  }
}
