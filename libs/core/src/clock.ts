/**
 * The time source of every rule, timer and timestamp a service makes. ServiceModule provides a SystemClock;
 * tests pass a ManualClock (`startService({ clock })`) to set the time instead of waiting for it.
 */
export abstract class Clock {
  abstract now(): Date;
}

export class SystemClock extends Clock {
  now(): Date {
    return new Date();
  }
}

/** A clock that only moves when told to (tests, replays). */
export class ManualClock extends Clock {
  constructor(private current: Date = new Date()) {
    super();
  }

  now(): Date {
    return new Date(this.current.getTime());
  }

  set(at: Date): void {
    this.current = new Date(at.getTime());
  }

  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

/**
 * How far a sender's clock may run ahead of ours: a time stamped up to this much after our `now` is taken as now
 * (a hospital's HIS, a site's tablet), anything later is "in the future" and refused by the rule that asks.
 */
export const CLOCK_SKEW_MS = 5 * 60_000;

/** Whether `instant` is later than `now` by more than the clock skew a sender may have. */
export function isInFuture(instant: Date | number, now: Date, skewMs = CLOCK_SKEW_MS): boolean {
  return (typeof instant === 'number' ? instant : instant.getTime()) > now.getTime() + skewMs;
}

/** China Standard Time (UTC+8 all year, no daylight saving): where every user of the bus reads a date. */
export const CHINA_UTC_OFFSET_MS = 8 * 3_600_000;

/** The calendar date of an instant in China Standard Time, `YYYY-MM-DD`. */
export function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 10);
}

/** An instant as a coordinator reads it in China Standard Time, `YYYY-MM-DD HH:mm`. */
export function chinaDateTime(at: Date): string {
  return new Date(at.getTime() + CHINA_UTC_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}
