import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

/** The service's `rate_limit` counters: one atomic statement per hit, outside any caller's transaction. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Counts one hit of `key` in the window starting at `windowStart` (epoch ms) and answers the hits of that
   * window so far, this one included. A row of an older window starts again at 1. Atomic across replicas.
   */
  async recordHit(key: string, windowStart: number): Promise<number> {
    const rows = await this.tx.manager.query<{ hits: number }[]>(
      `INSERT INTO ${this.tx.schema}.rate_limit AS r (key, window_start, hits) VALUES ($1, $2, 1)
       ON CONFLICT (key) DO UPDATE
          SET hits = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.hits + 1 ELSE 1 END,
              window_start = EXCLUDED.window_start
       RETURNING hits`,
      [key, windowStart],
    );
    return Number(rows[0].hits);
  }

  /** Forgets the counters of windows that started before `windowStart`. */
  async deleteWindowsBefore(windowStart: number): Promise<void> {
    await this.tx.manager.query(`DELETE FROM ${this.tx.schema}.rate_limit WHERE window_start < $1`, [
      windowStart,
    ]);
  }
}
