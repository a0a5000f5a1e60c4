import { EVENTS, SERVICES } from '@app/contracts';
import { QueryRecorder, RecordedStatement, waitFor } from '@app/testing';
import { consent, person, publishAssessed, RegistrationHarness, startRegistrationHarness } from './harness';

/** Referrals driven through the hospital path per run: enough for stable per-referral figures. */
const REFERRALS = 20;
/**
 * Round trips per referral.assessed (new patient, consent signed at the hospital) in the handler's own SQL:
 * the application / encounter check, the patient insert (a patient already on file costs a lookup more), the
 * consent insert and the registration inserted with its application. Without transaction control, the inbox
 * claim, audit and outbox inserts (libs/).
 */
const HANDLER_BUDGET = 4;
/**
 * Everything the consumer path sends per referral (transaction control, inbox, audit, outbox included). A batch
 * of delivered events shares one transaction, inbox claim, audit and outbox insert (6.9 measured with the 20
 * events queued at once); the headroom covers events that arrive while a batch runs and so form smaller ones.
 */
const ALL_BUDGET = 10;

const TX_CONTROL = /^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SELECT set_config)/i;
/** The outbox relay's claim (libs/messaging OutboxRepository.claimBatch): one per relay round. */
const RELAY_CLAIM = /^SELECT c\.id, c\.seq, c\.ordering_key\b.*\bFOR UPDATE SKIP LOCKED\b/;
/** The unit of work's deferred writes (audit and outbox rows) as one statement (libs/persistence). */
const DEFERRED_WRITES = /^(WITH w\d+ AS \()?INSERT INTO \S+\.("?)(outbox|audit_event)\2 /;
const isRelay = (s: RecordedStatement) => /\.outbox\b/.test(s.text) && !DEFERRED_WRITES.test(s.text);
const isLibrary = (s: RecordedStatement) =>
  /^INSERT INTO \S+\.("?)inbox\1 /.test(s.text) || DEFERRED_WRITES.test(s.text);

/**
 * The hospital path held to a statement budget: round trips to Postgres are what limits throughput (README,
 * Performance), so a change that re-reads rows already in hand or splits a write shows up here.
 */
describe('registration query budget (referral.assessed)', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  it(`should register a hospital referral in at most ${HANDLER_BUDGET} handler statements`, async () => {
    const schema = world.service.schema;
    const recorder = new QueryRecorder().start();
    let statements: RecordedStatement[];
    try {
      const referralIds: string[] = [];
      for (let i = 0; i < REFERRALS; i++)
        referralIds.push(await publishAssessed(world, person(), [consent()]));
      await waitFor(
        async () =>
          (await world.db.count(
            `SELECT count(*) FROM "${schema}".application WHERE id = ANY($1) AND status = 'registered'`,
            [referralIds],
          )) === REFERRALS,
        { timeoutMs: 60_000 },
      );
      await waitFor(
        async () =>
          (await world.db.count(`SELECT count(*) FROM "${schema}".inbox WHERE event_type = $1`, [
            EVENTS.referralAssessed.type,
          ])) === REFERRALS,
      );
    } finally {
      statements = recorder.stop();
    }

    // The path did all its work: one referral.registered per referral waits in (or left) the outbox.
    expect(
      await world.db.count(`SELECT count(*) FROM "${schema}".outbox WHERE event_type = $1`, [
        EVENTS.referralRegistered.type,
      ]),
    ).toBe(REFERRALS);

    const app = statements.filter((s) => s.application === SERVICES.registration);
    // The outbox relay polls on the same pool: its claims, marks and their transactions are not the handler's.
    const relayRounds = app.filter((s) => RELAY_CLAIM.test(s.text)).length;
    const consumer = app.filter((s) => !isRelay(s));
    const handler = consumer.filter((s) => !TX_CONTROL.test(s.text) && !isLibrary(s));
    const perReferral = (n: number) => n / REFERRALS;
    // Each relay round is a transaction of its own: its START (with the actor) and COMMIT are not the consumer's.
    const all = perReferral(consumer.length - 2 * relayRounds);
    const own = perReferral(handler.length);
    const report =
      `per referral: all ${all.toFixed(2)}, handler ${own.toFixed(2)}\n` +
      `handler statements:\n${QueryRecorder.summary(handler)}\n` +
      `consumer statements (incl. relay transactions):\n${QueryRecorder.summary(consumer)}`;
    // The figure on success; the statement summary only with a failure.
    process.stdout.write(`${report.split('\n')[0]}\n`);

    if (own > HANDLER_BUDGET)
      throw new Error(`handler statements over budget (${HANDLER_BUDGET})\n${report}`);
    // A relay poll cut by the end of recording leaves at most its START without its claim.
    if (all > ALL_BUDGET + 1 / REFERRALS)
      throw new Error(`statements over budget (${ALL_BUDGET})\n${report}`);
  });
});
