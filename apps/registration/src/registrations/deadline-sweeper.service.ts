import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ConsentPurpose, EVENTS, SlaStage } from '@app/contracts';
import { Clock, PeriodicTask } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { TransactionHost, systemActor } from '@app/persistence';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { NoticeService } from '../notices/notice.service';
import { PatientVaultService } from '../vault/patient-vault.service';
import { ApplicationRepository } from './application.repository';
import { RegistrationRepository } from './registration.repository';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export interface SweepResult {
  /** Verify & register deadlines breached in this pass. */
  readonly slaBreaches: number;
  /** Refer-to-a-site deadlines breached in this pass. */
  readonly referBreaches: number;
  readonly reminders: number;
  readonly expired: number;
}

/**
 * Timers on the clock: verify & register and refer-to-a-site deadlines (→ referral.sla-breached), awaiting-consent reminders,
 * and registration-expired after the configured period. Safe on several replicas (SKIP LOCKED claims, one
 * transaction per batch) and idempotent (each breach and expiry is recorded once).
 */
@Injectable()
export class DeadlineSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(DeadlineSweeper.name);
  private task?: PeriodicTask;

  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly applications: ApplicationRepository,
    private readonly registrations: RegistrationRepository,
    private readonly clock: Clock,
    private readonly notices: NoticeService,
    private readonly vault: PatientVaultService,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.sweepIntervalMs <= 0) return;
    this.task = new PeriodicTask(
      async () => void (await this.sweep()),
      this.config.sweepIntervalMs,
      (error) => this.logger.warn(`sweep failed: ${error.message}`),
    );
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }

  /** One pass at the clock's current time (the periodic task calls it; tests call it after setting the clock). */
  sweep(): Promise<SweepResult> {
    return this.tx.run(() => this.sweepOnce(), systemActor('sweeper'));
  }

  /** Each overdue step of a stage: its breach recorded and published once. */
  private async reportBreaches(stage: SlaStage, now: Date): Promise<number> {
    const register = stage === 'verify-and-register';
    const overdue = await this.applications.claimOverdue(stage, now);
    for (const application of overdue) {
      await this.applications.markBreached(stage, application.id, now);
      await this.publisher.publish(
        EVENTS.referralSlaBreached,
        {
          referralId: application.id,
          stage,
          dueAt: (register ? application.registerDueAt : application.referDueAt!).toISOString(),
          breachedAt: now.toISOString(),
          workingDays: register
            ? this.config.registerWithinWorkingDays
            : this.config.referToSiteWithinWorkingDays,
        },
        { subject: application.id },
      );
    }
    return overdue.length;
  }

  /** The reminder reaches the patient and guardian (a notice per reminder and recipient, queued once). */
  private async remind(
    application: { id: string; registrationId: string; remindersSent: number },
    purpose: ConsentPurpose,
    since: Date,
  ): Promise<void> {
    const registration = await this.registrations.findRegistration(application.registrationId);
    const patient = registration && (await this.vault.find(registration.patientId));
    if (!registration || !patient) return;
    await this.notices.consentReminder(
      { registrationId: registration.id, referralId: application.id, patient },
      purpose,
      application.remindersSent + 1,
      new Date(since.getTime() + this.config.consentExpiryDays * DAY_MS),
    );
  }

  private async sweepOnce(): Promise<SweepResult> {
    const now = this.clock.now();
    const slaBreaches = await this.reportBreaches('verify-and-register', now);
    const referBreaches = await this.reportBreaches('refer-to-site', now);
    let reminders = 0;
    let expired = 0;
    for (const application of await this.applications.claimAwaitingConsent()) {
      const since = application.awaitingConsentSince!;
      const purpose = application.missingPurpose!;
      if (now.getTime() - since.getTime() >= this.config.consentExpiryDays * DAY_MS) {
        await this.applications.end(application.id, 'expired', `no ${purpose} consent in time`, now);
        await this.publisher.publish(
          EVENTS.referralRegistrationExpired,
          {
            referralId: application.id,
            registrationId: application.registrationId,
            patientRef: await this.registrations.patientRefOf(application.registrationId),
            purpose,
            awaitingConsentSince: since.toISOString(),
            expiredAt: now.toISOString(),
          },
          { subject: application.id },
        );
        await this.registrations.expireRegistrationIfIdle(application.registrationId);
        expired += 1;
        continue;
      }
      const last = application.lastReminderAt ?? since;
      if (now.getTime() - last.getTime() >= this.config.consentReminderIntervalHours * HOUR_MS) {
        await this.applications.recordReminder(application.id, purpose, now);
        await this.remind(application, purpose, since);
        reminders += 1;
      }
    }
    return { slaBreaches, referBreaches, reminders, expired };
  }
}
