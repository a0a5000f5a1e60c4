import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BrowserContext, chromium, Page } from 'playwright-core';
import { EVENTS } from '@app/contracts';
import { CHROMIUM, CHROMIUM_ARGS, chromiumPresent, waitFor } from '@app/testing';
import { DEFAULT_STUCK_AFTER_SECONDS } from '../src/config/ops-monitor.config';
import { OpsMonitorHarness, RESIDENCES, startOpsMonitorHarness } from './harness';

const ARTIFACTS = join(__dirname, '../../../artifacts');

(chromiumPresent('the ops dashboard browser test') ? describe : describe.skip)(
  'ops dashboard in headless Chromium',
  () => {
    let h: OpsMonitorHarness;
    let browser: BrowserContext;
    let page: Page;
    let profile: string;

    const tile = async (id: string): Promise<number> =>
      Number((await page.textContent(`[data-testid="${id}"]`)) ?? 'NaN');

    beforeAll(async () => {
      h = await startOpsMonitorHarness({
        stuckAfterSeconds: { ...DEFAULT_STUCK_AFTER_SECONDS, registered: 60 },
      });
      profile = mkdtempSync(join(tmpdir(), 'ops-dashboard-chromium-'));
      // A new empty profile (playwright passes it as --user-data-dir).
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        args: CHROMIUM_ARGS,
        viewport: { width: 1400, height: 1300 },
      });
      page = browser.pages()[0] ?? (await browser.newPage());
    });

    afterAll(async () => {
      await browser?.close();
      if (profile) rmSync(profile, { recursive: true, force: true });
      await h?.stop();
    });

    it('signs in with an ops JWT, watches referrals flow, a breach and a stuck referral appear, and saves a screenshot', async () => {
      const token = h.viewer.authorization.slice('Bearer '.length);
      // A wrong token ends on the sign-in form.
      await page.goto(`${h.service.url}/dashboard?token=not-a-jwt&interval=300`);
      await page.waitForSelector('#login:not([hidden])');
      // The real one, pasted into the form: kept in sessionStorage, never in the URL or a cookie.
      await page.fill('#token', token);
      await page.click('#login-form button[type=submit]');
      await page.waitForSelector('#dashboard:not([hidden])');
      await waitFor(async () => (await tile('referrals-total')) === 0, { message: 'empty dashboard' });
      expect(await page.evaluate('sessionStorage.length')).toBe(1);
      expect(await browser.cookies()).toEqual([]);
      expect(page.url()).not.toContain('token');

      const start = h.clock.now();
      for (let i = 0; i < 4; i++) {
        await h.journey(start, {
          assessed: 0.01 * (i + 1),
          registered: 0.05,
          assigned: 0.2,
          accepted: 3600 * (i + 1),
        });
        await waitFor(async () => (await tile('referrals-total')) === i + 1, {
          message: `referral ${i + 1} on the dashboard`,
        });
      }
      // The tile counts a referral from its discharge; its acceptance may be projected a poll later.
      const acceptedRow = async () =>
        (
          await page.$$eval('[data-testid="latency-table"] tbody tr', (trs) =>
            trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
          )
        ).find((r) => r[0] === 'assigned-to-accepted');
      await waitFor(async () => (await acceptedRow())?.[1] === '4', { message: 'four acceptances measured' });
      expect(await acceptedRow()).toEqual([
        'assigned-to-accepted',
        '4',
        '2.5 h', // event times: accepted 1, 2, 3, 4 h after assignment (minus 0.2 s)
        '3.7 h',
        '4.0 h',
      ]);

      // A breach and a referral stuck in `registered` (expected within 60 s here).
      const late = await h.journey(start, { assessed: 0.01, registered: 0.02 }, RESIDENCES.pingli);
      await h.publish(
        EVENTS.referralSlaBreached,
        {
          referralId: late,
          stage: 'refer-to-site',
          dueAt: start.toISOString(),
          breachedAt: start.toISOString(),
          workingDays: 5,
        },
        late,
        start,
      );
      h.clock.advance(120_000);
      await waitFor(async () => (await tile('breaches-total')) === 1, { message: 'breach on the dashboard' });
      await waitFor(async () => (await tile('stuck-total')) === 1, {
        message: 'stuck referral on the dashboard',
      });
      await waitFor(
        async () => {
          const codes = await page.$$eval('[data-testid="alerts-table"] tbody tr td:nth-child(2)', (tds) =>
            tds.map((td) => td.textContent),
          );
          return codes.includes('STUCK_REFERRAL') && codes.includes('SLA_BREACHED');
        },
        { message: 'stuck and breach alerts listed' },
      );
      expect(await page.textContent('[data-testid="stuck-table"] tbody')).toContain(late);

      // By county: 610926 has only the late referral.
      await page.selectOption('#county', '610926');
      await waitFor(async () => (await tile('referrals-total')) === 1, { message: 'county filter' });

      // Statutory indicators: the five journeys registered in 2026-Q1 (Beijing), four in 汉滨区, one in 平利县.
      await page.fill('#indicator-area', '6109');
      await page.fill('#indicator-period', '2026-Q1');
      await page.click('#indicator-form button[type=submit]');
      const indicatorRows = async (testid: string) =>
        page.$$eval(`[data-testid="${testid}"] tbody tr`, (trs) =>
          trs.map((tr) => [...tr.querySelectorAll('td')].map((td) => td.textContent)),
        );
      await waitFor(
        async () => (await indicatorRows('indicator-table')).find((r) => r[0] === 'REGISTERED')?.[2] === '5',
        { message: 'indicators on the dashboard' },
      );
      const counties = await indicatorRows('indicator-county-table');
      expect(counties.find((r) => r[0]?.startsWith('610902'))?.[1]).toBe('4');
      expect(counties.find((r) => r[0]?.startsWith('610926'))?.[1]).toBe('1');
      expect(await page.textContent('[data-testid="indicator-status"]')).toContain('2026-Q1');
      const standard = (await indicatorRows('indicator-table')).find((r) => r[0] === 'STANDARD_SERVICE_RATE');
      // No plan recorded: 0 of 5 subject-months (all five registered on 2 March, so on the books in March only).
      expect(standard?.slice(2, 4)).toEqual(['0', '5']);

      mkdirSync(ARTIFACTS, { recursive: true });
      const shot = join(ARTIFACTS, 'ops-dashboard.png');
      await page.selectOption('#county', '');
      await waitFor(async () => (await tile('referrals-total')) === 5, { message: 'all counties again' });
      await page.screenshot({ path: shot, fullPage: true });
      expect(existsSync(shot)).toBe(true);
    });
  },
);
