import { existsSync } from 'node:fs';

/** The Debian chromium the browser tests drive with playwright-core (.ci/run installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/** Flags for headless Chromium on a CI machine: no sandbox (root), no GPU, nothing fetched in the background. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Whether the browser tests can run: true when Chromium is installed. Without it: in CI an error (they must run
 * there), elsewhere false after a warning no one can miss. `(chromiumPresent('…') ? describe : describe.skip)`.
 */
export function chromiumPresent(what: string): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env.CI === 'true') {
    throw new Error(
      `${CHROMIUM} is missing: .ci/run installs the Debian chromium package; ${what} must run in CI`,
    );
  }
  console.warn(
    `\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n` +
      `!!! SKIPPED: ${what} needs ${CHROMIUM} (apt-get install -y chromium).\n` +
      `!!! It runs (and must pass) in CI.\n` +
      `!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n`,
  );
  return false;
}
