import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EVENTS } from '@app/contracts';
import { waitFor } from '@app/testing';
import { OpsMonitorHarness, startOpsMonitorHarness } from './harness';

const DOCKER = join(__dirname, '../../../docker');
const FILES = ['prometheus/alerts.yml', 'grafana/provisioning/dashboards/json/referral-bus.json'];

/** Metric families on a /metrics page: name → type (from the `# TYPE` lines). */
function families(metrics: string): Map<string, string> {
  return new Map(
    metrics
      .split('\n')
      .filter((l) => l.startsWith('# TYPE '))
      .map((l) => {
        const [, , name, type] = l.split(' ');
        return [name, type] as [string, string];
      }),
  );
}

/** The family a series name belongs to (`x_bucket` → `x` for a histogram). */
function familyOf(name: string, known: Map<string, string>): string {
  const base = name.replace(/_(bucket|sum|count)$/, '');
  return base !== name && known.get(base) === 'histogram' ? base : name;
}

describe('docker/ monitoring config against a live /metrics', () => {
  let h: OpsMonitorHarness;

  beforeAll(async () => {
    h = await startOpsMonitorHarness();
    // Labelled histograms and counters appear once observed: run a referral through every stage and a breach.
    const start = h.clock.now();
    const id = await h.journey(start, {
      assessed: 0.01,
      registered: 0.02,
      assigned: 0.03,
      accepted: 60,
      firstSession: 120,
    });
    await h.publish(
      EVENTS.referralSlaBreached,
      {
        referralId: id,
        stage: 'refer-to-site',
        dueAt: start.toISOString(),
        breachedAt: start.toISOString(),
        workingDays: 5,
      },
      id,
      start,
    );
    await waitFor(async () => (await h.metrics()).includes('referral_sla_breaches_total{'), {
      message: 'breach counted',
    });
  });

  afterAll(async () => {
    await h?.stop();
  });

  it.each(FILES)('%s uses only metric names that exist on /metrics', async (file) => {
    const text = readFileSync(join(DOCKER, file), 'utf8');
    if (file.endsWith('.json')) expect(() => JSON.parse(text) as unknown).not.toThrow();
    const used = [...new Set(text.match(/\breferral_[a-z0-9_]+/g) ?? [])];
    expect(used.length).toBeGreaterThan(5);
    const known = families(await h.metrics());
    const missing = used.filter((name) => !known.has(familyOf(name, known)));
    expect(missing).toEqual([]);
  });

  it('should expose the outbox backlog, consumer lag and referrals by state as samples', async () => {
    await waitFor(async () => (await h.metrics()).includes('referral_consumer_pending_messages{'), {
      message: 'consumer lag read from JetStream',
    });
    const metrics = await h.metrics();
    expect(metrics).toMatch(/^referral_outbox_pending_events\{service="ops-monitor"\} \d+/m);
    expect(metrics).toMatch(/^referral_outbox_oldest_age_seconds\{service="ops-monitor"\} [\d.]+/m);
    expect(metrics).toMatch(
      /^referral_consumer_ack_pending_messages\{consumer="ops-monitor__referral",stream="REFERRAL"/m,
    );
    expect(metrics).toMatch(/^referral_referrals\{state="in-service",county="610902"/m);
  });
});
