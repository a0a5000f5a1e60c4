import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Verdict } from './checker';

/** One row of the reliability table: a scenario, what was injected, and the checker's verdict. */
export interface ScenarioRow {
  readonly scenario: string;
  readonly fault: string;
  /** How many faults were injected (kills, pauses, outages, poison messages, copies, jumps). */
  readonly injected: number;
  readonly sent: number;
  readonly acknowledged: number;
  readonly delivered: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly finalStates: Record<string, number>;
  /** Anything the scenario measured on the side (redeliveries, dead letters, retries, seconds). */
  readonly notes: string;
  readonly seconds: number;
  readonly at: string;
}

/** Where the table is written: bench-results/ (git-ignored) at the repository root, or FAULTS_SUMMARY_DIR. */
export const SUMMARY_DIR =
  process.env.FAULTS_SUMMARY_DIR ?? join(__dirname, '..', '..', '..', 'bench-results');
export const SUMMARY_JSON = join(SUMMARY_DIR, 'faults-summary.json');
export const SUMMARY_MD = join(SUMMARY_DIR, 'faults-summary.md');

export function rowOf(
  scenario: string,
  fault: string,
  injected: number,
  verdict: Verdict,
  notes: string,
  startedAt: number,
): ScenarioRow {
  return {
    scenario,
    fault,
    injected,
    sent: verdict.sent,
    acknowledged: verdict.acknowledged,
    delivered: verdict.delivered,
    lost: verdict.lost,
    duplicated: verdict.duplicated,
    finalStates: verdict.finalStates,
    notes,
    seconds: Math.round((Date.now() - startedAt) / 100) / 10,
    at: new Date().toISOString(),
  };
}

function states(s: Record<string, number>): string {
  return Object.entries(s)
    .map(([k, n]) => `${n} ${k}`)
    .join('; ');
}

export function markdownTable(rows: readonly ScenarioRow[]): string {
  const head =
    '| scenario | fault | injected | sent | acknowledged | delivered | lost | duplicated | final states | notes | s |\n' +
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- | --- | ---: |\n';
  return (
    head +
    rows
      .map(
        (r) =>
          `| ${r.scenario} | ${r.fault} | ${r.injected} | ${r.sent} | ${r.acknowledged} | ${r.delivered} | ${r.lost} | ${r.duplicated} | ${states(r.finalStates)} | ${r.notes} | ${r.seconds} |`,
      )
      .join('\n') +
    '\n'
  );
}

/** Runs `fn` holding a lock directory (jest runs the fault files in parallel workers that share the table). */
function locked<T>(fn: () => T): T {
  const lock = join(SUMMARY_DIR, '.lock');
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      if (Date.now() > deadline) rmSync(lock, { recursive: true, force: true });
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

/** Merges a row into the JSON file (keyed by scenario), rewrites the markdown table and prints the row. */
export function recordScenario(row: ScenarioRow): void {
  mkdirSync(SUMMARY_DIR, { recursive: true });
  locked(() => {
    const rows: ScenarioRow[] = existsSync(SUMMARY_JSON)
      ? (JSON.parse(readFileSync(SUMMARY_JSON, 'utf8')) as ScenarioRow[])
      : [];
    const merged = [...rows.filter((r) => r.scenario !== row.scenario), row].sort((a, b) =>
      a.scenario.localeCompare(b.scenario),
    );
    writeFileSync(SUMMARY_JSON, JSON.stringify(merged, null, 2) + '\n');
    writeFileSync(SUMMARY_MD, markdownTable(merged));
  });
  process.stdout.write(`\nfaults: ${markdownTable([row])}`);
}
