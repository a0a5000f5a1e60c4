import { setFlagsFromString } from 'node:v8';
import { integerFromEnv } from '@app/core';

/** V8's old-generation growth after each full GC, in percent of the live heap, unless `HEAP_GROWING_PERCENT` says. */
export const DEFAULT_HEAP_GROWING_PERCENT = 30;

/**
 * The `--heap-growing-percent` V8 flag for this process, from `HEAP_GROWING_PERCENT` (0 = V8's own dynamic
 * factor), or undefined to leave V8 alone.
 *
 * Why: under load the apps promote short-lived request and message objects (they live across database round
 * trips), and V8's dynamic factor (up to 4x the live heap) let the old generation fill with that garbage before
 * a full GC: hospital-intake went from ~60 MB live to 260 MB peak RSS with 64 requests in flight. A fixed 30 %
 * kept every app's peak at 165–175 MB in the same run, at a few percent more GC CPU.
 */
export function heapGrowingFlag(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const percent = integerFromEnv(env, 'HEAP_GROWING_PERCENT', DEFAULT_HEAP_GROWING_PERCENT, 0, 400);
  return percent === 0 ? undefined : `--heap-growing-percent=${percent}`;
}

/**
 * Applies {@link heapGrowingFlag} (main.ts only, before the app is built). V8 reads this flag at every full GC,
 * so setting it at runtime takes effect (unlike heap size limits, which are fixed at start).
 */
export function tuneHeapGrowth(env: NodeJS.ProcessEnv = process.env): void {
  const flag = heapGrowingFlag(env);
  if (flag) setFlagsFromString(flag);
}
