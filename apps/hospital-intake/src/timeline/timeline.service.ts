import { Injectable } from '@nestjs/common';
import { Clock } from '@app/core';
import { HospitalNotifier } from '../notices/hospital-notifier.service';
import { LockedReferralHolder, StepInput, StepRecord, TimelineRepository } from './timeline.repository';

/**
 * The referring hospital's timeline of each referral: one step per lifecycle event, numbered in the order
 * hospital-intake recorded them, each pushed once to the hospital (its NATS subject and webhook) in the same
 * transaction as the step. Runs inside the caller's transaction (an event handler's, or the API's).
 */
@Injectable()
export class TimelineService {
  constructor(
    private readonly steps: TimelineRepository,
    private readonly notifier: HospitalNotifier,
    private readonly clock: Clock,
  ) {}

  /**
   * Records the step `eventId` caused and pushes it. A referral hospital-intake does not hold (not from a
   * hospital) or an event recorded already changes nothing; answers the step when it was new. `locked`: the
   * caller's statement that changed the referral locked its row already and answered its hospital (one round
   * trip fewer); else the row is locked here.
   */
  async record(
    referralId: string,
    eventId: string,
    input: StepInput,
    locked?: LockedReferralHolder,
  ): Promise<StepRecord | undefined> {
    const holder = locked ?? (await this.steps.lockReferralHospital(referralId));
    if (!holder) return undefined;
    const { hospitalId, hasWebhook } = holder;
    const now = this.clock.now();
    const step = await this.steps.appendStep(referralId, eventId, input, now);
    if (!step) return undefined;
    await this.notifier.step(
      {
        referralId,
        hospitalId,
        sequence: step.sequence,
        step: step.step,
        occurredAt: step.occurredAt.toISOString(),
        ...(step.siteId ? { siteId: step.siteId } : {}),
        ...(step.siteName ? { siteName: step.siteName } : {}),
        ...(step.siteCountyCode ? { siteCountyCode: step.siteCountyCode } : {}),
        ...(step.code ? { code: step.code } : {}),
      },
      now,
      hasWebhook,
    );
    return step;
  }

  /**
   * Records a step rebuilt after a database restore (call with the referral locked, e.g. just inserted): the
   * hospital was told of it when it first happened, so nothing is pushed again.
   */
  async restore(referralId: string, eventId: string, input: StepInput): Promise<void> {
    await this.steps.appendStep(referralId, eventId, input, this.clock.now());
  }

  stepsOf(referralIds: string[]): Promise<StepRecord[]> {
    return this.steps.stepsOf(referralIds);
  }
}
