import { BaseRpcContext } from '@nestjs/microservices';
import { JsMsg } from '@nats-io/jetstream';
import { ConsumerDefinition, EventEnvelope } from '@app/contracts';

type JetStreamContextArgs = [JsMsg, EventEnvelope, ConsumerDefinition];

/** What a handler can learn about the delivery it is processing (`@Ctx() ctx: JetStreamContext`). */
export class JetStreamContext extends BaseRpcContext<JetStreamContextArgs> {
  getMessage(): JsMsg {
    return this.args[0];
  }

  getEnvelope(): EventEnvelope {
    return this.args[1];
  }

  getConsumer(): ConsumerDefinition {
    return this.args[2];
  }

  /** 1 on first delivery. */
  getDeliveryCount(): number {
    return this.args[0].info.deliveryCount;
  }

  /** Tells the server the handler is still working (resets ack_wait). */
  working(): void {
    this.args[0].working();
  }
}
