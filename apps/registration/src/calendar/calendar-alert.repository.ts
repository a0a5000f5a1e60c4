import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

/** The years a missing-calendar alert was raised for (the `calendar_alert` table): once per year. */
@Injectable()
export class CalendarAlertRepository {
  constructor(private readonly tx: TransactionHost) {}

  /** Records the alert of a year; false when it was raised already (by this or another replica). */
  async recordOnce(year: number, at: Date): Promise<boolean> {
    const rows = await this.tx.manager.query<{ year: number }[]>(
      `INSERT INTO ${this.tx.schema}.calendar_alert (year, raised_at) VALUES ($1, $2)
       ON CONFLICT (year) DO NOTHING RETURNING year`,
      [year, at],
    );
    return rows.length === 1;
  }
}
