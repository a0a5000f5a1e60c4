import { randomInt } from 'node:crypto';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { SERVICES } from '@app/contracts';
import { demoApiKey } from '@app/auth';
import { PAGE_CSP } from '@app/platform';
import {
  createStaffAccount,
  chromiumPresent,
  dischargeRequest,
  testDatabase,
  TestDatabase,
  uniqueName,
  waitFor,
} from '@app/testing';
import { STAFF_PASSWORD as PASSWORD, useBrowserFleet } from '@app/testing/browser-pages';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads arbitrary JSON bodies
type Json = any;

const ARTIFACTS = join(__dirname, '../artifacts/workbench');
const HOSPITAL = 'ak-mental-health-centre'; // psychiatric: takes its own patients back on relapse

/**
 * The site workbench and the hospital's green-channel desk in headless Chromium, against hospital-intake,
 * registration and rehab-site as processes (issue 24): a coordinator signs in, a referral arrives live (SSE) and
 * is accepted, served (four sessions, an assessment) and reported relapsed; the hospital's desk acknowledges the
 * green case. Then the 404 rule, a viewer's missing buttons and refused POST, the sign-in redirect, and axe.
 */
(chromiumPresent('the workbench browser test') ? describe : describe.skip)(
  'site workbench and hospital desk in headless Chromium',
  () => {
    let db: TestDatabase;
    let siteId: string;
    let otherSiteId: string;
    let referralId: string;
    const tag = uniqueName('wb')
      .replace(/[^a-z0-9]/g, '')
      .slice(-10);
    const users = {
      coordinator: `coord.${tag}`,
      viewer: `viewer.${tag}`,
      otherWorker: `worker.b.${tag}`,
      desk: `desk.${tag}`,
    };

    const rehab = () => suite.fleet.app(SERVICES.rehabSite).url;
    const intake = () => suite.fleet.app(SERVICES.hospitalIntake).url;
    const discharge = async (): Promise<string> => {
      const response = await fetch(`${intake()}/v1/discharges`, {
        method: 'POST',
        headers: { 'x-api-key': suite.fleet.hospitalKey(HOSPITAL), 'content-type': 'application/json' },
        body: JSON.stringify(dischargeRequest(randomInt(1_000_000))),
      });
      expect(response.status).toBe(201);
      return ((await response.json()) as Json).referralId;
    };
    const siteOf = async (id: string) =>
      (
        await db.query<{ site_id: string | null }>(
          `SELECT site_id FROM "${suite.fleet.app(SERVICES.rehabSite).schema}".referral WHERE referral_id = $1`,
          [id],
        )
      )[0]?.site_id;

    const newPage = (locale?: string) => suite.pages.newPage(locale);
    const signIn = (page: Page, base: string, username: string) => suite.pages.signIn(page, base, username);
    /** axe-core, WCAG 2 A and AA: no serious or critical violation. */
    const accessible = async (page: Page, name: string) =>
      expect(await suite.pages.accessibilityViolations(page, name)).toEqual([]);
    const shot = (page: Page, name: string) => suite.pages.shot(page, name).then(() => undefined);

    const count = async (page: Page, kind: string) =>
      Number(await page.textContent(`[data-testid="count-${kind}"] strong`));
    const status = (page: Page) => page.getAttribute('[data-testid="referral-status"]', 'data-status');

    async function act(page: Page, action: string, fill?: () => Promise<void>): Promise<void> {
      await page.click(`[data-action="${action}"]`);
      await page.waitForSelector(`#form-${action}`, { state: 'visible' });
      await fill?.();
      await page.click(`[data-submit="${action}"]`);
      await page.waitForSelector('[data-testid="action-message"]:not(:empty)');
      expect(await page.textContent('[data-testid="action-error"]')).toBe('');
    }

    const suite = useBrowserFleet({
      apps: [SERVICES.hospitalIntake, SERVICES.registration, SERVICES.rehabSite],
      env: { GREEN_SWEEP_INTERVAL_MS: '200' },
      artifacts: ARTIFACTS,
      prepare: async () => {
        db = await testDatabase();
        // A first referral tells which site the demo residence routes to (routing is deterministic).
        const first = await discharge();
        siteId = await waitFor(() => siteOf(first), {
          timeoutMs: 60_000,
          message: 'first referral assigned',
        });
        otherSiteId = (
          await db.query<{ id: string }>(
            `SELECT id FROM "${suite.fleet.app(SERVICES.rehabSite).schema}".site WHERE id <> $1 ORDER BY id LIMIT 1`,
            [siteId],
          )
        )[0].id;
        // Staff accounts through the API, with each organisation's own key (its IT admin).
        const siteKey = demoApiKey('site', siteId);
        await createStaffAccount(rehab(), siteKey, {
          username: users.coordinator,
          displayName: '王协调',
          role: 'coordinator',
          password: PASSWORD,
        });
        await createStaffAccount(rehab(), siteKey, {
          username: users.viewer,
          role: 'viewer',
          password: PASSWORD,
        });
        await createStaffAccount(rehab(), demoApiKey('site', otherSiteId), {
          username: users.otherWorker,
          role: 'worker',
          password: PASSWORD,
        });
        await createStaffAccount(intake(), suite.fleet.hospitalKey(HOSPITAL), {
          username: users.desk,
          displayName: '精神科总值班 李医生',
          role: 'worker',
          password: PASSWORD,
        });
      },
    });

    afterAll(async () => {
      await db?.close();
    });

    it('should let a coordinator watch a referral arrive live, accept, serve and report it, and the desk acknowledge it', async () => {
      const page = await newPage();
      // Signed out: the workbench sends the browser to sign in, and back after.
      const served = await page.goto(`${rehab()}/workbench`);
      // The page's strict CSP: scripts and styles from this origin only, no inline code, no eval.
      expect(served?.headers()['content-security-policy']).toBe(PAGE_CSP);
      await page.waitForURL(/\/workbench\/sign-in\?next=%2Fworkbench$/);
      await accessible(page, 'sign-in');
      await shot(page, 'sign-in');
      await signIn(page, rehab(), users.coordinator);
      expect(new URL(page.url()).pathname).toBe('/workbench');
      const cookies = await page.context().cookies();
      expect(cookies.map((c) => [c.name, c.httpOnly, c.sameSite])).toEqual([
        ['__Host-rb-staff', true, 'Strict'],
      ]);
      await page.waitForSelector('[data-testid="live-status"][data-state="connected"]');
      expect(await page.textContent('[data-testid="person"]')).toContain('王协调');

      // A discharge while the worklist is open: the referral appears without a reload (server-sent events).
      await page.evaluate(() => ((globalThis as unknown as { notReloaded: boolean }).notReloaded = true));
      referralId = await discharge();
      const row = `[data-testid="group-new"] tr[data-referral-id="${referralId}"]`;
      await page.waitForSelector(row, { timeout: 60_000 });
      expect(
        await page.evaluate(() => (globalThis as unknown as { notReloaded?: boolean }).notReloaded),
      ).toBe(true);
      await waitFor(
        async () => (await page.textContent('[data-testid="announcer"]'))?.includes(referralId.slice(0, 8)),
        { message: 'arrival announced politely' },
      );
      await accessible(page, 'worklist');
      await shot(page, 'worklist');
      // On a phone: the same page, nothing wider than the screen but the tables' own scroll boxes.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await page.$eval('html', (html) => html.scrollWidth)).toBeLessThanOrEqual(390);
      await shot(page, 'worklist-phone');
      await page.setViewportSize({ width: 1280, height: 900 });

      // The referral page: accept, four sessions, a periodic assessment, then a relapse.
      await page.click(`${row} a`);
      await page.waitForURL(`**/workbench/referrals/${referralId}`);
      await page.waitForSelector('[data-testid="referral-status"][data-status="assigned"]');
      await act(page, 'accept');
      await waitFor(async () => (await status(page)) === 'accepted', { message: 'accepted' });
      for (let i = 1; i <= 4; i++) {
        await act(page, 'record-session');
        await waitFor(async () => (await count(page, 'session')) === i, {
          message: `session ${i} in the file`,
        });
      }
      expect(await status(page)).toBe('in-service');
      await act(page, 'record-assessment', async () => {
        await page.selectOption('#assessment-risk', '1');
        await page.selectOption('#assessment-condition', 'stable');
        await page.fill('#assessment-summary', '情绪平稳，按时服药');
      });
      await waitFor(async () => (await count(page, 'assessment')) === 1, {
        message: 'assessment in the file',
      });
      await accessible(page, 'referral');
      await shot(page, 'referral');
      await act(page, 'report-relapse', () => page.selectOption('#relapse-risk', '3').then(() => undefined));
      await waitFor(async () => (await status(page)) === 'green-channel', { message: 'green channel' });
      // The relapse leaves only what the state allows: closing.
      expect(await page.$$eval('[data-action]', (b) => b.map((e) => e.getAttribute('data-action')))).toEqual([
        'close',
      ]);

      // The hospital's desk: the case with its timer, acknowledged by the duty doctor.
      const desk = await newPage();
      await desk.goto(`${intake()}/desk?interval=1000`);
      await desk.waitForURL(/\/desk\/sign-in/);
      await signIn(desk, intake(), users.desk);
      const card = await waitFor(
        async () =>
          (
            await desk.$$eval('article[data-case-id]', (cards) =>
              cards.map((c) => ({ id: c.getAttribute('data-case-id'), text: c.textContent ?? '' })),
            )
          ).find((c) => c.text.includes(referralId)),
        { timeoutMs: 30_000, message: 'green case on the desk' },
      );
      const caseCard = `article[data-case-id="${card.id}"]`;
      expect(await desk.textContent(`${caseCard} [data-testid="timer"]`)).toMatch(/剩余 \d\d:\d\d:\d\d/);
      // A worker acknowledges; admitting and declining are the coordinator's.
      expect(
        await desk.$$eval(`${caseCard} [data-action]`, (b) => b.map((e) => e.getAttribute('data-action'))),
      ).toEqual(['acknowledge']);
      await accessible(desk, 'desk');
      await shot(desk, 'desk');
      await desk.click(`${caseCard} [data-action="acknowledge"]`);
      expect(await desk.inputValue(`#case-${card.id}-ack-by`)).toBe('精神科总值班 李医生');
      await desk.click(`${caseCard} [data-submit="acknowledge"]`);
      await desk.waitForSelector(`${caseCard}[data-status="acknowledged"]`);
      const acknowledged = (await (
        await fetch(`${intake()}/v1/green-cases/${card.id}`, {
          headers: { 'x-api-key': suite.fleet.hospitalKey(HOSPITAL) },
        })
      ).json()) as Json;
      expect(acknowledged).toMatchObject({ status: 'acknowledged', acknowledgedBy: '精神科总值班 李医生' });
      await shot(desk, 'desk-acknowledged');

      // Signing out ends the session: the worklist sends the browser to sign in again.
      await page.goto(`${rehab()}/workbench`);
      await page.click('[data-testid="sign-out"]');
      await page.waitForURL(/\/workbench\/sign-in$/);
      await page.goto(`${rehab()}/workbench`);
      await page.waitForURL(/\/workbench\/sign-in\?next=/);
    });

    it("should show a worker of another site the not-found page for this site's referral opened by URL", async () => {
      const page = await newPage();
      // `next` only ever leads within the workbench (no open redirect after sign-in).
      await page.goto(`${rehab()}/workbench/sign-in?next=${encodeURIComponent('//example.org/workbench')}`);
      await signIn(page, rehab(), users.otherWorker);
      expect(page.url()).toBe(`${rehab()}/workbench`);
      await page.goto(`${rehab()}/workbench/referrals/${referralId}`);
      await page.waitForSelector('[data-testid="not-found"]');
      expect(await page.$('[data-testid="referral-status"]')).toBeNull();
      expect(await page.textContent('main')).not.toContain(referralId);
    });

    it('should show a viewer no action and refuse a POST forced from the page (403)', async () => {
      const page = await newPage();
      await page.goto(`${rehab()}/workbench/sign-in`);
      await signIn(page, rehab(), users.viewer);
      await page.goto(`${rehab()}/workbench/referrals/${referralId}`);
      await page.waitForSelector('[data-testid="referral-status"][data-status="green-channel"]');
      await waitFor(async () => (await count(page, 'session')) === 4, { message: 'the file, read-only' });
      expect(await page.$$('[data-action]')).toHaveLength(0);
      expect(await page.isVisible('[data-testid="actions"] .muted')).toBe(true);
      const forced = await page.evaluate(
        async ({ site, id }) => {
          const session = (await (await fetch('/v1/staff/sessions/current')).json()) as { csrfToken: string };
          const response = await fetch(`/v1/sites/${site}/referrals/${id}/close`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
            body: JSON.stringify({
              outcome: 'recovered',
              followUp: { calledAt: new Date().toISOString(), reached: 'patient' },
            }),
          });
          return { status: response.status, body: await response.json() };
        },
        { site: siteId, id: referralId },
      );
      expect(forced).toMatchObject({ status: 403, body: { code: 'STAFF_ROLE_FORBIDDEN' } });
    });

    it('should send a signed-out browser opening a referral to the sign-in page and back, in English or Chinese; coordinators add people', async () => {
      // An English browser gets the English dictionary; the switch brings Chinese back.
      const page = await newPage('en-GB');
      await page.goto(`${rehab()}/workbench/referrals/${referralId}`);
      await page.waitForURL(/\/workbench\/sign-in\?next=/);
      await page.waitForSelector('#sign-in-title');
      expect(await page.textContent('#sign-in-title')).toBe('Sign in');
      expect(await page.getAttribute('html', 'lang')).toBe('en');
      expect(decodeURIComponent(new URL(page.url()).searchParams.get('next') ?? '')).toBe(
        `/workbench/referrals/${referralId}`,
      );
      // A wrong password: one generic message, still on the sign-in page.
      await page.fill('#username', users.coordinator);
      await page.fill('#password', 'not the password at all');
      await page.click('[data-testid="sign-in-form"] button[type=submit]');
      await page.waitForSelector('[data-testid="sign-in-form"] [role="alert"]:not(:empty)');
      expect(await page.textContent('[data-testid="sign-in-form"] [role="alert"]')).toMatch(
        /^Wrong username or password/,
      );
      await signIn(page, rehab(), users.coordinator);
      expect(new URL(page.url()).pathname).toBe(`/workbench/referrals/${referralId}`);
      await page.waitForSelector('[data-testid="referral-status"][data-status="green-channel"]');
      expect(await page.textContent('[data-testid="referral-status"]')).toBe('Green channel');
      await page.selectOption('#language', 'zh-CN');
      await waitFor(async () => (await page.textContent('[data-testid="referral-status"]')) === '绿色通道', {
        message: 'switched to Chinese',
      });
      expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');

      // The coordinator's staff page: the site's people, and a new one added with the form.
      await page.click('a[href="/workbench/staff"]');
      await page.waitForSelector(`[data-testid="staff-page"] td:text-is("${users.viewer}")`);
      expect(await page.textContent('[data-testid="staff-page"] tbody')).not.toContain(users.otherWorker);
      const added = `new.${tag}`;
      await page.fill('#new-username', added);
      await page.fill('#new-display', '赵工作');
      await page.fill('#new-password', PASSWORD);
      await page.click('[data-testid="staff-page"] button[type=submit]');
      await page.waitForSelector(`[data-testid="staff-page"] td:text-is("${added}")`);
      await accessible(page, 'staff');
    });
  },
);
