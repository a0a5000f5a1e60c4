import { NatsConnectionService } from '@app/messaging';
import { createStaffAccount, rawCall, signIn, StaffBrowser, uniqueName, waitFor } from '@app/testing';
import { startRehabSiteHarness, RehabSiteHarness, DIVISIONS } from './harness';

const MINUTE = 60_000;
const PASSWORD = 'correct horse battery staple';

/** How many subscriptions the service's NATS connection holds (the SSE stream adds two per client). */
async function subscriptionCount(world: RehabSiteHarness): Promise<number> {
  const bus = await world.service.app.get(NatsConnectionService).ready();
  return (
    bus.nc as unknown as { protocol: { subscriptions: { size(): number } } }
  ).protocol.subscriptions.size();
}

describe('rehab-site staff accounts, sessions, roles and live notices', () => {
  let world: RehabSiteHarness;
  const siteA = uniqueName('sa').replace(/_/g, '-').toLowerCase();
  const siteB = uniqueName('sb').replace(/_/g, '-').toLowerCase();
  const keys: Record<string, string> = {};
  const url = () => world.service.url;
  const person = (role: string) => ({ username: uniqueName(role).toLowerCase(), role, password: PASSWORD });
  const account = async (role: string, site = siteA) => {
    const p = person(role);
    const created = await createStaffAccount(url(), keys[site], p);
    return { ...p, id: created.id as string };
  };

  beforeAll(async () => {
    world = await startRehabSiteHarness();
    keys[siteA] = (
      await world.createSite({ id: siteA, level: 'community-station', areaCodes: [DIVISIONS.committee] })
    ).apiKey;
    keys[siteB] = (
      await world.createSite({ id: siteB, level: 'community-station', areaCodes: [DIVISIONS.otherCommittee] })
    ).apiKey;
  });

  afterAll(async () => {
    await world?.stop();
  });

  it('should sign in with the right password, answer the same session on current, and set a strict cookie', async () => {
    const coordinator = await account('coordinator');
    const answer = await rawCall(
      url(),
      'POST',
      '/v1/staff/sessions',
      {},
      {
        username: coordinator.username,
        password: PASSWORD,
      },
    );
    expect(answer.status).toBe(200);
    expect(answer.headers.get('set-cookie')).toMatch(
      /^__Host-rb-staff=[A-Za-z0-9_-]{43}; HttpOnly; Secure; SameSite=Strict; Path=\/$/,
    );
    expect(answer.body).toMatchObject({
      person: {
        id: coordinator.id,
        username: coordinator.username,
        role: 'coordinator',
        organisationId: siteA,
      },
      csrfToken: expect.any(String),
      expiresAt: new Date(world.clock.now().getTime() + 30 * MINUTE).toISOString(),
    });
    const browser = await signIn(url(), coordinator.username, PASSWORD);
    const current = await browser.call('GET', '/v1/staff/sessions/current');
    expect(current).toMatchObject({ status: 200, body: { csrfToken: browser.csrfToken } });
    // The password is stored as a scrypt hash, the session as the sha256 of its token.
    const [row] = await world.db.query<{ password_hash: string }>(
      `SELECT password_hash FROM ${world.schema}.staff_account WHERE id = $1`,
      [coordinator.id],
    );
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
  });

  it('should refuse a wrong password and an unknown username with one generic 401', async () => {
    const worker = await account('worker');
    const wrong = await rawCall(
      url(),
      'POST',
      '/v1/staff/sessions',
      {},
      { username: worker.username, password: 'nope nope nope' },
    );
    const unknown = await rawCall(
      url(),
      'POST',
      '/v1/staff/sessions',
      {},
      { username: 'nobody-here', password: PASSWORD },
    );
    expect(wrong).toMatchObject({ status: 401, body: { code: 'SIGN_IN_FAILED' } });
    expect(unknown).toMatchObject({ status: 401, body: { code: 'SIGN_IN_FAILED' } });
    expect((unknown.body as { detail: string }).detail).toBe((wrong.body as { detail: string }).detail);
    const audited = await world.db.query<{ outcome_code: string }>(
      `SELECT outcome_code FROM ${world.schema}.audit_event WHERE entity_type = 'staff-account' AND subtype = 'sign-in' AND entity_id = $1`,
      [worker.id],
    );
    expect(audited.map((r) => r.outcome_code)).toEqual(['WRONG_PASSWORD']);
  });

  it('should lock an account after 5 failures in a row, refuse the right password then, and unlock after 15 min', async () => {
    const worker = await account('worker');
    const attempt = (password: string) =>
      rawCall(url(), 'POST', '/v1/staff/sessions', {}, { username: worker.username, password });
    for (let i = 0; i < 5; i++) expect((await attempt('wrong password!')).status).toBe(401);
    expect(await attempt(PASSWORD)).toMatchObject({ status: 401, body: { code: 'SIGN_IN_FAILED' } });
    const listed = await rawCall(url(), 'GET', '/v1/staff/accounts', { 'X-API-Key': keys[siteA] });
    expect(
      (listed.body as { id: string; lockedUntil: string | null }[]).find((a) => a.id === worker.id)
        ?.lockedUntil,
    ).toBe(new Date(world.clock.now().getTime() + 15 * MINUTE).toISOString());
    world.clock.advance(14 * MINUTE);
    expect((await attempt(PASSWORD)).status).toBe(401);
    world.clock.advance(MINUTE + 1000);
    expect((await attempt(PASSWORD)).status).toBe(200);
  });

  it('should end a session after 30 min idle, and after 12 h however much it is used', async () => {
    const worker = await account('worker');
    const idle = await signIn(url(), worker.username, PASSWORD);
    world.clock.advance(29 * MINUTE);
    expect((await idle.call('GET', '/v1/staff/sessions/current')).status).toBe(200);
    world.clock.advance(29 * MINUTE); // slid forward by the last call
    expect((await idle.call('GET', '/v1/staff/sessions/current')).status).toBe(200);
    world.clock.advance(31 * MINUTE);
    expect(await idle.call('GET', '/v1/staff/sessions/current')).toMatchObject({
      status: 401,
      body: { code: 'UNAUTHENTICATED' },
    });

    const busy = await signIn(url(), worker.username, PASSWORD);
    for (let used = 0; used < 12 * 60 - 25; used += 25) {
      world.clock.advance(25 * MINUTE);
      expect((await busy.call('GET', '/v1/staff/sessions/current')).status).toBe(200);
    }
    world.clock.advance(25 * MINUTE);
    expect((await busy.call('GET', '/v1/staff/sessions/current')).status).toBe(401);
  });

  it("should record a session's use at most once a minute, slide it after a minute, and end it 30 min idle", async () => {
    const worker = await account('worker');
    const browser = await signIn(url(), worker.username, PASSWORD);
    const signedInAt = world.clock.now();
    /** The session row's last use and version (xmin changes with every UPDATE, even to the same values). */
    const row = async () =>
      (
        await world.db.query<{ last_seen_at: Date; version: string }>(
          `SELECT last_seen_at, xmin::text AS version FROM ${world.schema}.staff_session WHERE account_id = $1`,
          [worker.id],
        )
      )[0];
    const current = async () => (await browser.call('GET', '/v1/staff/sessions/current')).status;
    const signedIn = await row();
    expect(signedIn.last_seen_at).toEqual(signedInAt);

    // Two calls within the minute after the recorded use: the row is not written.
    world.clock.advance(20_000);
    expect(await current()).toBe(200);
    world.clock.advance(30_000);
    expect(await current()).toBe(200);
    expect(await row()).toEqual(signedIn);

    // A call more than a minute after it slides the last use to now, once.
    world.clock.advance(11_000);
    expect(await current()).toBe(200);
    const slid = await row();
    expect(slid.last_seen_at).toEqual(world.clock.now());
    expect(slid.version).not.toBe(signedIn.version);
    world.clock.advance(59_000);
    expect(await current()).toBe(200);
    expect(await row()).toEqual(slid);

    // Idle more than 30 min: refused, and not written.
    world.clock.advance(30 * MINUTE);
    expect(await current()).toBe(401);
    expect(await row()).toEqual(slid);
  });

  it('should sign out only with the CSRF token, then refuse the cookie', async () => {
    const viewer = await account('viewer');
    const browser = await signIn(url(), viewer.username, PASSWORD);
    const missing = await rawCall(url(), 'DELETE', '/v1/staff/sessions/current', { Cookie: browser.cookie });
    expect(missing).toMatchObject({ status: 403, body: { code: 'CSRF_TOKEN_INVALID' } });
    const wrong = await browser.call('DELETE', '/v1/staff/sessions/current', undefined, {
      'X-CSRF-Token': 'x'.repeat(43),
    });
    expect(wrong).toMatchObject({ status: 403, body: { code: 'CSRF_TOKEN_INVALID' } });
    const out = await browser.call('DELETE', '/v1/staff/sessions/current');
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^__Host-rb-staff=; .*Max-Age=0/);
    expect((await browser.call('GET', '/v1/staff/sessions/current')).status).toBe(401);
  });

  it('should hold roles: viewer reads only, worker may not accept, coordinator may, and the audit names the person', async () => {
    const [viewer, worker, coordinator] = [
      await account('viewer'),
      await account('worker'),
      await account('coordinator'),
    ];
    const referralId = await world.register();
    await waitFor(async () => (await world.assignments(referralId)).includes(siteA), {
      message: 'assigned to A',
    });
    const path = `/v1/sites/${siteA}/referrals/${referralId}`;

    const asViewer = await signIn(url(), viewer.username, PASSWORD);
    expect((await asViewer.call('GET', path)).status).toBe(200);
    expect(await asViewer.call('POST', `${path}/plan`, {})).toMatchObject({
      status: 403,
      body: { code: 'STAFF_ROLE_FORBIDDEN' },
    });
    const asWorker = await signIn(url(), worker.username, PASSWORD);
    expect(await asWorker.call('POST', `${path}/accept`)).toMatchObject({
      status: 403,
      body: { code: 'STAFF_ROLE_FORBIDDEN' },
    });
    const asCoordinator = await signIn(url(), coordinator.username, PASSWORD);
    expect(await asCoordinator.call('POST', `${path}/accept`)).toMatchObject({
      status: 200,
      body: { status: 'accepted' },
    });
    const audited = await world.db.query<{ agent_user_id: string; agent_organisation_id: string }>(
      `SELECT agent_user_id, agent_organisation_id FROM ${world.schema}.audit_event
        WHERE entity_id = $1 AND subtype = 'accept'`,
      [referralId],
    );
    expect(audited).toEqual([{ agent_user_id: `staff:${coordinator.id}`, agent_organisation_id: siteA }]);
  });

  it("should answer 404 for another site's path, and 401 for a cookie sent with an API key", async () => {
    const coordinator = await account('coordinator');
    const browser = await signIn(url(), coordinator.username, PASSWORD);
    const referralId = await world.register({ residenceDivisionCode: DIVISIONS.otherCommittee });
    await waitFor(async () => (await world.assignments(referralId)).includes(siteB), {
      message: 'assigned to B',
    });
    expect((await browser.call('GET', `/v1/sites/${siteB}/referrals/${referralId}`)).status).toBe(404);
    expect((await browser.call('POST', `/v1/sites/${siteB}/referrals/${referralId}/accept`)).status).toBe(
      404,
    );
    expect((await browser.call('GET', `/v1/sites/${siteA}/referrals/${referralId}`)).status).toBe(404);
    const both = await browser.call('GET', `/v1/sites/${siteA}/referrals`, undefined, {
      'X-API-Key': keys[siteA],
    });
    expect(both).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  });

  it('should let a coordinator manage its own people only, and refuse a taken username', async () => {
    const coordinator = await account('coordinator');
    const other = await account('worker', siteB);
    const browser = await signIn(url(), coordinator.username, PASSWORD);
    const p = person('worker');
    const created = await browser.call('POST', '/v1/staff/accounts', { ...p, displayName: '李四' });
    expect(created).toMatchObject({
      status: 201,
      body: { username: p.username, organisationId: siteA, disabled: false },
    });
    expect(
      (await browser.call('POST', '/v1/staff/accounts', { ...p, displayName: '王五' })).body,
    ).toMatchObject({
      code: 'USERNAME_TAKEN',
    });
    expect((await browser.call('PATCH', `/v1/staff/accounts/${other.id}`, { disabled: true })).status).toBe(
      404,
    );
    const worker = await signIn(url(), p.username, PASSWORD);
    const disabled = await browser.call(
      'PATCH',
      `/v1/staff/accounts/${(created.body as { id: string }).id}`,
      {
        disabled: true,
      },
    );
    expect(disabled).toMatchObject({ status: 200, body: { disabled: true } });
    expect((await worker.call('GET', '/v1/staff/sessions/current')).status).toBe(401);
    expect((await worker.call('GET', '/v1/staff/accounts')).status).toBe(401);
    const asWorker = await signIn(url(), (await account('worker')).username, PASSWORD);
    expect((await asWorker.call('GET', '/v1/staff/accounts')).status).toBe(403);
  });

  it('should stream assigned notices of its own site as server-sent events, and unsubscribe when the client leaves', async () => {
    const viewer = await account('viewer');
    const browser: StaffBrowser = await signIn(url(), viewer.username, PASSWORD);
    const before = await subscriptionCount(world);
    const aborted = new AbortController();
    const response = await fetch(`${url()}/v1/sites/${siteA}/referrals/events`, {
      headers: { Cookie: browser.cookie },
      signal: aborted.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let received = '';
    // `ready` comes once the server's subscriptions are in place: from then on nothing is missed.
    await waitFor(
      async () => {
        const { value } = await reader.read();
        received += decoder.decode(value);
        return received.includes('event: ready\ndata: {}\n\n');
      },
      { message: 'ready event' },
    );
    expect(await subscriptionCount(world)).toBe(before + 2);

    const referralId = await world.register();
    await waitFor(
      async () => {
        const { value } = await reader.read();
        received += decoder.decode(value);
        return received.includes(`event: assigned\ndata: {"referralId":"${referralId}"}\n\n`);
      },
      { message: 'assigned event' },
    );
    aborted.abort();
    await waitFor(async () => (await subscriptionCount(world)) === before, { message: 'unsubscribed' });

    // Another site's stream is not found.
    const other = await rawCall(url(), 'GET', `/v1/sites/${siteB}/referrals/events`, {
      Cookie: browser.cookie,
    });
    expect(other.status).toBe(404);
  });
});
