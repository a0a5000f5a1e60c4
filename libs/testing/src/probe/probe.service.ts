import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import {
  EVENTS,
  EventEnvelope,
  GreenRelapseReportedData,
  ReferralDischargedData,
  SERVICES,
} from '@app/contracts';
import { DomainException } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { ProbeRepository } from './probe.repository';

/**
 * Test fixture: a producer that changes state and publishes through the outbox in one transaction, and a
 * consumer whose behaviour is chosen by the hospital id: `poison-*` fails permanently, `flaky-*` fails
 * transiently on its first two deliveries, `broken-*` throws a plain error until healed, `jitter-*` takes
 * uneven time per event, `slow-*` takes 15 ms per event, `echo-*` does what an app's handler does (an effect, an audit record and an event
 * published through the outbox) and nothing else, so its statements can be counted.
 */
@Injectable()
export class ProbeService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly repository: ProbeRepository,
    private readonly audit: AuditTrail,
  ) {}

  /** `count` referrals, each with `steps` events (encounter ids step-0, step-1, …) that must arrive in order. */
  async discharge(hospitalId: string, count: number, steps = 1): Promise<string[]> {
    const rows = Array.from({ length: count }, () => ({ referralId: randomUUID(), hospitalId }));
    await this.tx.run(async () => {
      await this.repository.insertCommands(rows);
      await this.publisher.publishAll(
        rows.flatMap((row) =>
          Array.from({ length: steps }, (_, step) => ({
            definition: EVENTS.referralDischarged,
            data: {
              referralId: row.referralId,
              hospitalId,
              encounterId: `step-${step}`,
              dischargedAt: new Date().toISOString(),
              residenceDivisionCode: '610902001001',
            },
            options: { subject: row.referralId },
          })),
        ),
      );
    }, SYSTEM_ACTOR);
    return rows.map((r) => r.referralId);
  }

  async handleDischarged(event: EventEnvelope<ReferralDischargedData>, delivery: number): Promise<void> {
    const { hospitalId, referralId, encounterId } = event.data;
    if (hospitalId.startsWith('echo')) return this.echo(event, delivery);
    await this.repository.recordAttempt(event.id, delivery);
    if (hospitalId.startsWith('poison')) {
      throw new DomainException('PROBE_POISON', 'unprocessable', 'this discharge can never be processed');
    }
    if (hospitalId.startsWith('flaky') && delivery < 3) {
      throw new DomainException('PROBE_FLAKY', 'unavailable', `transient failure on delivery ${delivery}`);
    }
    if (hospitalId.startsWith('jitter')) {
      // Uneven handler times: without per-referral serialisation, later steps would overtake earlier ones.
      await new Promise((r) => setTimeout(r, encounterId === 'step-0' ? 200 : Math.random() * 10));
    }
    if (hospitalId.startsWith('slow')) await new Promise((r) => setTimeout(r, 15));
    if (hospitalId.startsWith('broken') && !(await this.repository.isHealed(hospitalId))) {
      throw new Error('unexpected failure');
    }
    await this.repository.recordEffect({ eventId: event.id, referralId, hospitalId, encounterId, delivery });
  }

  /**
   * green.relapse-reported (the green channel's lane): an attempt when it starts, an effect (encounter `green`)
   * when it ends; a site `slow-*` takes 300 ms in between.
   */
  async handleRelapse(event: EventEnvelope<GreenRelapseReportedData>, delivery: number): Promise<void> {
    const { referralId, siteId } = event.data;
    await this.repository.recordAttempt(event.id, delivery);
    if (siteId.startsWith('slow')) await new Promise((r) => setTimeout(r, 300));
    await this.repository.recordEffect({
      eventId: event.id,
      referralId,
      hospitalId: siteId,
      encounterId: 'green',
      delivery,
    });
  }

  private async echo(event: EventEnvelope<ReferralDischargedData>, delivery: number): Promise<void> {
    const { hospitalId, referralId, encounterId } = event.data;
    await this.repository.recordEffect({ eventId: event.id, referralId, hospitalId, encounterId, delivery });
    await this.audit.record({
      type: 'messaging',
      subtype: 'probe-echo',
      action: 'C',
      entityType: 'referral',
      entityId: referralId,
      purposeOfUse: 'TREAT',
    });
    await this.publisher.publish(
      EVENTS.opsAlertRaised,
      {
        code: 'PROBE_ECHO',
        severity: 'info',
        service: SERVICES.opsMonitor,
        summary: `probe echoed ${encounterId}`,
        raisedAt: new Date().toISOString(),
      },
      { subject: referralId },
    );
  }
}
