import { build, Histogram } from 'hdr-histogram-js';

/** p50/p95/p99/max (and mean) of one latency, in milliseconds. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Largest latency the histograms track: ten minutes, in microseconds. */
const HIGHEST_TRACKABLE_US = 10 * 60 * 1_000_000;

/**
 * One latency distribution, recorded with HdrHistogram at microsecond resolution and three significant
 * digits (so p99 of 12.345 ms is exact to ~10 µs). Values are given and reported in milliseconds.
 */
export class LatencyRecorder {
  private readonly histogram: Histogram = build({
    lowestDiscernibleValue: 1,
    highestTrackableValue: HIGHEST_TRACKABLE_US,
    numberOfSignificantValueDigits: 3,
  });

  record(ms: number): void {
    if (!Number.isFinite(ms)) throw new Error(`not a latency: ${ms}`);
    // A negative value can only come from clock skew between stamps; record it as the smallest value.
    const us = Math.min(HIGHEST_TRACKABLE_US, Math.max(1, Math.round(ms * 1000)));
    this.histogram.recordValue(us);
  }

  get count(): number {
    return this.histogram.totalCount;
  }

  summary(): LatencySummary {
    const h = this.histogram;
    const ms = (us: number) => Math.round(us) / 1000;
    if (h.totalCount === 0) return { count: 0, p50: 0, p95: 0, p99: 0, max: 0, mean: 0 };
    // A percentile is reported as the top of its bucket: never above the exact maximum.
    const at = (p: number) => ms(Math.min(h.getValueAtPercentile(p), h.maxValue));
    return {
      count: h.totalCount,
      p50: at(50),
      p95: at(95),
      p99: at(99),
      max: ms(h.maxValue),
      mean: ms(h.mean),
    };
  }
}

/**
 * Sustained throughput of a run, from the completion times (ms, any epoch) of its items: the rate over the
 * middle of the run (from the 10th to the 90th percentile completion), so neither the ramp-up nor the tail
 * of the last stragglers counts. Undefined with fewer than 20 completions.
 */
export function sustainedThroughput(completedAtMs: readonly number[]): number | undefined {
  if (completedAtMs.length < 20) return undefined;
  const sorted = [...completedAtMs].sort((a, b) => a - b);
  const lo = Math.floor(sorted.length * 0.1);
  const hi = Math.ceil(sorted.length * 0.9) - 1;
  const seconds = (sorted[hi] - sorted[lo]) / 1000;
  if (seconds <= 0) return undefined;
  return (hi - lo) / seconds;
}
