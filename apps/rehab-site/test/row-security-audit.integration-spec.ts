import { organisationActor, SYSTEM_ACTOR } from '@app/persistence';
import { waitFor } from '@app/testing';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

type AuditRow = {
  action: string;
  subtype: string;
  outcome: number;
  outcome_code: string | null;
  agent_type: string;
  agent_organisation_id: string | null;
  agent_reason: string | null;
  entity_id: string;
};

describe('rehab-site: row-level security per site and the audit trail', () => {
  let world: RehabSiteHarness;
  const keys: Record<string, string> = {};
  let served: string;
  let declined: string;

  const site = (id: string) => organisationActor(id, 'rehab-site');
  const act = (siteId: string, referralId: string, action: string, body: unknown = {}) =>
    world.http('POST', `/v1/sites/${siteId}/referrals/${referralId}/${action}`, keys[siteId], body);
  const auditOf = (referralId: string) =>
    world.db.query<AuditRow>(
      `SELECT * FROM ${world.schema}.audit_event WHERE entity_id = $1 ORDER BY recorded, id`,
      [referralId],
    );
  const asRuntime = (
    actor: Parameters<RehabSiteHarness['db']['asRuntimeRole']>[1],
    sql: string,
    params: unknown[],
  ) => world.db.asRuntimeRole(world.service.schema, actor, sql, params);

  beforeAll(async () => {
    world = await startRehabSiteHarness();
    for (const s of [
      { id: 'a-station', level: 'community-station' as const, areaCodes: [DIVISIONS.committee] },
      { id: 'b-station', level: 'community-station' as const, areaCodes: [DIVISIONS.otherCommittee] },
      { id: 's-street', level: 'street-site' as const, areaCodes: [DIVISIONS.township] },
    ]) {
      keys[s.id] = (await world.createSite({ ...s, capacity: 20 })).apiKey;
    }
    served = await world.register();
    declined = await world.register();
    await waitFor(
      async () =>
        (await world.assignments(served)).length === 1 && (await world.assignments(declined)).length === 1,
      { message: 'both referrals assigned' },
    );
  });

  afterAll(async () => {
    await world?.stop();
  });

  it("should audit a site's read, its changes, and another site's denied read", async () => {
    expect(
      (await world.http('GET', `/v1/sites/a-station/referrals/${served}`, keys['a-station'])).status,
    ).toBe(200);
    expect(
      (await world.http('GET', `/v1/sites/b-station/referrals/${served}`, keys['b-station'])).status,
    ).toBe(404);
    expect((await act('b-station', served, 'accept')).status).toBe(404);
    expect((await act('a-station', served, 'accept')).status).toBe(200);
    // A refused transition rolls back: no record of a change that did not happen.
    expect((await act('a-station', served, 'accept')).status).toBe(409);
    const session = {
      date: world.clock.now().toISOString(),
      type: 'day-care',
      durationMinutes: 60,
      staff: '刘社工',
    };
    expect((await act('a-station', served, 'sessions', session)).status).toBe(200);
    const list = await world.http('GET', '/v1/sites/a-station/referrals', keys['a-station']);
    expect(list.status).toBe(200);

    const rows = await auditOf(served);
    const summary = rows.map((r) => [
      r.agent_organisation_id ?? r.agent_reason,
      r.action,
      r.subtype,
      r.outcome,
    ]);
    expect(summary).toEqual([
      ['event-handler', 'U', 'registered', 0],
      ['a-station', 'R', 'read', 0],
      ['b-station', 'R', 'read', 4],
      ['b-station', 'U', 'accept', 4],
      ['a-station', 'U', 'accept', 0],
      ['a-station', 'U', 'record-session', 0],
      ['a-station', 'R', 'search', 0],
    ]);
    expect(rows.filter((r) => r.outcome === 4).map((r) => r.outcome_code)).toEqual([
      'REFERRAL_NOT_FOUND',
      'REFERRAL_NOT_FOUND',
    ]);
  });

  it('should show raw SQL as the runtime role only the acting site’s referrals and service records', async () => {
    const schema = world.schema;
    for (const sql of [
      `SELECT referral_id FROM ${schema}.referral WHERE referral_id = $1`,
      `SELECT id FROM ${schema}.service_record WHERE referral_id = $1`,
    ]) {
      expect(await asRuntime(site('a-station'), sql, [served])).toHaveLength(1);
      expect(await asRuntime(site('b-station'), sql, [served])).toHaveLength(0);
      expect(await asRuntime(null, sql, [served])).toHaveLength(0);
      expect(await asRuntime(SYSTEM_ACTOR, sql, [served])).toHaveLength(1);
    }
    expect(
      await asRuntime(
        site('b-station'),
        `UPDATE ${schema}.referral SET site_id = 'b-station' WHERE referral_id = $1 RETURNING referral_id`,
        [served],
      ),
    ).toHaveLength(0);
    // Nor may a site hand its own referral to another site by itself (WITH CHECK).
    await expect(
      asRuntime(
        site('a-station'),
        `UPDATE ${schema}.referral SET site_id = 'b-station' WHERE referral_id = $1`,
        [served],
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('should let the service re-route a declined referral to another site while the decliner loses sight of it', async () => {
    expect((await act('a-station', declined, 'decline', { reasonCode: 'no-capacity' })).status).toBe(200);
    await waitFor(async () => (await world.assignments(declined)).length === 2, { message: 're-routed' });
    expect(await world.assignments(declined)).toEqual(['a-station', 's-street']);
    const schema = world.schema;
    const referral = `SELECT site_id FROM ${schema}.referral WHERE referral_id = $1`;
    expect(await asRuntime(site('a-station'), referral, [declined])).toHaveLength(0);
    expect(await asRuntime(site('s-street'), referral, [declined])).toEqual([{ site_id: 's-street' }]);
    const exclusion = `SELECT site_id FROM ${schema}.referral_exclusion WHERE referral_id = $1`;
    expect(await asRuntime(site('a-station'), exclusion, [declined])).toEqual([{ site_id: 'a-station' }]);
    expect(await asRuntime(site('s-street'), exclusion, [declined])).toEqual([]);
    expect(
      (await auditOf(declined)).map((r) => [r.agent_organisation_id, r.subtype, r.outcome]),
    ).toContainEqual(['a-station', 'decline', 0]);
  });

  it('should keep the runtime role from altering audit rows', async () => {
    const table = `${world.schema}.audit_event`;
    for (const sql of [`UPDATE ${table} SET outcome = 0`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
      await expect(asRuntime(SYSTEM_ACTOR, sql, [])).rejects.toMatchObject({ code: '42501' });
    }
  });
});
