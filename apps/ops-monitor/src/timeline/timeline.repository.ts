import { Injectable } from '@nestjs/common';
import { TransactionHost } from '@app/persistence';
import { Milestone, MILESTONES, ReferralState } from './referral-states';
import { TimelineEntry } from './timeline-projection';

/** Which copy of the read model: the live tables, or the twins a rebuild replays the streams into. */
export type ReadModelCopy = 'live' | 'rebuild';

const TABLES: Record<ReadModelCopy, { timeline: string; summary: string }> = {
  live: { timeline: 'timeline_event', summary: 'referral_summary' },
  rebuild: { timeline: 'timeline_event_rebuild', summary: 'referral_summary_rebuild' },
};

/** The summary column of each milestone (the first time it happened). */
export const MILESTONE_COLUMNS: Record<Milestone, string> = {
  discharged: 'discharged_at',
  assessed: 'assessed_at',
  registered: 'registered_at',
  assigned: 'assigned_at',
  accepted: 'accepted_at',
  'first-service': 'first_service_at',
  closed: 'closed_at',
};

export interface ReferralSummary {
  readonly referralId: string;
  readonly state: ReferralState;
  readonly stateSince: Date;
  readonly countyCode: string | null;
  readonly hospitalId: string | null;
  readonly siteId: string | null;
  readonly milestones: Partial<Record<Milestone, Date>>;
  readonly slaBreaches: number;
  readonly eventCount: number;
  readonly lastEventAt: Date;
}

interface SummaryRow {
  referral_id: string;
  state: ReferralState;
  state_since: Date;
  county_code: string | null;
  hospital_id: string | null;
  site_id: string | null;
  sla_breaches: number;
  event_count: number;
  last_event_at: Date;
  [column: string]: unknown;
}

interface TimelineRow {
  event_id: string;
  referral_id: string;
  event_type: string;
  subject: string;
  occurred_at: Date;
  county_code: string | null;
  site_id: string | null;
  hospital_id: string | null;
  detail: string | null;
  state: ReferralState | null;
  milestone: Milestone | null;
  rank: number;
}

function toSummary(row: SummaryRow): ReferralSummary {
  const milestones: Partial<Record<Milestone, Date>> = {};
  for (const m of MILESTONES) {
    const value = row[MILESTONE_COLUMNS[m]];
    if (value instanceof Date) milestones[m] = value;
  }
  return {
    referralId: row.referral_id,
    state: row.state,
    stateSince: row.state_since,
    countyCode: row.county_code,
    hospitalId: row.hospital_id,
    siteId: row.site_id,
    milestones,
    slaBreaches: Number(row.sla_breaches),
    eventCount: Number(row.event_count),
    lastEventAt: row.last_event_at,
  };
}

function toEntry(row: TimelineRow): TimelineEntry {
  return {
    eventId: row.event_id,
    referralId: row.referral_id,
    eventType: row.event_type,
    subject: row.subject,
    occurredAt: row.occurred_at,
    countyCode: row.county_code,
    siteId: row.site_id,
    hospitalId: row.hospital_id,
    detail: row.detail,
    state: row.state,
    milestone: row.milestone,
    rank: Number(row.rank),
  };
}

/** Latest non-null value of a column, in timeline order (time, then lifecycle rank, then event id). */
const latest = (column: string) =>
  `(array_agg(${column} ORDER BY occurred_at DESC, rank DESC, event_id DESC) FILTER (WHERE ${column} IS NOT NULL))[1]`;

const SUMMARY_COLUMNS = [
  'state',
  'state_since',
  'county_code',
  'hospital_id',
  'site_id',
  ...MILESTONES.map((m) => MILESTONE_COLUMNS[m]),
  'sla_breaches',
  'event_count',
  'last_event_at',
];

/**
 * Timeline rows and referral summaries. The summary is always derived from the whole timeline of the referral
 * (never patched event by event), so it does not depend on the order events arrive in or on how often one is
 * seen: the live model and one rebuilt from the streams agree.
 */
@Injectable()
export class TimelineRepository {
  constructor(private readonly tx: TransactionHost) {}

  private table(copy: ReadModelCopy, which: 'timeline' | 'summary'): string {
    return `${this.tx.schema}.${TABLES[copy][which]}`;
  }

  /** Adds the rows not there yet (by event id); returns the ids that were new. */
  async appendEntries(entries: readonly TimelineEntry[], copy: ReadModelCopy = 'live'): Promise<Set<string>> {
    if (entries.length === 0) return new Set();
    const rows = await this.tx.manager.query<{ event_id: string }[]>(
      `INSERT INTO ${this.table(copy, 'timeline')}
         (event_id, referral_id, event_type, subject, occurred_at, county_code, site_id, hospital_id, detail,
          state, milestone, rank)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS e(event_id text, referral_id text, event_type text,
         subject text, occurred_at timestamptz, county_code text, site_id text, hospital_id text, detail text,
         state text, milestone text, rank integer)
       ON CONFLICT (event_id) DO NOTHING
       RETURNING event_id`,
      [
        JSON.stringify(
          entries.map((e) => ({
            event_id: e.eventId,
            referral_id: e.referralId,
            event_type: e.eventType,
            subject: e.subject,
            occurred_at: e.occurredAt.toISOString(),
            county_code: e.countyCode,
            site_id: e.siteId,
            hospital_id: e.hospitalId,
            detail: e.detail,
            state: e.state,
            milestone: e.milestone,
            rank: e.rank,
          })),
        ),
      ],
    );
    return new Set(rows.map((r) => r.event_id));
  }

  async findSummary(referralId: string, copy: ReadModelCopy = 'live'): Promise<ReferralSummary | undefined> {
    const [row] = await this.tx.manager.query<SummaryRow[]>(
      `SELECT * FROM ${this.table(copy, 'summary')} WHERE referral_id = $1`,
      [referralId],
    );
    return row ? toSummary(row) : undefined;
  }

  /**
   * The live summary, share-locked until the transaction ends: waits for a lifecycle event being applied to it
   * (its refresh locks the row), and makes one that comes next wait.
   */
  async lockSummary(referralId: string): Promise<ReferralSummary | undefined> {
    const [row] = await this.tx.manager.query<SummaryRow[]>(
      `SELECT * FROM ${this.table('live', 'summary')} WHERE referral_id = $1 FOR SHARE`,
      [referralId],
    );
    return row ? toSummary(row) : undefined;
  }

  /** Derives the summaries of these referrals (all of them when undefined) from their timelines. */
  async refreshSummaries(
    referralIds: readonly string[] | undefined,
    copy: ReadModelCopy = 'live',
  ): Promise<void> {
    const milestones = MILESTONES.map(
      (m) => `min(occurred_at) FILTER (WHERE milestone = '${m}') AS ${MILESTONE_COLUMNS[m]}`,
    );
    await this.tx.manager.query(
      `INSERT INTO ${this.table(copy, 'summary')} (referral_id, ${SUMMARY_COLUMNS.join(', ')})
       SELECT referral_id,
              COALESCE(${latest('state')}, 'unknown') AS state,
              COALESCE(${latest('CASE WHEN state IS NOT NULL THEN occurred_at END')}, min(occurred_at)) AS state_since,
              ${latest('county_code')} AS county_code,
              ${latest('hospital_id')} AS hospital_id,
              ${latest('site_id')} AS site_id,
              ${milestones.join(',\n              ')},
              count(*) FILTER (WHERE subject = 'referral.sla-breached') AS sla_breaches,
              count(*) AS event_count,
              max(occurred_at) AS last_event_at
         FROM ${this.table(copy, 'timeline')}
        WHERE $1::text[] IS NULL OR referral_id = ANY($1::text[])
        GROUP BY referral_id
       ON CONFLICT (referral_id) DO UPDATE SET
         ${SUMMARY_COLUMNS.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}`,
      [referralIds ? [...referralIds] : null],
    );
  }

  async summariesOf(
    referralIds: readonly string[],
    copy: ReadModelCopy = 'live',
  ): Promise<ReferralSummary[]> {
    if (referralIds.length === 0) return [];
    const rows = await this.tx.manager.query<SummaryRow[]>(
      `SELECT * FROM ${this.table(copy, 'summary')} WHERE referral_id = ANY($1::text[])`,
      [[...referralIds]],
    );
    return rows.map(toSummary);
  }

  async timelineOf(referralId: string, copy: ReadModelCopy = 'live'): Promise<TimelineEntry[]> {
    const rows = await this.tx.manager.query<TimelineRow[]>(
      `SELECT * FROM ${this.table(copy, 'timeline')} WHERE referral_id = $1 ORDER BY occurred_at, rank, event_id`,
      [referralId],
    );
    return rows.map(toEntry);
  }

  /** Empties the rebuild twins before a replay. */
  async clearRebuild(): Promise<void> {
    await this.tx.manager.query(`DELETE FROM ${this.table('rebuild', 'summary')}`);
    await this.tx.manager.query(`DELETE FROM ${this.table('rebuild', 'timeline')}`);
  }

  /**
   * Differences between the live model and the rebuild. Only live rows recorded before the rebuild started
   * count as missing from it (anything newer may not have been in the streams when the replay began); summaries
   * are compared for the referrals whose every live event the replay reached.
   */
  async compareWithRebuild(startedAt: Date): Promise<{
    missingInRebuild: number;
    missingInLive: number;
    differentTimelineRows: number;
    differentSummaries: number;
  }> {
    const live = this.table('live', 'timeline');
    const rebuilt = this.table('rebuild', 'timeline');
    const columns =
      'event_id, referral_id, event_type, subject, occurred_at, county_code, site_id, hospital_id, detail, state, milestone, rank';
    const summaryColumns = ['referral_id', ...SUMMARY_COLUMNS].join(', ');
    const [row] = await this.tx.manager.query<Record<string, string>[]>(
      `WITH settled AS (
         SELECT l.referral_id FROM ${live} l LEFT JOIN ${rebuilt} r USING (event_id)
          GROUP BY l.referral_id HAVING bool_and(r.event_id IS NOT NULL)
       )
       SELECT
         (SELECT count(*) FROM ${live} l WHERE l.recorded_at <= $1
            AND NOT EXISTS (SELECT 1 FROM ${rebuilt} r WHERE r.event_id = l.event_id)) AS missing_in_rebuild,
         (SELECT count(*) FROM ${rebuilt} r
            WHERE NOT EXISTS (SELECT 1 FROM ${live} l WHERE l.event_id = r.event_id)) AS missing_in_live,
         (SELECT count(*) FROM (
            SELECT ${columns} FROM ${live} WHERE recorded_at <= $1
              AND event_id IN (SELECT event_id FROM ${rebuilt})
            EXCEPT SELECT ${columns} FROM ${rebuilt}) d) AS different_timeline_rows,
         (SELECT count(*) FROM (
            SELECT ${summaryColumns} FROM ${this.table('live', 'summary')}
              WHERE referral_id IN (SELECT referral_id FROM settled)
            EXCEPT SELECT ${summaryColumns} FROM ${this.table('rebuild', 'summary')}) d) AS different_summaries`,
      [startedAt],
    );
    return {
      missingInRebuild: Number(row.missing_in_rebuild),
      missingInLive: Number(row.missing_in_live),
      differentTimelineRows: Number(row.different_timeline_rows),
      differentSummaries: Number(row.different_summaries),
    };
  }

  /**
   * Makes the rebuild the live model: live rows the replay did not reach (newer than it) are carried over, then
   * the live tables take the rebuild's content, all in the caller's transaction with the live tables locked.
   */
  async replaceLiveWithRebuild(): Promise<void> {
    const live = this.table('live', 'timeline');
    const rebuilt = this.table('rebuild', 'timeline');
    await this.tx.manager.query(
      `LOCK TABLE ${live}, ${this.table('live', 'summary')} IN SHARE ROW EXCLUSIVE MODE`,
    );
    const carried = await this.tx.manager.query<{ referral_id: string }[]>(
      `INSERT INTO ${rebuilt} SELECT * FROM ${live} l
        WHERE NOT EXISTS (SELECT 1 FROM ${rebuilt} r WHERE r.event_id = l.event_id)
       RETURNING referral_id`,
    );
    if (carried.length > 0)
      await this.refreshSummaries([...new Set(carried.map((c) => c.referral_id))], 'rebuild');
    await this.tx.manager.query(`DELETE FROM ${this.table('live', 'summary')}`);
    await this.tx.manager.query(`DELETE FROM ${live}`);
    await this.tx.manager.query(`INSERT INTO ${live} SELECT * FROM ${rebuilt}`);
    await this.tx.manager.query(
      `INSERT INTO ${this.table('live', 'summary')} SELECT * FROM ${this.table('rebuild', 'summary')}`,
    );
  }
}
