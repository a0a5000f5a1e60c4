import { EVENTS } from '@app/contracts';
import { schemaFingerprint, SHARED_NATS_URL, waitFor, waitForQuietBus } from '@app/testing';
import { assertRandomBodiesAreHarmless } from '@app/testing/fuzz';
import { OpsMonitorHarness, startOpsMonitorHarness } from './harness';

interface Endpoint {
  path: string;
  /** `{}`: the endpoint takes no body (any other is refused with BODY_NOT_ALLOWED). */
  valid: Record<string, unknown>;
}

/**
 * Fuzzed request bodies for every ops-monitor POST: report generation and the read-model rebuild (JSON DTOs),
 * and those that take no body (alert acknowledge/resolve, report sign-off), with an ops-admin token: never a 5xx,
 * and a refused request (4xx) leaves every table exactly as it was. An unknown field is refused (400) everywhere.
 * The harness's clock stands still, so no sweep changes a table meanwhile.
 */
describe('ops-monitor: fuzzed request bodies', () => {
  let h: OpsMonitorHarness;
  let reportId: string;
  /** Two open alerts: one to acknowledge, one to resolve. */
  let alertIds: string[];

  const send = async (path: string, body: unknown) => {
    const response = await fetch(`${h.service.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...h.admin },
      body: body === undefined ? 'null' : JSON.stringify(body),
    });
    const text = await response.text();
    let parsed: { code?: string } = {};
    try {
      parsed = JSON.parse(text) as { code?: string };
    } catch {
      // not JSON
    }
    return { status: response.status, body: parsed };
  };

  beforeAll(async () => {
    h = await startOpsMonitorHarness();
    // Something for the rebuild to read: two referrals discharged and assessed within two minutes, so no stay
    // is past its expected time and the stuck-referral sweep raises no alert of its own while the fuzz runs.
    const twoMinutesAgo = new Date(h.clock.now().getTime() - 120_000);
    await h.journey(twoMinutesAgo, { assessed: 30 });
    await h.journey(twoMinutesAgo, { assessed: 60 });
    alertIds = [];
    for (const summary of ['to acknowledge', 'to resolve']) {
      alertIds.push(
        await h.publish(
          EVENTS.opsAlertRaised,
          {
            code: 'SITE_ANSWER_OVERDUE',
            severity: 'warning',
            service: 'rehab-site',
            summary,
            raisedAt: h.clock.now().toISOString(),
          },
          undefined,
          h.clock.now(),
        ),
      );
    }
    await waitFor(
      async () => (await h.http('GET', '/v1/alerts?status=open', h.viewer)).body.items?.length === 2,
      { message: 'two open alerts' },
    );
    const report = await send('/v1/indicators/reports', { period: '2026-02', area: '610902' });
    expect(report.status).toBe(200);
    reportId = (report.body as { id: string }).id;
    // Consumers work in the background: let them finish so the fingerprints only see our requests.
    await waitForQuietBus(h.db, h.service, SHARED_NATS_URL);
  });

  afterAll(async () => {
    await h?.stop();
  });

  const endpoints = (): Endpoint[] => [
    { path: '/v1/indicators/reports', valid: { period: '2026-01', area: '6109' } },
    { path: '/v1/admin/read-model/rebuild', valid: { replace: false } },
    { path: `/v1/alerts/${alertIds[0]}/acknowledge`, valid: {} },
    { path: `/v1/alerts/${alertIds[1]}/resolve`, valid: {} },
    { path: `/v1/indicators/reports/${reportId}/sign-off`, valid: {} },
  ];

  it('should refuse an unknown field on every body (400) and store nothing', async () => {
    for (const e of endpoints()) {
      const before = await schemaFingerprint(h.db, h.service.schema);
      const answer = await send(e.path, { ...e.valid, isAdmin: true });
      expect({ path: e.path, status: answer.status, code: answer.body.code }).toEqual({
        path: e.path,
        status: 400,
        code: Object.keys(e.valid).length > 0 ? 'VALIDATION_FAILED' : 'BODY_NOT_ALLOWED',
      });
      expect(await schemaFingerprint(h.db, h.service.schema)).toEqual(before);
    }
  });

  it('should never answer 5xx, nor change anything when it refuses, for random bodies', async () => {
    await assertRandomBodiesAreHarmless({
      endpoints: endpoints(),
      fingerprint: () => schemaFingerprint(h.db, h.service.schema),
      send: async (e, body) => {
        const { status } = await send(e.path, body);
        if (status < 300) await waitForQuietBus(h.db, h.service, SHARED_NATS_URL);
        return status;
      },
    });
  });
});
