import { randomUUID } from 'node:crypto';
import { referralSealContext, RehabService } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { SiteRepository } from '../src/directory/site.repository';
import { prefectureSites } from '../src/directory/seed-sites';
import { NewReferral, ReferralRepository } from '../src/referrals/referral.repository';
import {
  expectGenericPlanKept,
  PLAN_CHECK_EXECUTIONS as EXECUTIONS,
  preparedPlanCounts,
} from '@app/testing/prepared-plans';
import { RehabSiteHarness, startRehabSiteHarness } from './harness';

/**
 * The routing statements (site.repository's placeAtBestCandidateSql, issue #22) as the app prepares them
 * (PreparingClient, statement cache on), over the demo directory of 安康市: after the five custom plans every
 * prepared statement starts with, Postgres must keep the generic plan (plan_cache_mode=auto) rather than plan
 * each call again. With the areas as one array parameter the generic plan was estimated for 10 areas, twice the
 * custom plans' cost, and every call was planned (0.51 ms a call).
 */
describe('routing statements keep their generic plan', () => {
  let world: RehabSiteHarness;
  let tx: TransactionHost;
  let referrals: ReferralRepository;
  let divisions: DivisionDirectory;
  /** Residence committees that have a community station, in a fixed order. */
  let committees: string[];

  beforeAll(async () => {
    world = await startRehabSiteHarness({
      sweepIntervalMs: 3_600_000,
      webhooks: { pollIntervalMs: 60_000, maxAttempts: 10, backoffMs: 2000 },
    });
    const app = world.service.app;
    tx = app.get(TransactionHost);
    referrals = app.get(ReferralRepository);
    divisions = app.get(DivisionDirectory);
    const sites = await prefectureSites(divisions, '6109');
    const directory = app.get(SiteRepository);
    await tx.run(async () => {
      for (const site of sites) {
        const { areaCode, ...rest } = site;
        await directory.insert({
          ...rest,
          areaCodes: [areaCode],
          maxRiskLevel: 2,
          accepting: true,
          webhookUrl: null,
          webhookSecret: null,
        });
      }
    }, SYSTEM_ACTOR);
    // What autovacuum would have done by now: the planner sees the directory's real size.
    await world.db.query(`ANALYZE ${world.schema}.site`);
    await world.db.query(`ANALYZE ${world.schema}.site_area`);
    committees = sites.filter((s) => s.level === 'community-station').map((s) => s.areaCode);
    expect(committees.length).toBeGreaterThan(100);
  });

  afterAll(async () => {
    await world?.stop();
  });

  /** A registered referral of the i-th residence, with varying needs, risk and preferences. */
  function referral(i: number): NewReferral {
    const referralId = randomUUID();
    const needs: RehabService[][] = [['day-care'], ['day-care', 'life-skills'], ['social-skills']];
    // Every fourth lives in a township or county only: fewer areas than levels (null parameters).
    const residence = committees[(i * 37) % committees.length];
    return {
      referralId,
      registrationId: randomUUID(),
      patientRef: randomUUID(),
      residenceDivisionCode: i % 4 === 3 ? residence.slice(0, 9 - (i % 8 === 7 ? 3 : 0)) : residence,
      needs: needs[i % needs.length],
      riskLevel: i % 3,
      colourGrade: 'green',
      ...(i % 5 === 0 ? { preferredSiteId: `cs-${residence}` } : {}),
      registeredAt: world.clock.now().toISOString(),
      sealedContact: world.cipher.sealJson({ name: '张三' }, referralSealContext('siteContact', referralId)),
    };
  }

  const assignment = (i: number) => ({
    hop: 1,
    assignedAt: world.clock.now(),
    answerDueAt: new Date(world.clock.now().getTime() + 3_600_000 + i),
  });

  const planCounts = (like: string) => preparedPlanCounts(tx.manager, like);

  it('should plan the registering insert-and-place generically after the first five calls', async () => {
    // One unit of work: one pooled connection, whose prepared statement the counts belong to.
    const { counts, placed } = await tx.run(async () => {
      let placed = 0;
      for (let i = 0; i < EXECUTIONS; i++) {
        const incoming = referral(i);
        const areaCodes = divisions.ancestry(incoming.residenceDivisionCode);
        const result = await referrals.insertRegisteredAndPlace(incoming, areaCodes, assignment(i));
        if (result?.site) placed++;
      }
      return { counts: await planCounts('WITH picked AS (%INSERT INTO%'), placed };
    }, SYSTEM_ACTOR);
    // The statement did route: a plan that found nothing would prove nothing.
    expect(placed).toBeGreaterThan(EXECUTIONS / 2);
    expectGenericPlanKept(counts);
  });

  it('should plan the re-routing assignment generically after the first five calls', async () => {
    const { counts, placed } = await tx.run(async () => {
      let placed = 0;
      for (let i = 0; i < EXECUTIONS; i++) {
        const waiting = referral(100 + i);
        const stored = await referrals.insertRegistered(waiting);
        expect(stored).toBeDefined();
        const site = await referrals.assignBestCandidate(
          {
            referralId: waiting.referralId,
            areaCodes: divisions.ancestry(waiting.residenceDivisionCode),
            needs: waiting.needs,
            riskLevel: waiting.riskLevel,
            previousSiteId: null,
            preferredSiteId: waiting.preferredSiteId ?? null,
          },
          assignment(i),
        );
        if (site) placed++;
      }
      return { counts: await planCounts('WITH picked AS (%UPDATE%'), placed };
    }, SYSTEM_ACTOR);
    expect(placed).toBeGreaterThan(EXECUTIONS / 2);
    expectGenericPlanKept(counts);
  });
});
