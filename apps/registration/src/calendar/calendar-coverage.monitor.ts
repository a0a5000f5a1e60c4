import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENTS, OPS_ALERT_CODES, SERVICES } from '@app/contracts';
import { Clock, PeriodicTask, WorkingDayCalendar } from '@app/core';
import { EventPublisher } from '@app/messaging';
import { systemActor, TransactionHost } from '@app/persistence';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { CalendarAlertRepository } from './calendar-alert.repository';

const DAY_MS = 86_400_000;

export const CALENDAR_ALERT_CODE = OPS_ALERT_CODES.HOLIDAY_CALENDAR_MISSING;

/**
 * Watches the holiday calendar's horizon on the clock: `holidayCalendarLeadDays` before 1 January of a year
 * no source covers (or as soon as it notices, inside that window or the year itself), ops get one
 * HOLIDAY_CALENDAR_MISSING alert per year, recorded in `calendar_alert` so restarts and replicas raise it once.
 * Until the year is configured, deadlines through it count weekdays and are marked provisional.
 */
@Injectable()
export class CalendarCoverageMonitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(CalendarCoverageMonitor.name);
  private task?: PeriodicTask;

  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly alerts: CalendarAlertRepository,
    private readonly calendar: WorkingDayCalendar,
    private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.sweepIntervalMs <= 0) return;
    this.task = new PeriodicTask(
      async () => void (await this.check()),
      this.config.sweepIntervalMs,
      (error) => this.logger.warn(`calendar check failed: ${error.message}`),
    );
    this.task.start();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.task?.stop();
  }

  /** One check at the clock's time; answers the years alerted by this call. */
  check(): Promise<number[]> {
    return this.tx.run(async () => {
      const now = this.clock.now();
      const thisYear = Number(this.calendar.localDay(now).slice(0, 4));
      const alerted: number[] = [];
      for (const year of [thisYear, thisYear + 1]) {
        if (this.calendar.covers(year)) continue;
        const startsAt = this.calendar.startOfYear(year);
        if (startsAt.getTime() - now.getTime() > this.config.holidayCalendarLeadDays * DAY_MS) continue;
        if (!(await this.alerts.recordOnce(year, now))) continue;
        await this.raise(year, startsAt, now);
        alerted.push(year);
      }
      return alerted;
    }, systemActor('calendar-monitor'));
  }

  private async raise(year: number, startsAt: Date, now: Date): Promise<void> {
    this.logger.warn(`no holiday calendar for ${year}`);
    await this.publisher.publish(EVENTS.opsAlertRaised, {
      code: CALENDAR_ALERT_CODE,
      severity: startsAt <= now ? 'critical' : 'warning',
      service: SERVICES.registration,
      summary:
        `No holiday calendar for ${year}: working-day deadlines through it count weekdays only and are marked ` +
        `provisional. Add the State Council notice for ${year} to HOLIDAY_CALENDAR_FILE.`,
      details: { year, startsAt: startsAt.toISOString(), leadDays: this.config.holidayCalendarLeadDays },
      raisedAt: now.toISOString(),
    });
  }
}
