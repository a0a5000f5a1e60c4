import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';

/** The service's `rate_limit` counters: one atomic statement per hit, outside any caller's transaction. */
@Injectable()
export class RateLimitRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * Counts `hits` hits of `key` in the window starting at `windowStart` (epoch ms) and answers the hits of that
   * window so far, these included. A row of an older window starts again at `hits`. Atomic across replicas.
   */
  async recordHits(key: string, windowStart: number, hits: number): Promise<number> {
    const rows = await this.tx.manager.query<{ hits: number }[]>(
      `INSERT INTO ${this.tx.schema}.rate_limit AS r (key, window_start, hits) VALUES ($1, $2, $3)
       ON CONFLICT (key) DO UPDATE
          SET hits = CASE WHEN r.window_start = EXCLUDED.window_start THEN r.hits + EXCLUDED.hits
                          ELSE EXCLUDED.hits END,
              window_start = EXCLUDED.window_start
       RETURNING hits`,
      [key, windowStart, hits],
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
