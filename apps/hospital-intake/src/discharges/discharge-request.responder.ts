import { BeforeApplicationShutdown, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import type { Msg, Subscription } from '@nats-io/nats-core';
import { REQUESTS } from '@app/contracts';
import { NatsConnectionService } from '@app/messaging';
import { API_KEY_HEADER } from '@app/auth';
import { IntakeChannelsService, NatsReply } from './intake-channels.service';

/** Answers `intake.discharge.submit` requests (core NATS, queue group of this service's replicas). */
@Injectable()
export class DischargeRequestResponder implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(DischargeRequestResponder.name);
  private subscription?: Subscription;
  private readonly inFlight = new Set<Promise<void>>();
  private stopped = false;

  constructor(
    private readonly nats: NatsConnectionService,
    private readonly channels: IntakeChannelsService,
  ) {}

  onApplicationBootstrap(): void {
    void this.nats.ready().then(({ nc }) => {
      if (this.stopped) return;
      const definition = REQUESTS.intakeDischargeSubmit;
      this.subscription = nc.subscribe(this.nats.topology.subject(definition.subject), {
        queue: this.nats.topology.subject(definition.queueGroup),
        callback: (error, msg) => {
          if (error) return this.logger.warn(`discharge requests: ${error.message}`);
          const work = this.answer(msg).finally(() => this.inFlight.delete(work));
          this.inFlight.add(work);
        },
      });
    });
  }

  private async answer(msg: Msg): Promise<void> {
    let reply: NatsReply;
    let body: unknown;
    try {
      body = msg.json();
    } catch {
      body = undefined;
    }
    if (body === undefined) {
      reply = { ok: false, status: 400, code: 'BAD_REQUEST', detail: 'The request body is not valid JSON' };
    } else {
      reply = await this.channels.submitNats(
        msg.headers?.get('X-API-Key') || msg.headers?.get(API_KEY_HEADER),
        body,
      );
    }
    if (!reply.ok && reply.status >= 500) this.logger.error(`discharge request failed with ${reply.code}`);
    if (msg.reply) msg.respond(JSON.stringify(reply));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    await this.subscription?.drain().catch(() => undefined);
    await Promise.allSettled([...this.inFlight]);
  }
}
