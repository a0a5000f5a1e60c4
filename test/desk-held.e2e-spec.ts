import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import { SERVICES } from '@app/contracts';
import { PAGE_CSP } from '@app/platform';
import { chromiumPresent, createStaffAccount, uniqueName } from '@app/testing';
import { STAFF_PASSWORD, useBrowserFleet } from '@app/testing/browser-pages';
import { adtA03, idNumberFor, withBadChecksum } from '@apps/hospital-intake/test/fixtures';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test reads arbitrary JSON bodies
type Json = any;

const ARTIFACTS = join(__dirname, '../artifacts/workbench');
const HOSPITAL = 'ak-mental-health-centre';
const OTHER_HOSPITAL = 'ak-central-hospital';
const HL7 = 'x-application/hl7-v2+er7';

/**
 * The desk's held discharges in headless Chromium, against hospital-intake as a process: a real-shaped ADT^A03
 * whose PID-3 carries only the MRN is held (MSA|AA with an ERR of severity W); a desk worker finds it in the
 * list with its missing ID number in words, opens it, is told next to the field that a wrong ID number is
 * wrong, completes it with a valid one and sees the referral; the list then shows it completed. A viewer reads
 * without a form (and a forced POST is 403); another hospital's held discharge and unknown ids show the 404 view.
 */
(chromiumPresent('the held-discharge desk browser test') ? describe : describe.skip)(
  'hospital desk: held discharges in headless Chromium',
  () => {
    const tag = uniqueName('dh')
      .replace(/[^a-z0-9]/g, '')
      .slice(-10);
    const users = { worker: `held.worker.${tag}`, viewer: `held.viewer.${tag}` };
    let heldId: string;
    let referralId: string;

    const intake = () => suite.fleet.app(SERVICES.hospitalIntake).url;
    const key = (hospital = HOSPITAL) => suite.fleet.hospitalKey(hospital);

    /** An ADT^A03 without the ID number, over HTTP: held, answered AA with a warning; the held id. */
    async function sendHeld(controlId: string, hospital = HOSPITAL): Promise<string> {
      const response = await fetch(`${intake()}/v1/hl7/v2`, {
        method: 'POST',
        headers: { 'x-api-key': key(hospital), 'content-type': HL7 },
        body: adtA03({ encounterId: `ZY-DESK-${controlId}`, controlId, withoutIdNumber: true }),
      });
      const ack = await response.text();
      expect(response.status).toBe(202);
      const segments = ack.split(/\r|\n/).filter(Boolean);
      const msa = segments.find((s) => s.startsWith('MSA|')) ?? '';
      const match = new RegExp(
        `^MSA\\|AA\\|${controlId}\\|held ([0-9a-f-]{36}): kept, 1 field\\(s\\) missing$`,
      ).exec(msa);
      expect(match).not.toBeNull();
      expect(segments.filter((s) => s.startsWith('ERR|'))).toEqual([
        expect.stringMatching(/^ERR\|\|PID\^1\^3\|ID_NUMBER_MISSING\^\^HL70357\|W\|/),
      ]);
      return match![1];
    }

    async function accessible(page: Page, name: string): Promise<void> {
      expect(await suite.pages.accessibilityViolations(page, name)).toEqual([]);
    }

    const row = (id: string) => `[data-testid="held-list"] tr[data-held-id="${id}"]`;

    const suite = useBrowserFleet({
      apps: [SERVICES.hospitalIntake],
      artifacts: ARTIFACTS,
      prepare: async () => {
        await createStaffAccount(intake(), key(), {
          username: users.worker,
          displayName: '病案室 周护士',
          role: 'worker',
          password: STAFF_PASSWORD,
        });
        await createStaffAccount(intake(), key(), {
          username: users.viewer,
          role: 'viewer',
          password: STAFF_PASSWORD,
        });
      },
    });

    it('should let a desk worker find a discharge held for its ID number, complete it and see the referral', async () => {
      const controlId = `DH${tag}`.slice(0, 20);
      heldId = await sendHeld(controlId);

      // Signed out: the held list sends the browser to sign in, and back after.
      const page = await suite.pages.newPage();
      const served = await page.goto(`${intake()}/desk/held`);
      expect(served?.headers()['content-security-policy']).toBe(PAGE_CSP);
      await page.waitForURL(/\/desk\/sign-in\?next=%2Fdesk%2Fheld$/);
      await suite.pages.signIn(page, intake(), users.worker);
      expect(new URL(page.url()).pathname).toBe('/desk/held');

      // The list: newest first, the source and the missing field in words; the header marks the tab.
      await page.waitForSelector(row(heldId));
      expect(await page.getAttribute('header a[href="/desk/held"]', 'aria-current')).toBe('page');
      expect(await page.getAttribute('header a[href="/desk"]', 'aria-current')).toBeNull();
      expect(await page.textContent(`${row(heldId)} [data-testid="held-missing"]`)).toBe(
        '身份证号 — 没有身份证号',
      );
      expect(await page.textContent(row(heldId))).toContain(`HL7 v2 · ${controlId}`);
      expect(await page.getAttribute('[data-testid="held-list"] tbody tr', 'data-held-id')).toBe(heldId);
      await accessible(page, 'held list');
      await suite.pages.shot(page, 'desk-held-list');

      // The detail: the discharge as read (the patient's name is the hospital's to see), a form for the ID only.
      await page.click(`${row(heldId)} a`);
      await page.waitForURL(`**/desk/held/${heldId}`);
      await page.waitForSelector('[data-testid="held-status"][data-status="held"]');
      expect(await page.textContent('[data-testid="held-patient-name"]')).toBe('赵磊');
      expect(
        await page.$$eval('#held-form [data-field]', (fields) =>
          fields.map((f) => f.getAttribute('data-field')),
        ),
      ).toEqual(['patient.idNumber']);
      await accessible(page, 'held detail');
      await suite.pages.shot(page, 'desk-held-detail');

      // A wrong ID number: the API's refusal next to the field, nothing completed.
      const valid = idNumberFor('1992-08-20');
      await page.fill('#held-id-number', withBadChecksum(valid));
      await page.click('[data-submit="complete-held"]');
      await page.waitForSelector('[data-field="patient.idNumber"] [data-testid="field-error"]:not(:empty)');
      expect(await page.getAttribute('#held-id-number', 'aria-invalid')).toBe('true');
      expect(await page.getAttribute('#held-id-number', 'aria-describedby')).toContain(
        'held-id-number-error',
      );
      expect(await page.textContent('[data-testid="action-error"]')).toContain('填写的内容有误');
      expect(await page.$('[data-testid="held-referral"]')).toBeNull();
      await accessible(page, 'held detail with a field error');
      await suite.pages.shot(page, 'desk-held-field-error');

      // The valid one: a referral, named on the page.
      await page.fill('#held-id-number', valid);
      await page.click('[data-submit="complete-held"]');
      await page.waitForSelector('[data-testid="held-status"][data-status="completed"]');
      referralId = ((await page.textContent('[data-testid="held-referral"] strong')) ?? '').trim();
      expect(referralId).toMatch(/^[0-9a-f-]{36}$/);
      expect(await page.textContent('[data-testid="action-message"]')).toContain(referralId);
      expect(await page.textContent('[data-testid="action-error"]')).toBe('');
      expect(await page.$('[data-testid="held-completion"]')).toBeNull();
      const held = (await (
        await fetch(`${intake()}/v1/held-discharges/${heldId}`, { headers: { 'x-api-key': key() } })
      ).json()) as Json;
      expect(held).toMatchObject({ status: 'completed', referralId, discharge: null });
      const referral = await fetch(`${intake()}/v1/referrals/${referralId}`, {
        headers: { 'x-api-key': key() },
      });
      expect(referral.status).toBe(200);
      await suite.pages.shot(page, 'desk-held-completed');

      // Back in the list: no longer waiting; under "completed", with its referral.
      await page.click('[data-testid="held-detail"] a[href="/desk/held"]');
      await page.waitForSelector('[data-testid="held-list"][data-loaded="true"]');
      expect(await page.$(row(heldId))).toBeNull();
      await page.selectOption('#held-status', 'completed');
      await page.waitForSelector(`${row(heldId)}[data-status="completed"]`);
      expect(new URL(page.url()).searchParams.get('status')).toBe('completed');
      expect(await page.textContent(`${row(heldId)} [data-testid="held-referral-id"]`)).toBe(
        referralId.slice(0, 8),
      );
      await accessible(page, 'held list, completed');
      await suite.pages.shot(page, 'desk-held-list-completed');
    });

    it('should show a viewer the held discharge by its link, without a form, and refuse a forced completion (403)', async () => {
      const id = await sendHeld(`DV${tag}`.slice(0, 20));
      const page = await suite.pages.newPage('en-GB');
      await page.goto(`${intake()}/desk/held/${id}`);
      await page.waitForURL(/\/desk\/sign-in\?next=/);
      await suite.pages.signIn(page, intake(), users.viewer);
      expect(new URL(page.url()).pathname).toBe(`/desk/held/${id}`);
      await page.waitForSelector('[data-testid="held-status"][data-status="held"]');
      expect(await page.textContent('[data-testid="held-status"]')).toBe('To complete');
      expect(await page.textContent('[data-testid="held-missing"]')).toContain('ID number — no ID number');
      expect(await page.$('[data-testid="held-completion"]')).toBeNull();
      expect(await page.$('#held-form')).toBeNull();
      expect(await page.isVisible('[data-testid="held-read-only"]')).toBe(true);
      await accessible(page, 'held detail, viewer');
      await suite.pages.shot(page, 'desk-held-viewer');
      const forced = await page.evaluate(async (heldId) => {
        const session = (await (await fetch('/v1/staff/sessions/current')).json()) as { csrfToken: string };
        const response = await fetch(`/v1/held-discharges/${heldId}/completion`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
          body: JSON.stringify({ patient: { idNumber: '61090219920820873X' } }),
        });
        return { status: response.status, body: await response.json() };
      }, id);
      expect(forced).toMatchObject({ status: 403, body: { code: 'STAFF_ROLE_FORBIDDEN' } });
    });

    it("should show the not-found view for another hospital's held discharge, an unknown id and a malformed one", async () => {
      const others = await sendHeld(`DO${tag}`.slice(0, 20), OTHER_HOSPITAL);
      const page = await suite.pages.newPage();
      await page.goto(`${intake()}/desk/sign-in`);
      await suite.pages.signIn(page, intake(), users.worker);
      for (const id of [others, randomUUID(), 'not-an-id']) {
        await page.goto(`${intake()}/desk/held/${id}`);
        await page.waitForSelector('[data-testid="held-detail"] [data-testid="not-found"]');
        expect(await page.$('[data-testid="held-status"]')).toBeNull();
        expect(await page.textContent('main')).not.toContain(`DO${tag}`);
      }
      await accessible(page, 'held not found');
      // A path the desk does not have is the server's 404, not a page.
      expect((await fetch(`${intake()}/desk/held/${others}/more`)).status).toBe(404);
    });
  },
);
