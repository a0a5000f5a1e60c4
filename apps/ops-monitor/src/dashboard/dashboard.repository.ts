import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { STAGES } from '../timeline/referral-states';
import { MILESTONE_COLUMNS as COLUMN } from '../timeline/timeline.repository';

export interface StageLatency {
  readonly stage: string;
  readonly kind: 'machine' | 'human';
  readonly count: number;
  /** Seconds, by event time; null when no referral has completed the stage. */
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly max: number | null;
}

/** Aggregates of the read model for the dashboard and the scrape-time gauges (optionally one county). */
@Injectable()
export class DashboardRepository {
  constructor(private readonly tx: TransactionHost) {}

  private get summary(): string {
    return `${this.tx.schema}.referral_summary`;
  }

  async stageLatencies(county: string | null): Promise<StageLatency[]> {
    const parts = STAGES.map(
      (stage, i) =>
        `SELECT ${i} AS i, EXTRACT(EPOCH FROM ${COLUMN[stage.to]} - ${COLUMN[stage.from]})::float8 AS secs
           FROM ${this.summary}
          WHERE ${COLUMN[stage.to]} IS NOT NULL AND ${COLUMN[stage.from]} IS NOT NULL
            AND ($1::text IS NULL OR county_code = $1)`,
    );
    const rows = await this.tx.manager.query<{ i: number; count: string; p: number[]; max: number }[]>(
      `SELECT i, count(*) AS count, percentile_cont(ARRAY[0.5, 0.9, 0.99]) WITHIN GROUP (ORDER BY secs) AS p,
              max(secs) AS max
         FROM (${parts.join(' UNION ALL ')}) d GROUP BY i`,
      [county],
    );
    const byIndex = new Map(rows.map((r) => [Number(r.i), r]));
    return STAGES.map((stage, i) => {
      const row = byIndex.get(i);
      return {
        stage: stage.name,
        kind: stage.kind,
        count: row ? Number(row.count) : 0,
        p50: row ? row.p[0] : null,
        p90: row ? row.p[1] : null,
        p99: row ? row.p[2] : null,
        max: row ? row.max : null,
      };
    });
  }

  async referralsByState(county: string | null): Promise<{ state: string; county: string; count: number }[]> {
    const rows = await this.tx.manager.query<{ state: string; county: string | null; count: string }[]>(
      `SELECT state, county_code AS county, count(*) AS count FROM ${this.summary}
        WHERE $1::text IS NULL OR county_code = $1
        GROUP BY state, county_code ORDER BY state, county_code`,
      [county],
    );
    return rows.map((r) => ({ state: r.state, county: r.county ?? 'unknown', count: Number(r.count) }));
  }

  async slaBreaches(county: string | null): Promise<{ kind: string; county: string; count: number }[]> {
    const rows = await this.tx.manager.query<{ kind: string | null; county: string | null; count: string }[]>(
      `SELECT t.detail AS kind, s.county_code AS county, count(*) AS count
         FROM ${this.tx.schema}.timeline_event t
         LEFT JOIN ${this.summary} s USING (referral_id)
        WHERE t.subject = 'referral.sla-breached' AND ($1::text IS NULL OR s.county_code = $1)
        GROUP BY t.detail, s.county_code ORDER BY 1, 2`,
      [county],
    );
    return rows.map((r) => ({
      kind: r.kind ?? 'unknown',
      county: r.county ?? 'unknown',
      count: Number(r.count),
    }));
  }

  async counties(): Promise<string[]> {
    const rows = await this.tx.manager.query<{ county: string }[]>(
      `SELECT DISTINCT county_code AS county FROM ${this.summary} WHERE county_code IS NOT NULL ORDER BY 1`,
    );
    return rows.map((r) => r.county);
  }
}
