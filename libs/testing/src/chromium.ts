import { existsSync, readFileSync } from 'node:fs';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

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

/** axe-core's browser build, read once. */
let axeSource: string | undefined;

/**
 * The accessibility violations axe-core finds on the page for these rule tags (e.g. `wcag2a`, `wcag2aa`).
 * axe is evaluated through DevTools, as a test tool, not added as a page script: the page's strict CSP stays as
 * it is served.
 */
export async function axeViolations(page: Page, tags: readonly string[]): Promise<AxeResults['violations']> {
  axeSource ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  await page.evaluate(axeSource);
  return page.evaluate(async (values) => {
    const browser = globalThis as unknown as {
      document: unknown;
      axe: { run(context: unknown, options: unknown): Promise<AxeResults> };
    };
    const results = await browser.axe.run(browser.document, { runOnly: { type: 'tag', values } });
    return results.violations;
  }, tags as string[]);
}
