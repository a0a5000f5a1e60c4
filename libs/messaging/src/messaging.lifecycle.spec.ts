import { MessagingLifecycle } from './messaging.lifecycle';
import { MessagingOptions } from './messaging.options';
import { NatsConnectionService } from './nats-connection.service';
import { OutboxRelayService } from './outbox/outbox-relay.service';
import { JetStreamServer } from './transport/jetstream.server';

describe(MessagingLifecycle.name, () => {
  const never = () => new Promise<void>(() => undefined);
  const options = { shutdownGraceMs: 50 } as MessagingOptions;

  function lifecycle(steps: {
    server?: () => Promise<void>;
    relay?: () => Promise<void>;
    drain?: () => Promise<void>;
  }) {
    const calls: string[] = [];
    const server = {
      close: jest.fn(() => (calls.push('server'), (steps.server ?? (() => Promise.resolve()))())),
    };
    const relay = {
      stop: jest.fn(() => (calls.push('relay'), (steps.relay ?? (() => Promise.resolve()))())),
    };
    const nats = {
      close: jest.fn(() => (calls.push('drain'), (steps.drain ?? (() => Promise.resolve()))())),
      forceClose: jest.fn(() => (calls.push('force'), Promise.resolve())),
    };
    const sut = new MessagingLifecycle(
      server as unknown as JetStreamServer,
      relay as unknown as OutboxRelayService,
      nats as unknown as NatsConnectionService,
      options,
    );
    return { sut, calls };
  }

  it('should stop consumers, flush the outbox and drain NATS, in that order', async () => {
    const { sut, calls } = lifecycle({});
    await sut.beforeApplicationShutdown();
    expect(calls).toEqual(['server', 'relay', 'drain']);
  });

  it('should end even when every step hangs: each is left after the grace period, NATS is closed outright', async () => {
    const { sut, calls } = lifecycle({ server: never, relay: never, drain: never });
    const started = Date.now();
    await sut.beforeApplicationShutdown();
    expect(calls).toEqual(['server', 'relay', 'drain', 'force']);
    expect(Date.now() - started).toBeLessThan(3 * (options.shutdownGraceMs + 1000) + 500);
  });
});
