import { Client } from 'pg';
import { ensureDatabase } from '@app/persistence';
import { LocalPostgres } from '@app/testing/local-postgres';
import { formatTable } from '../start';

/** One statement's share of Postgres's time in a measured phase, per referral. */
export interface StatementCost {
  /** The statement as pg_stat_statements normalised it, the bench's schema prefixes removed, spaces collapsed. */
  text: string;
  callsPerReferral: number;
  execMsPerCall: number;
  /** 1: planned on every call (custom plans); near 0: a cached generic plan. */
  plansPerCall: number;
  /** Planning time per plan (a statement whose generic plan is kept is planned less often than it runs). */
  planMsPerPlan: number;
  /** (execution + planning) ms of all its calls, per referral. */
  msPerReferral: number;
}

/** Where Postgres spent its statement time in a measured phase (`--statements`). */
export interface StatementProfile {
  referrals: number;
  callsPerReferral: number;
  execMsPerReferral: number;
  planMsPerReferral: number;
  /** The costliest statements first. */
  top: StatementCost[];
}

interface StatRow {
  query: string;
  calls: string;
  plans: string;
  total_exec_time: number;
  total_plan_time: number;
}

/**
 * Without the per-run schema prefix (`"benchmxb8…_rehab_site".site` → `rehab_site.site`, the raw baseline's
 * `"rawb…_rehab".site` → `rehab.site`), whitespace collapsed, at most `width` characters.
 */
export function normaliseStatement(query: string, width = 100): string {
  const text = query
    .replace(/"[a-z0-9]+_([a-z_]+)"\./g, '$1.')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > width ? `${text.slice(0, width - 1)}…` : text;
}

/** The profile of what pg_stat_statements holds: per referral, the `limit` costliest statements first. */
export function statementProfile(rows: readonly StatRow[], referrals: number, limit = 12): StatementProfile {
  const per = (n: number) => (referrals > 0 ? n / referrals : 0);
  const costs = rows
    .filter((r) => Number(r.calls) > 0)
    .map((r) => ({
      text: normaliseStatement(r.query),
      callsPerReferral: per(Number(r.calls)),
      execMsPerCall: r.total_exec_time / Number(r.calls),
      plansPerCall: Number(r.plans) / Number(r.calls),
      planMsPerPlan: Number(r.plans) > 0 ? r.total_plan_time / Number(r.plans) : 0,
      msPerReferral: per(r.total_exec_time + r.total_plan_time),
    }))
    .sort((a, b) => b.msPerReferral - a.msPerReferral);
  return {
    referrals,
    callsPerReferral: per(rows.reduce((sum, r) => sum + Number(r.calls), 0)),
    execMsPerReferral: per(rows.reduce((sum, r) => sum + r.total_exec_time, 0)),
    planMsPerReferral: per(rows.reduce((sum, r) => sum + r.total_plan_time, 0)),
    top: costs.slice(0, limit),
  };
}

/** The profile as printed under the bench's tables. */
export function formatStatementProfile(system: string, p: StatementProfile): string {
  const f = (n: number, digits: number) => n.toFixed(digits);
  return [
    `Postgres statement time, ${system} (pg_stat_statements over ${p.referrals} referrals, warm-up excluded): ` +
      `${f(p.callsPerReferral, 1)} statements, ${f(p.execMsPerReferral, 2)} ms executing + ` +
      `${f(p.planMsPerReferral, 2)} ms planning per referral`,
    formatTable(
      ['ms/referral', 'calls/referral', 'exec ms/call', 'plans/call', 'ms/plan', 'statement'],
      p.top.map((s) => [
        f(s.msPerReferral, 3),
        f(s.callsPerReferral, 2),
        f(s.execMsPerCall, 3),
        f(s.plansPerCall, 2),
        f(s.planMsPerPlan, 3),
        s.text,
      ]),
    ),
  ].join('\n');
}

/**
 * A private Postgres with pg_stat_statements loaded (it needs shared_preload_libraries, so not the machine's
 * own server), same durability settings as the shared one, for `npm run bench -- --statements`: each measured
 * phase resets the statistics after its warm-up and reads them after its runs.
 */
export class StatementProfiler {
  private constructor(
    private readonly server: LocalPostgres,
    readonly databaseUrl: string,
  ) {}

  static async start(): Promise<StatementProfiler> {
    const server = await LocalPostgres.start({
      serverArgs: [
        '-c shared_preload_libraries=pg_stat_statements',
        '-c pg_stat_statements.track=all',
        '-c pg_stat_statements.track_planning=on',
        '-c pg_stat_statements.max=10000',
      ].flatMap((arg) => arg.split(' ')),
    });
    const databaseUrl = server.url('referral_bus_bench');
    try {
      await ensureDatabase(databaseUrl);
      await StatementProfiler.query(databaseUrl, 'CREATE EXTENSION IF NOT EXISTS pg_stat_statements');
    } catch (error) {
      await server.stop();
      throw error;
    }
    return new StatementProfiler(server, databaseUrl);
  }

  reset(): Promise<unknown> {
    return StatementProfiler.query(this.databaseUrl, 'SELECT pg_stat_statements_reset()');
  }

  async read(referrals: number): Promise<StatementProfile> {
    const rows = await StatementProfiler.query<StatRow>(
      this.databaseUrl,
      `SELECT query, calls, plans, total_exec_time, total_plan_time FROM pg_stat_statements`,
    );
    return statementProfile(rows, referrals);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }

  private static async query<T>(url: string, sql: string): Promise<T[]> {
    const client = new Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query(sql)).rows as T[];
    } finally {
      await client.end();
    }
  }
}
