import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { WaitingState } from '../timeline/referral-states';

export interface StuckReferral {
  readonly referralId: string;
  readonly state: WaitingState;
  readonly stateSince: Date;
  readonly countyCode: string | null;
  readonly siteId: string | null;
  readonly expectedSeconds: number;
}

interface StuckRow {
  referral_id: string;
  state: WaitingState;
  state_since: Date;
  county_code: string | null;
  site_id: string | null;
  seconds: number;
}

const toStuck = (r: StuckRow): StuckReferral => ({
  referralId: r.referral_id,
  state: r.state,
  stateSince: r.state_since,
  countyCode: r.county_code,
  siteId: r.site_id,
  expectedSeconds: Number(r.seconds),
});

/** Referrals waiting in a state longer than its expected time (thresholds per state, 0 = not checked). */
@Injectable()
export class StuckRepository {
  constructor(private readonly tx: TransactionHost) {}

  /**
   * The summaries waiting past their state's threshold (`stuck` alias s, thresholds t); $1 = the thresholds,
   * $2 = now. The callers add their own conditions, order and grouping.
   */
  private stuck(limits: Readonly<Record<string, number>>): { from: string; params: unknown[] } {
    const entries = Object.entries(limits).filter(([, seconds]) => seconds > 0);
    return {
      from: `${this.tx.schema}.referral_summary s
         JOIN jsonb_to_recordset($1::jsonb) AS t(state text, seconds integer) ON t.state = s.state
        WHERE s.state_since <= $2::timestamptz - make_interval(secs => t.seconds)`,
      params: [JSON.stringify(entries.map(([state, seconds]) => ({ state, seconds })))],
    };
  }

  /** Stuck right now, longest waiting first. */
  async findStuck(
    limits: Readonly<Record<string, number>>,
    now: Date,
    limit: number,
  ): Promise<StuckReferral[]> {
    const t = this.stuck(limits);
    const rows = await this.tx.manager.query<StuckRow[]>(
      `SELECT s.referral_id, s.state, s.state_since, s.county_code, s.site_id, t.seconds
         FROM ${t.from}
        ORDER BY s.state_since, s.referral_id LIMIT $3`,
      [...t.params, now, limit],
    );
    return rows.map(toStuck);
  }

  async countStuckByState(
    limits: Readonly<Record<string, number>>,
    now: Date,
  ): Promise<{ state: string; count: number }[]> {
    const t = this.stuck(limits);
    const rows = await this.tx.manager.query<{ state: string; count: string }[]>(
      `SELECT s.state, count(*) AS count FROM ${t.from}
        GROUP BY s.state ORDER BY s.state`,
      [...t.params, now],
    );
    return rows.map((r) => ({ state: r.state, count: Number(r.count) }));
  }

  /**
   * Claims stuck referrals not raised yet for this stay in their state (one row per referral, state and entry
   * time): returns those newly claimed, so each stay is raised once across sweeps and replicas.
   */
  async claimNewlyStuck(
    limits: Readonly<Record<string, number>>,
    now: Date,
    limit: number,
  ): Promise<StuckReferral[]> {
    const t = this.stuck(limits);
    const rows = await this.tx.manager.query<StuckRow[]>(
      `WITH candidates AS (
         SELECT s.referral_id, s.state, s.state_since, s.county_code, s.site_id, t.seconds
           FROM ${t.from}
            AND NOT EXISTS (SELECT 1 FROM ${this.tx.schema}.stuck_referral k
                             WHERE k.referral_id = s.referral_id AND k.state = s.state
                               AND k.state_since = s.state_since)
          ORDER BY s.state_since, s.referral_id LIMIT $3
       ), claimed AS (
         INSERT INTO ${this.tx.schema}.stuck_referral (referral_id, state, state_since, detected_at)
         SELECT referral_id, state, state_since, $2 FROM candidates
         ON CONFLICT DO NOTHING RETURNING referral_id, state, state_since
       )
       SELECT c.* FROM candidates c JOIN claimed USING (referral_id, state, state_since)`,
      [...t.params, now, limit],
    );
    return rows.map(toStuck);
  }

  /** Whether this transaction may sweep (one sweeper at a time across replicas). */
  async tryLockSweep(): Promise<boolean> {
    const [{ locked }] = await this.tx.manager.query<{ locked: boolean }[]>(
      `SELECT pg_try_advisory_xact_lock(hashtext($1)) AS locked`,
      [`${this.tx.schema}.stuck-sweep`],
    );
    return locked;
  }
}
