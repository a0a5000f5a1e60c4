import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AxeResults } from 'axe-core';
import { Browser, BrowserContext, chromium, Page } from 'playwright-core';
import { CHROMIUM, CHROMIUM_ARGS } from './chromium';
import { AppFleet, FleetOptions } from './fleet';

/** The password the browser tests give every staff account they create. */
export const STAFF_PASSWORD = 'correct horse battery staple';

/**
 * The staff pages (the site workbench, the hospital desk) in headless Chromium: pages that record every script
 * error, Alpine expression error and CSP refusal; sign-in; axe-core; screenshots into `artifacts`. Import it as
 * `@app/testing/browser-pages` (only the browser tests load playwright).
 */
export class BrowserPages {
  /**
   * Script errors, Alpine expression errors and CSP refusals of every page (a refused API call's "Failed to load
   * resource" line is the browser's report of an expected 401/403/404, not a fault). Check it after each test.
   */
  readonly problems: string[] = [];
  private readonly contexts: BrowserContext[] = [];

  private constructor(
    private readonly browser: Browser,
    private readonly artifacts: string,
  ) {}

  static async launch(artifacts: string): Promise<BrowserPages> {
    mkdirSync(artifacts, { recursive: true });
    return new BrowserPages(
      await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
      artifacts,
    );
  }

  async newPage(locale = 'zh-CN'): Promise<Page> {
    const context = await this.browser.newContext({ viewport: { width: 1280, height: 900 }, locale });
    this.contexts.push(context);
    const page = await context.newPage();
    page.on('pageerror', (error) => this.problems.push(`page error: ${error.message}`));
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() === 'error' && !text.startsWith('Failed to load resource')) this.problems.push(text);
      if (message.type() === 'warning' && /Alpine|Content.Security/i.test(text)) this.problems.push(text);
    });
    return page;
  }

  /** Signs in on the sign-in page the browser is on; back on a page of the same origin afterwards. */
  async signIn(page: Page, base: string, username: string, password = STAFF_PASSWORD): Promise<void> {
    await page.waitForSelector('[data-testid="sign-in-form"]');
    await page.fill('#username', username);
    await page.fill('#password', password);
    await page.click('[data-testid="sign-in-form"] button[type=submit]');
    await page.waitForURL((url) => !url.pathname.endsWith('/sign-in'));
    if (new URL(page.url()).origin !== new URL(base).origin) {
      throw new Error(`signed in, but left for ${page.url()}`);
    }
  }

  /**
   * axe-core, WCAG 2 A and AA: the serious and critical violations (none expected). axe runs in the page through
   * the DevTools protocol, as @axe-core/playwright runs it, so the page's CSP does not stop it.
   */
  async accessibilityViolations(page: Page, name: string): Promise<string[]> {
    await page.evaluate(axeSource());
    // The whole document (axe's default context), the WCAG 2 A and AA rules.
    const results = await page.evaluate(() =>
      (globalThis as unknown as { axe: { run(options: unknown): Promise<AxeResults> } }).axe.run({
        runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa'] },
      }),
    );
    return results.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map(
        (v) =>
          `${name}: ${v.id} (${v.impact}) ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join('; ')}`,
      );
  }

  /** A full-page screenshot `<name>.png` in the artifacts folder; its path. */
  async shot(page: Page, name: string): Promise<string> {
    const path = join(this.artifacts, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    if (!existsSync(path)) throw new Error(`no screenshot at ${path}`);
    return path;
  }

  async close(): Promise<void> {
    for (const context of this.contexts) await context.close();
    await this.browser.close();
  }
}

/** What a browser spec runs against: its fleet and its browser, there once `useBrowserFleet`'s beforeAll has run. */
export interface BrowserFleet {
  readonly fleet: AppFleet;
  readonly pages: BrowserPages;
}

export interface BrowserFleetOptions extends FleetOptions {
  /** Where the screenshots go. */
  readonly artifacts: string;
  /** What the spec sets up once the fleet runs and before the browser starts (accounts, first data). */
  readonly prepare?: (fleet: AppFleet) => Promise<void>;
  /** The set-up's time limit (the fleet's processes, `prepare`, Chromium); default 240 s. */
  readonly timeoutMs?: number;
}

/**
 * A browser spec's set-up, in its describe: before all its tests the fleet, `prepare`, then Chromium; after each
 * test no page may have recorded a problem (script error, Alpine error, CSP refusal); after all the browser
 * closes and the fleet stops. The answer's fields are read in the tests (not before the beforeAll has run).
 */
export function useBrowserFleet(options: BrowserFleetOptions): BrowserFleet {
  const { artifacts, prepare, timeoutMs = 240_000, ...fleetOptions } = options;
  let fleet: AppFleet | undefined;
  let pages: BrowserPages | undefined;
  const started: BrowserFleet = {
    get fleet() {
      if (!fleet) throw new Error('the fleet is not started yet (read it in a test or hook)');
      return fleet;
    },
    get pages() {
      if (!pages) throw new Error('the browser is not started yet (read it in a test or hook)');
      return pages;
    },
  };
  beforeAll(async () => {
    fleet = await AppFleet.start(fleetOptions);
    await prepare?.(fleet);
    pages = await BrowserPages.launch(artifacts);
  }, timeoutMs);
  afterEach(() => {
    expect(started.pages.problems.splice(0)).toEqual([]);
  });
  afterAll(async () => {
    await pages?.close();
    await fleet?.dispose();
  });
  return started;
}

let axe: string | undefined;

function axeSource(): string {
  axe ??= readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
  return axe;
}
