import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Clock, PeriodicTask } from '@app/core';
import { systemActor, TransactionHost } from '@app/persistence';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { PatientVaultService } from '../vault/patient-vault.service';
import { NOTICE_SENDER, NoticeSender, TransientSendError } from './notice-sender';
import { renderNotice } from './notice-templates';
import { ClaimedNotice, NoticeRepository } from './notice.repository';

const BATCH = 50;
const MAX_BACKOFF_MS = 3_600_000;

export interface DispatchResult {
  readonly sent: number;
  readonly retried: number;
  readonly failed: number;
}

/** Delay before attempt `attempts + 1`: base × 2^(attempts − 1), capped at one hour. */
export function noticeRetryDelayMs(attempts: number, baseMs: number): number {
  return Math.min(baseMs * 2 ** Math.max(0, Math.min(attempts - 1, 20)), MAX_BACKOFF_MS);
}

/**
 * Sends queued notices (outbox-like). A batch is claimed in one short transaction (status `sending` under a
 * lease, attempt counted), sent outside any transaction, and each outcome recorded in its own: a crash before
 * the outcome is recorded leaves the notice `sending` until its lease runs out, then it is sent again under the
 * same notice id, which the gateway treats as the same message; nothing is lost and nothing doubled. Transient
 * failures retry with exponential backoff until NOTICE_MAX_ATTEMPTS, then the notice is `failed` with its reason.
 */
@Injectable()
export class NoticeDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(NoticeDispatcher.name);
  private task?: PeriodicTask;

  constructor(
    private readonly tx: TransactionHost,
    private readonly notices: NoticeRepository,
    private readonly vault: PatientVaultService,
    @Inject(NOTICE_SENDER) private readonly sender: NoticeSender,
    private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.notices.dispatchIntervalMs <= 0) return;
    this.task = new PeriodicTask(
      async () => void (await this.dispatch()),
      this.config.notices.dispatchIntervalMs,
      (error) => this.logger.warn(`notice dispatch failed: ${error.message}`),
    );
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }

  /** One pass at the clock's current time (the periodic task calls it; tests call it after setting the clock). */
  async dispatch(): Promise<DispatchResult> {
    const now = this.clock.now();
    const claimed = await this.tx.run(
      () => this.notices.claimDue(now, new Date(now.getTime() + this.config.notices.leaseMs), BATCH),
      systemActor('notice-dispatcher'),
    );
    const result = { sent: 0, retried: 0, failed: 0 };
    for (const notice of claimed) result[await this.sendOne(notice)] += 1;
    return result;
  }

  private async sendOne(notice: ClaimedNotice): Promise<keyof DispatchResult> {
    const record = <T>(work: () => Promise<T>) => this.tx.run(work, systemActor('notice-dispatcher'));
    const sender = this.sender.name;
    if (!notice.recipientSealed) {
      await record(() =>
        this.notices.markFailed(notice.id, null, 'no recipient on record', this.clock.now()),
      );
      return 'failed';
    }
    try {
      const result = await this.sender.send({
        noticeId: notice.id,
        to: this.vault.openNoticeRecipient(notice.id, notice.recipientSealed),
        templateCode: notice.templateCode,
        params: notice.params,
        text: renderNotice(notice.templateCode, notice.params),
      });
      const now = this.clock.now();
      if (result.status === 'rejected') {
        await record(() => this.notices.markFailed(notice.id, sender, result.reason, now));
        return 'failed';
      }
      await record(() =>
        this.notices.markSent(notice.id, sender, result.deliveryId, result.status === 'delivered', now),
      );
      return 'sent';
    } catch (error) {
      const now = this.clock.now();
      const reason =
        error instanceof TransientSendError ? error.message : `send error: ${(error as Error).name}`;
      if (notice.attempts >= this.config.notices.maxAttempts) {
        await record(() =>
          this.notices.markFailed(notice.id, sender, `${reason} (after ${notice.attempts} attempts)`, now),
        );
        this.logger.warn(`notice ${notice.id} failed after ${notice.attempts} attempts: ${reason}`);
        return 'failed';
      }
      const next = new Date(
        now.getTime() + noticeRetryDelayMs(notice.attempts, this.config.notices.retryBaseMs),
      );
      await record(() => this.notices.markRetry(notice.id, sender, reason, next, now));
      return 'retried';
    }
  }
}
