import { AckPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { EVENTS, recipientSubject } from '@app/contracts';
import {
  countSubjectMessages,
  SHARED_NATS_URL,
  waitFor,
  webhookReceiver,
  WebhookReceiver,
} from '@app/testing';
import { verifyWebhook } from '@app/webhooks';
import { DIVISIONS, startRehabSiteHarness, RehabSiteHarness } from './harness';

describe('rehab-site: a site sees and acts on only its own referrals', () => {
  let world: RehabSiteHarness;
  let hookA: WebhookReceiver;
  let hookB: WebhookReceiver;
  const site: Record<'A' | 'B', { id: string; key: string; secret: string }> = {} as never;
  let referralA: string;
  let referralB: string;

  beforeAll(async () => {
    world = await startRehabSiteHarness({ pageLimitMax: 3 });
    hookA = await webhookReceiver();
    hookB = await webhookReceiver(2); // B's endpoint fails twice: the worker must retry
    const a = await world.createSite({
      id: 'site-a',
      level: 'community-station',
      areaCodes: [DIVISIONS.committee],
      webhookUrl: hookA.url,
    });
    const b = await world.createSite({
      id: 'site-b',
      level: 'community-station',
      areaCodes: [DIVISIONS.otherCommittee],
      webhookUrl: hookB.url,
    });
    site.A = { id: 'site-a', key: a.apiKey, secret: a.webhookSecret! };
    site.B = { id: 'site-b', key: b.apiKey, secret: b.webhookSecret! };
    referralA = await world.register(
      { residenceDivisionCode: DIVISIONS.committee },
      { name: '李四', phone: '13900000001' },
    );
    referralB = await world.register(
      { residenceDivisionCode: DIVISIONS.otherCommittee },
      { name: '王五', phone: '13900000002' },
    );
    await waitFor(
      async () =>
        (await world.assignments(referralA)).length === 1 &&
        (await world.assignments(referralB)).length === 1,
      {
        message: 'both assigned',
      },
    );
  });

  afterAll(async () => {
    await world?.stop();
    await hookA?.close();
    await hookB?.close();
  });

  it("should not let site A list, read or act on site B's referrals through the API", async () => {
    expect(await world.assignments(referralB)).toEqual(['site-b']);

    const listA = await world.http('GET', '/v1/sites/site-a/referrals', site.A.key);
    expect(listA.status).toBe(200);
    expect(listA.body.items.map((r: { referralId: string }) => r.referralId)).toEqual([referralA]);
    // A's key on B's path, and B's referral under A's path: both look like nothing is there.
    expect((await world.http('GET', '/v1/sites/site-b/referrals', site.A.key)).status).toBe(404);
    expect((await world.http('GET', `/v1/sites/site-b/referrals/${referralB}`, site.A.key)).status).toBe(404);
    expect((await world.http('GET', `/v1/sites/site-a/referrals/${referralB}`, site.A.key)).status).toBe(404);
    for (const [action, body] of [
      ['accept', {}],
      ['decline', { reasonCode: 'no-capacity' }],
    ] as const) {
      expect(
        (await world.http('POST', `/v1/sites/site-a/referrals/${referralB}/${action}`, site.A.key, body))
          .status,
      ).toBe(404);
      expect(
        (await world.http('POST', `/v1/sites/site-b/referrals/${referralB}/${action}`, site.A.key, body))
          .status,
      ).toBe(404);
    }
    expect((await world.referral(referralB))?.status).toBe('assigned');
    // Without a key, or with a wrong one: 401 problem+json.
    const anonymous = await world.http('GET', '/v1/sites/site-b/referrals');
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
    expect((await world.http('GET', '/v1/sites/site-b/referrals', 'not-a-real-key-123')).status).toBe(401);
    // B sees its own referral with the contact opened for it.
    const readB = await world.http('GET', `/v1/sites/site-b/referrals/${referralB}`, site.B.key);
    expect(readB).toMatchObject({
      status: 200,
      body: {
        referralId: referralB,
        status: 'assigned',
        contact: { name: '王五' },
        allowedActions: ['accept', 'decline'],
      },
    });
  });

  it("should publish the assignment only on the assigned site's own NATS subject", async () => {
    const subjectOf = (siteId: string) =>
      world.topology.subject(recipientSubject(EVENTS.siteReferralAssigned, siteId));
    await waitFor(
      async () =>
        (await countSubjectMessages(
          SHARED_NATS_URL,
          world.topology.streamName('SITE'),
          subjectOf('site-b'),
        )) === 1,
      { message: 'notice on site-b subject' },
    );

    // What a bus-connected site B would read: a durable on site.site-b.> only.
    const nc = await connect({ servers: SHARED_NATS_URL });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = world.topology.streamName('SITE');
      const seen = async (siteId: string) => {
        const durable = `probe_${siteId.replace(/-/g, '_')}`;
        await jsm.consumers.add(stream, {
          durable_name: durable,
          filter_subject: world.topology.subject(`site.${siteId}.>`),
          ack_policy: AckPolicy.Explicit,
        });
        const consumer = await jetstream(nc).consumers.get(stream, durable);
        const batch = await consumer.fetch({ max_messages: 10, expires: 1000 });
        const ids: string[] = [];
        for await (const m of batch) {
          ids.push(m.json<{ data: { referralId: string; siteId: string } }>().data.referralId);
          m.ack();
        }
        return ids;
      };
      expect(await seen('site-b')).toEqual([referralB]);
      expect(await seen('site-a')).toEqual([referralA]);
    } finally {
      await nc.close();
    }
  });

  it('should send signed webhooks only to the assigned site, retrying with backoff and logging each attempt', async () => {
    await waitFor(() => hookB.received.length === 1 && hookA.received.length === 1, {
      message: 'webhooks delivered',
    });

    const [toB] = hookB.received;
    expect(JSON.parse(toB.body)).toMatchObject({
      type: EVENTS.siteReferralAssigned.type,
      data: { referralId: referralB, siteId: 'site-b' },
    });
    expect(verifyWebhook(toB.body, site.B.secret, toB.headers)).toBe(true);
    expect(verifyWebhook(toB.body, site.A.secret, toB.headers)).toBe(false);
    expect(
      hookA.received.map((r) => (JSON.parse(r.body) as { data: { referralId: string } }).data.referralId),
    ).toEqual([referralA]);
    expect(hookB.received.some((r) => r.body.includes(referralA))).toBe(false);
    const attempts = await world.db.query<{ attempt: number; status: number; at: Date }>(
      `SELECT a.attempt, a.status, a.at FROM ${world.schema}.webhook_attempt a
         JOIN ${world.schema}.webhook_delivery d ON d.id = a.delivery_id
        WHERE d.recipient_id = 'site-b' ORDER BY a.attempt`,
    );
    expect(attempts.map((a) => [a.attempt, a.status])).toEqual([
      [1, 503],
      [2, 503],
      [3, 204],
    ]);
    // Backoff 50 ms then 100 ms (WEBHOOK_BACKOFF_MS = 50 in this world).
    expect(attempts[1].at.getTime() - attempts[0].at.getTime()).toBeGreaterThanOrEqual(45);
    expect(attempts[2].at.getTime() - attempts[1].at.getTime()).toBeGreaterThanOrEqual(95);
  });

  it("should page a site's list with an opaque cursor and refuse a limit above the maximum", async () => {
    const more = [];
    for (let i = 0; i < 4; i++) {
      world.clock.advance(1000);
      more.push(await world.register({ residenceDivisionCode: DIVISIONS.committee }));
    }
    await waitFor(
      async () =>
        (await world.db.count(`SELECT count(*) FROM ${world.schema}.referral WHERE site_id = 'site-a'`)) ===
        5,
      { message: '5 referrals at site-a' },
    );

    // Asking for more than SITE_PAGE_LIMIT_MAX (3 here) is refused (400); the maximum gets a page and a cursor.
    expect((await world.http('GET', '/v1/sites/site-a/referrals?limit=4', site.A.key)).status).toBe(400);
    const capped = await world.http('GET', '/v1/sites/site-a/referrals?limit=3', site.A.key);
    expect(capped.body.items).toHaveLength(3);
    expect(capped.body.nextCursor).toEqual(expect.any(String));

    const seen: { referralId: string; assignedAt: string }[] = [];
    let cursor: string | null = null;
    do {
      const page: {
        status: number;
        body: { items: { referralId: string; assignedAt: string }[]; nextCursor: string | null };
      } = await world.http(
        'GET',
        `/v1/sites/site-a/referrals?status=assigned&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        site.A.key,
      );
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items);
      cursor = page.body.nextCursor;
    } while (cursor);
    const keyOf = (r: { referralId: string; assignedAt: string }) => `${r.assignedAt}|${r.referralId}`;
    expect(seen.map(keyOf)).toEqual(seen.map(keyOf).sort());
    expect(seen.map((r) => r.referralId).sort()).toEqual([referralA, ...more].sort());
    expect((await world.http('GET', '/v1/sites/site-a/referrals?cursor=bogus', site.A.key)).status).toBe(400);
  });

  it('should answer a tampered cursor with an odd date 400 problem+json, never 500 (issue 14)', async () => {
    // Date.parse reads 30 February as 2 March; Postgres refuses it. The cursor is refused before any SQL.
    for (const at of ['2026-02-30T10:00:00.000Z', '2026-11-23T24:00:00.000Z', '2']) {
      const tampered = Buffer.from(JSON.stringify([at, referralA])).toString('base64url');
      const answer = await world.http('GET', `/v1/sites/site-a/referrals?cursor=${tampered}`, site.A.key);

      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({
        type: expect.stringContaining('/problems/invalid-cursor'),
        status: 400,
        code: 'INVALID_CURSOR',
        errors: [{ pointer: '#/cursor' }],
      });
    }
  });
});
