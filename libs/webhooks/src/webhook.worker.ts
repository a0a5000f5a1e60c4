import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { TransactionHost, systemActor } from '@app/persistence';
import {
  DELIVERY_ID_HEADER,
  EVENT_TYPE_HEADER,
  isLegacySecret,
  retryDelayMs,
  SIGNATURE_HEADER,
  signBody,
  webhookHeaders,
} from './signature';
import { AttemptOutcome, DueDelivery, WebhookRepository } from './webhook.repository';
import { WEBHOOK_SETTINGS, WebhookSettings, WebhookTarget, WebhookTargets } from './webhook.settings';

const BATCH = 20;
const TIMEOUT_MS = 5000;

/**
 * Sends due webhook deliveries (claimed with SKIP LOCKED, so replicas share the work), signs each attempt per
 * Standard Webhooks with the recipient's secret (`webhook-id`, `webhook-timestamp`, `webhook-signature`; a
 * secret minted before that scheme also gets the legacy `X-Signature` until `legacySignatureUntil`), logs every attempt and retries with exponential backoff until the attempt limit.
 */
@Injectable()
export class WebhookWorker implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookWorker.name);
  private readonly task: PeriodicTask;

  constructor(
    private readonly tx: TransactionHost,
    private readonly webhooks: WebhookRepository,
    private readonly targets: WebhookTargets,
    @Inject(WEBHOOK_SETTINGS) private readonly settings: WebhookSettings,
  ) {
    this.task = new PeriodicTask(
      async () => {
        await this.runOnce();
      },
      settings.pollIntervalMs,
      (e) => this.logger.warn(`webhook worker: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  /** One round: sends what is due; returns how many were attempted. */
  async runOnce(): Promise<number> {
    return this.tx.runDetached(async (manager) => {
      const due = await this.webhooks.claimDue(manager, BATCH);
      const targets: (WebhookTarget | undefined)[] = [];
      for (const delivery of due) targets.push(await this.targets.target(delivery.recipientId));
      // HTTP in parallel; the database (one connection per transaction) one statement at a time.
      const outcomes = await Promise.all(due.map((delivery, i) => this.send(delivery, targets[i])));
      for (const [i, delivery] of due.entries()) {
        await this.webhooks.recordAttempt(manager, delivery, outcomes[i]);
      }
      return due.length;
    }, systemActor('webhook-worker'));
  }

  private headers(delivery: DueDelivery, target: WebhookTarget): Record<string, string> {
    // Wall-clock time, not the app's Clock: the receiver compares webhook-timestamp with its own clock.
    const now = new Date();
    const legacyUntil = this.settings.legacySignatureUntil;
    const legacy = isLegacySecret(target.secret) && (!legacyUntil || now < legacyUntil);
    return {
      'Content-Type': 'application/json',
      ...webhookHeaders(delivery.id, delivery.body, target.secret, now),
      ...(legacy ? { [SIGNATURE_HEADER]: signBody(delivery.body, target.secret) } : {}),
      [DELIVERY_ID_HEADER]: delivery.id,
      [EVENT_TYPE_HEADER]: delivery.eventType,
    };
  }

  private async send(delivery: DueDelivery, target: WebhookTarget | undefined): Promise<AttemptOutcome> {
    const started = process.hrtime.bigint();
    const elapsed = () => Number(process.hrtime.bigint() - started) / 1e6;
    const attempts = delivery.attempts + 1;
    if (!target) {
      return { error: 'recipient has no webhook any more', durationMs: 0, delivered: false, giveUp: true };
    }
    let status: number | undefined;
    let error: string | undefined;
    try {
      const response = await fetch(target.url, {
        method: 'POST',
        headers: this.headers(delivery, target),
        body: delivery.body,
        redirect: 'error',
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
      status = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (status < 200 || status >= 300) error = `HTTP ${status}`;
    } catch (e) {
      error = (e as Error).message;
    }
    return {
      status,
      error,
      durationMs: elapsed(),
      delivered: !error,
      giveUp: attempts >= this.settings.maxAttempts,
      retryInMs: retryDelayMs(attempts, this.settings.backoffMs),
    };
  }
}
