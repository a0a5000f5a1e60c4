import { randomUUID } from 'node:crypto';
import { Registry } from 'prom-client';
import { EVENTS, recipientSubject } from '@app/contracts';
import { TransactionHost } from '@app/persistence';
import { MessagingMetrics } from '../messaging.metrics';
import { MessagingOptions } from '../messaging.options';
import { NatsConnectionService } from '../nats-connection.service';
import { Topology } from '../topology';
import { OutboxRelayService } from './outbox-relay.service';
import { NewOutboxRow, OutboxRepository } from './outbox.repository';

const row = (subject: string): NewOutboxRow => ({
  id: randomUUID(),
  subject,
  eventType: subject,
  orderingKey: randomUUID(),
  payload: '{}',
  headers: {},
});

/**
 * The handoff's scheduling, with the database and the bus stubbed: which committed rows are published while
 * others still wait for their acks.
 */
describe('OutboxRelayService handoff lanes', () => {
  function relayWithStalledBus() {
    const published: string[] = [];
    const acks: (() => void)[] = [];
    const js = {
      publish: (subject: string) => {
        published.push(subject);
        return new Promise((resolve) =>
          acks.push(() => resolve({ seq: published.length, duplicate: false })),
        );
      },
    };
    let committed: (rows: NewOutboxRow[]) => void = () => undefined;
    const outbox = {
      handOffTo: (callback: (rows: NewOutboxRow[]) => void) => (committed = callback),
      handoffStates: (ids: readonly string[]) =>
        Promise.resolve(ids.map((id) => ({ id, attempts: 0, blocked: false }))),
      markPublished: () => Promise.resolve(false),
      markFailed: () => Promise.resolve(),
      releaseHandoff: () => Promise.resolve(),
    } as unknown as OutboxRepository;
    const nats = {
      connected: true,
      ready: () => Promise.resolve({ js }),
      topology: new Topology('t'),
    } as unknown as NatsConnectionService;
    const relay = new OutboxRelayService(
      { dataSource: { manager: {} } } as unknown as TransactionHost,
      outbox,
      nats,
      new MessagingMetrics(new Registry()),
      { outboxHandoffMs: 5000 } as MessagingOptions,
    );
    // What onApplicationBootstrap does for the handoff, without the relay's loop and LISTEN connection.
    Object.assign(relay, { running: true });
    outbox.handOffTo(
      (rows) => (relay as unknown as { handOff(rows: NewOutboxRow[]): void }).handOff(rows),
      5000,
    );
    const settle = async () => {
      for (let i = 0; i < 20; i++) await new Promise((r) => setImmediate(r));
    };
    return { published, acks, commit: (rows: NewOutboxRow[]) => committed(rows), settle, relay };
  }

  it('should publish a commit with a green-channel event while routine commits wait for their acks', async () => {
    const { published, acks, commit, settle, relay } = relayWithStalledBus();
    const routine = [1, 2, 3].map(() => row(EVENTS.referralRegistered.subject));
    routine.forEach((r) => commit([r]));
    await settle();
    // Two routine workers, each waiting for its ack; the third commit queues behind them.
    expect(published).toEqual(['t.referral.registered', 't.referral.registered']);

    commit([row(EVENTS.greenNotified.subject), row(recipientSubject(EVENTS.hospitalGreenOffered, 'h1'))]);
    await settle();
    expect(published).toEqual([
      't.referral.registered',
      't.referral.registered',
      't.green.notified',
      't.hospital.h1.green.offered',
    ]);

    while (acks.length > 0) {
      acks.shift()!();
      await settle();
    }
    await relay.settleHandoffs();
    expect(published.filter((s) => s === 't.referral.registered')).toHaveLength(3);
  });

  it('should keep routine commits on two workers: a third waits for one of them', async () => {
    const { published, acks, commit, settle, relay } = relayWithStalledBus();
    [1, 2, 3, 4].forEach(() => commit([row(recipientSubject(EVENTS.hospitalReferralStep, 'h1'))]));
    await settle();
    expect(published).toHaveLength(2);
    acks.shift()!();
    await settle();
    // The freed worker takes both queued commits together.
    expect(published).toHaveLength(4);
    while (acks.length > 0) {
      acks.shift()!();
      await settle();
    }
    await relay.settleHandoffs();
  });
});
