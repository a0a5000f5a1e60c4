import { AckPolicy, ConsumerInfo, StorageType, StreamInfo } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { CONSUMERS, ConsumerDefinition, StreamKey, STREAMS } from '@app/contracts';
import { Topology } from '../topology';
import { judgeDurability } from './durability-check';

const topology = new Topology('');

function stream(key: StreamKey, overrides: Partial<StreamInfo['config']> = {}): StreamInfo {
  return {
    config: {
      name: STREAMS[key].name,
      storage: StorageType.File,
      num_replicas: 1,
      duplicate_window: nanos(STREAMS[key].duplicateWindowSeconds * 1000),
      max_msgs: -1,
      max_bytes: -1,
      ...overrides,
    },
  } as unknown as StreamInfo;
}

function consumer(
  definition: ConsumerDefinition,
  overrides: Partial<ConsumerInfo['config']> = {},
): ConsumerInfo {
  return {
    config: {
      ack_policy: AckPolicy.Explicit,
      max_deliver: definition.delivery.maxDeliver + 5,
      max_ack_pending: 1000,
      ...overrides,
    },
    num_ack_pending: 0,
  } as unknown as ConsumerInfo;
}

const healthyStreams = () =>
  new Map<StreamKey, StreamInfo | undefined>(
    (Object.keys(STREAMS) as StreamKey[]).map((k) => [k, stream(k)]),
  );
const healthyConsumers = () =>
  new Map<ConsumerDefinition, ConsumerInfo | undefined>(
    Object.values<ConsumerDefinition>(CONSUMERS).map((c) => [c, consumer(c)]),
  );
const errors = (findings: ReturnType<typeof judgeDurability>) => findings.filter((f) => f.level === 'error');

describe(judgeDurability.name, () => {
  it('should find no error in the provisioned shape on a single 2.9 server, but warn about fsync', () => {
    const findings = judgeDurability({ version: '2.9.10' }, healthyStreams(), healthyConsumers(), topology);

    expect(errors(findings)).toEqual([]);
    expect(findings).toContainEqual(expect.objectContaining({ level: 'warning', check: 'sync_interval' }));
    expect(findings).toContainEqual(expect.objectContaining({ level: 'warning', check: 'cluster' }));
  });

  it('should flag memory storage of a referral stream', () => {
    const streams = healthyStreams();
    streams.set('REFERRAL', stream('REFERRAL', { storage: StorageType.Memory }));

    expect(errors(judgeDurability({ version: '2.9.10' }, streams, healthyConsumers(), topology))).toEqual([
      expect.objectContaining({ subject: 'stream REFERRAL', check: 'storage' }),
    ]);
  });

  it('should require three replicas when the server is clustered', () => {
    const found = errors(
      judgeDurability({ version: '2.12.3', cluster: 'c1' }, healthyStreams(), healthyConsumers(), topology),
    );

    expect(found.map((f) => f.check)).toEqual(Array(Object.keys(STREAMS).length).fill('replicas'));
  });

  it('should flag an unbounded max_deliver, one without dead-letter headroom, and a non-explicit ack', () => {
    const consumers = healthyConsumers();
    consumers.set(
      CONSUMERS.registrationAssessed,
      consumer(CONSUMERS.registrationAssessed, { max_deliver: -1 }),
    );
    consumers.set(
      CONSUMERS.rehabSiteRegistered,
      consumer(CONSUMERS.rehabSiteRegistered, {
        max_deliver: CONSUMERS.rehabSiteRegistered.delivery.maxDeliver,
      }),
    );
    consumers.set(CONSUMERS.opsMonitorOps, consumer(CONSUMERS.opsMonitorOps, { ack_policy: AckPolicy.None }));

    const found = errors(judgeDurability({ version: '2.9.10' }, healthyStreams(), consumers, topology));

    expect(found.map((f) => `${f.subject}:${f.check}`).sort()).toEqual([
      'consumer OPS/ops-monitor__ops:ack_policy',
      'consumer REFERRAL/registration__referral-assessed:max_deliver',
      'consumer REFERRAL/rehab-site__referral-registered:max_deliver',
    ]);
  });

  it('should report a missing stream as an error and a missing consumer as a warning', () => {
    const streams = healthyStreams();
    streams.set('GREEN', undefined);
    const consumers = healthyConsumers();
    consumers.set(CONSUMERS.employmentReadiness, undefined);

    const findings = judgeDurability({ version: '2.9.10' }, streams, consumers, topology);

    expect(errors(findings)).toEqual([expect.objectContaining({ subject: 'stream GREEN', check: 'exists' })]);
    expect(findings).toContainEqual(
      expect.objectContaining({
        level: 'warning',
        subject: 'consumer EMPLOYMENT/employment-referral__readiness-confirmed',
      }),
    );
  });

  it('should warn when the duplicate window is shorter than the relay relies on', () => {
    const streams = healthyStreams();
    streams.set('OPS', stream('OPS', { duplicate_window: nanos(120_000) }));

    expect(judgeDurability({ version: '2.9.10' }, streams, healthyConsumers(), topology)).toContainEqual(
      expect.objectContaining({ level: 'warning', subject: 'stream OPS', check: 'duplicate_window' }),
    );
  });
});
