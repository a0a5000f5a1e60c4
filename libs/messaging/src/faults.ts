/**
 * Crash points for fault tests: when CRASHPOINT names this point the process kills itself with SIGKILL,
 * exactly as a power cut would, at a place a timed kill could never hit reliably.
 */
export type CrashPoint =
  'outbox-before-publish' | 'outbox-after-publish' | 'consumer-after-commit' | 'consumer-before-commit';

export function crashpoint(point: CrashPoint): void {
  if (process.env.CRASHPOINT === point) {
    process.kill(process.pid, 'SIGKILL');
  }
}
