import { AuditTrail } from '@app/audit';
import {
  DatabaseDefinition,
  migrateDown,
  migrateUp,
  organisationActor,
  runtimeRoleOf,
  SYSTEM_ACTOR,
  TransactionHost,
} from '@app/persistence';
import { opsHeaders, TEST_DATABASE_URL, uniqueName } from '@app/testing';
import { DATABASE } from '../src/database';
import { discharge } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

/** The service's migrations up to the named one (`extra` 0: without it), for stepping through history. */
function through(name: string, extra = 1): DatabaseDefinition {
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  const migrations = DATABASE.migrations as Function[];
  return {
    ...DATABASE,
    migrations: migrations.slice(0, migrations.findIndex((m) => m.name === name) + extra),
  };
}

type AuditRow = {
  type: string;
  recorded: Date;
  action: string;
  subtype: string;
  outcome: number;
  outcome_code: string | null;
  agent_type: string;
  agent_organisation_id: string | null;
  agent_organisation_kind: string | null;
  agent_user_id: string | null;
  agent_reason: string | null;
  entity_type: string;
  entity_id: string;
  purpose_of_use: string;
  source: string;
};

/** Postgres refuses with insufficient_privilege (42501): a missing GRANT or the append-only trigger. */
const REFUSED = expect.objectContaining({ code: '42501' }) as unknown;

describe('hospital-intake: row-level security and the audit trail', () => {
  let w: HospitalIntakeHarness;
  let referralA: string;

  const hospital = (id: string) => organisationActor(id, 'hospital');
  const auditOf = (entityId: string) =>
    w.db.query<AuditRow>(
      `SELECT * FROM "${w.service.schema}".audit_event WHERE entity_id = $1 ORDER BY recorded, id`,
      [entityId],
    );
  const get = async (id: string, key: string) =>
    (await fetch(`${w.service.url}/v1/referrals/${id}`, { headers: { 'x-api-key': key } })).status;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
    const created = await w.send('/v1/discharges', discharge());
    expect(created.status).toBe(201);
    referralA = (created.body as { referralId: string }).referralId;
  });

  afterAll(async () => {
    await w?.close();
  });

  it('should run the app as the runtime role, not the owner, and without an actor outside a transaction', async () => {
    const tx = w.service.app.get(TransactionHost);
    const [who] = await tx.dataSource.query<{ current_user: string; rolsuper: boolean }[]>(
      `SELECT current_user, r.rolsuper FROM pg_roles r WHERE r.rolname = current_user`,
    );
    expect(who).toEqual({ current_user: runtimeRoleOf(w.service.schema), rolsuper: false });
    // The pool's manager outside run() has no actor: the policies show nothing.
    expect(await tx.manager.query(`SELECT id FROM ${tx.schema}.referral`)).toEqual([]);
  });

  it.each(['referral', 'discharge_assessment', 'idempotency_key', 'green_case', 'audit_event'])(
    'should enable and force row-level security on %s',
    async (table) => {
      const [row] = await w.db.query<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
        `SELECT relrowsecurity, relforcerowsecurity FROM pg_class
          WHERE oid = to_regclass($1)`,
        [`"${w.service.schema}".${table}`],
      );
      expect(row).toEqual({ relrowsecurity: true, relforcerowsecurity: true });
    },
  );

  it("should show raw SQL as the runtime role only the acting hospital's rows", async () => {
    const schema = w.service.schema;
    const referrals = `SELECT id FROM "${schema}".referral WHERE id = $1`;
    const assessments = `SELECT referral_id FROM "${schema}".discharge_assessment WHERE referral_id = $1`;
    for (const sql of [referrals, assessments]) {
      expect(await w.db.asRuntimeRole(schema, hospital(w.hospitalA), sql, [referralA])).toHaveLength(1);
      expect(await w.db.asRuntimeRole(schema, hospital(w.hospitalB), sql, [referralA])).toHaveLength(0);
      expect(await w.db.asRuntimeRole(schema, null, sql, [referralA])).toHaveLength(0);
      expect(await w.db.asRuntimeRole(schema, SYSTEM_ACTOR, sql, [referralA])).toHaveLength(1);
    }
    // Nor can another hospital change the row, or write one in A's name.
    const moved = await w.db.asRuntimeRole(
      schema,
      hospital(w.hospitalB),
      `UPDATE "${schema}".referral SET status = 'closed' WHERE id = $1 RETURNING id`,
      [referralA],
    );
    expect(moved).toHaveLength(0);
    await expect(
      w.db.asRuntimeRole(
        schema,
        hospital(w.hospitalB),
        `INSERT INTO "${schema}".idempotency_key (hospital_id, key, request_sha256, response_status, response_body)
         VALUES ($1, 'k', 'x', 201, '{}')`,
        [w.hospitalA],
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('should audit the creation, a read and a denied read of a referral', async () => {
    expect(await get(referralA, w.keyA)).toBe(200);
    expect(await get(referralA, w.keyB)).toBe(404);

    const rows = await auditOf(referralA);
    const common = {
      entity_type: 'referral',
      entity_id: referralA,
      purpose_of_use: 'TREAT',
      source: 'hospital-intake',
      agent_type: 'organisation',
      agent_organisation_kind: 'hospital',
    };
    expect(rows).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          ...common,
          action: 'C',
          subtype: 'create',
          outcome: 0,
          agent_organisation_id: w.hospitalA,
        }),
        expect.objectContaining({
          ...common,
          action: 'R',
          subtype: 'read',
          outcome: 0,
          agent_organisation_id: w.hospitalA,
        }),
        expect.objectContaining({
          ...common,
          action: 'R',
          subtype: 'read',
          outcome: 4,
          outcome_code: 'REFERRAL_NOT_FOUND',
          agent_organisation_id: w.hospitalB,
        }),
      ]),
    );
    expect(rows).toHaveLength(3);
  });

  it('should keep the runtime role from updating, deleting or truncating audit rows', async () => {
    const schema = w.service.schema;
    const table = `"${schema}".audit_event`;
    for (const actor of [SYSTEM_ACTOR, hospital(w.hospitalA)]) {
      for (const sql of [
        `UPDATE ${table} SET outcome = 0 WHERE entity_id = '${referralA}'`,
        `DELETE FROM ${table} WHERE entity_id = '${referralA}'`,
        `TRUNCATE ${table}`,
      ]) {
        await expect(w.db.asRuntimeRole(schema, actor, sql)).rejects.toEqual(REFUSED);
      }
    }
    // The owner is refused too, by the trigger.
    await expect(w.db.query(`DELETE FROM ${table} WHERE entity_id = $1`, [referralA])).rejects.toThrow(
      /append-only/,
    );
    await expect(w.db.query(`TRUNCATE ${table}`)).rejects.toThrow(/append-only/);
    expect(await auditOf(referralA)).toHaveLength(3);
    // An organisation cannot write a record in another's name.
    await expect(
      w.db.asRuntimeRole(
        schema,
        hospital(w.hospitalB),
        `INSERT INTO ${table} (id, type, subtype, action, outcome, agent_type, agent_organisation_id,
           entity_type, entity_id, purpose_of_use, source)
         VALUES (gen_random_uuid(), 'rest', 'read', 'R', 0, 'organisation', $1, 'referral', $2, 'TREAT', 'x')`,
        [w.hospitalA, referralA],
      ),
    ).rejects.toThrow(/row-level security/);
  });

  it('should write the audit record in the same transaction as the change: rolled back together', async () => {
    const tx = w.service.app.get(TransactionHost);
    const audit = w.service.app.get(AuditTrail);
    await expect(
      tx.run(async () => {
        await tx.manager.query(`UPDATE ${tx.schema}.referral SET updated_at = now() WHERE id = $1`, [
          referralA,
        ]);
        await audit.record({
          type: 'rest',
          subtype: 'rolled-back-update',
          action: 'U',
          entityType: 'referral',
          entityId: referralA,
          purposeOfUse: 'TREAT',
        });
        throw new Error('the change fails after its audit record');
      }, hospital(w.hospitalA)),
    ).rejects.toThrow('the change fails');
    expect((await auditOf(referralA)).map((r) => r.subtype)).not.toContain('rolled-back-update');
    // and outside a transaction there is nothing to attach a record to
    await expect(
      audit.record({
        type: 'rest',
        subtype: 'x',
        action: 'R',
        entityType: 'referral',
        entityId: referralA,
        purposeOfUse: 'TREAT',
      }),
    ).rejects.toThrow(/inside TransactionHost.run/);
  });

  it('should answer the ops query by entity, agent and outcome, newest first, paged by cursor', async () => {
    const audit = w.service.app.get(AuditTrail);
    const denied = await audit.search({ entityId: referralA, outcome: 4 });
    expect(denied.items).toHaveLength(1);
    expect(denied.items[0]).toMatchObject({
      action: 'R',
      outcome: 4,
      outcomeCode: 'REFERRAL_NOT_FOUND',
      agent: { type: 'organisation', organisationId: w.hospitalB, organisationKind: 'hospital' },
      entity: { type: 'referral', id: referralA },
    });
    const byAgent = await audit.search({ agentOrganisationId: w.hospitalA, action: 'C' });
    expect(byAgent.items.map((i) => i.entity.id)).toEqual([referralA]);

    const first = await audit.search({ entityId: referralA, limit: 2 });
    expect(first.items).toHaveLength(2);
    expect(first.nextCursor).not.toBeNull();
    const second = await audit.search({ entityId: referralA, limit: 2, cursor: first.nextCursor! });
    expect(second.items).toHaveLength(1);
    expect(second.nextCursor).toBeNull();
    const all = [...first.items, ...second.items];
    expect(new Set(all.map((i) => i.id)).size).toBe(3);
    expect(all.map((i) => i.recorded)).toEqual([...all.map((i) => i.recorded)].sort().reverse());
    expect((await audit.search({ entityId: referralA, from: new Date(Date.now() + 60_000) })).items).toEqual(
      [],
    );
    await expect(audit.search({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ code: 'INVALID_CURSOR' });
    // A tampered cursor with an odd date (Date.parse lets 30 February by, Postgres does not): refused first.
    const oddDate = Buffer.from(JSON.stringify(['2026-02-30T00:00:00.000000Z', referralA])).toString(
      'base64url',
    );
    await expect(audit.search({ cursor: oddDate })).rejects.toMatchObject({
      code: 'INVALID_CURSOR',
      kind: 'invalid',
    });
  });

  it('should serve the audit trail over HTTP to auditors only, with the query validated', async () => {
    const query = `${w.service.url}/v1/audit-events?entityId=${referralA}&outcome=4`;
    const asAuditor = await fetch(query, { headers: await opsHeaders('auditor') });
    expect(asAuditor.status).toBe(200);
    const page = (await asAuditor.json()) as { items: { outcome: number; entity: { id: string } }[] };
    expect(page.items).toHaveLength(1);
    expect(page.items[0]).toMatchObject({ outcome: 4, entity: { id: referralA } });

    expect((await fetch(query, { headers: await opsHeaders('ops-admin') })).status).toBe(403);
    expect((await fetch(query, { headers: { 'x-api-key': w.keyA } })).status).toBe(403);
    expect((await fetch(query)).status).toBe(401);
    const tooMany = await fetch(`${w.service.url}/v1/audit-events?limit=100000`, {
      headers: await opsHeaders('auditor'),
    });
    expect(tooMany.status).toBe(400);
    expect(tooMany.headers.get('content-type')).toContain('application/problem+json');
  });

  it('should audit every read of the audit trail: who, which filter, when (issue 14)', async () => {
    const readsOf = (filter: string) =>
      w.db.query<AuditRow>(
        `SELECT * FROM "${w.service.schema}".audit_event WHERE entity_type = 'audit-trail' AND entity_id = $1`,
        [filter],
      );
    const filter = `entityId=${referralA}&action=R&limit=5`;
    expect(await readsOf(filter)).toEqual([]);
    const before = Date.now();
    const read = await fetch(`${w.service.url}/audit-events?limit=5&action=R&entityId=${referralA}`, {
      headers: await opsHeaders('auditor'),
    });
    expect(read.status).toBe(200);
    const [record] = await readsOf(filter);
    expect(record).toMatchObject({
      type: 'rest',
      subtype: 'search',
      action: 'E',
      outcome: 0,
      agent_type: 'system',
      agent_organisation_id: null,
      agent_user_id: 'test-auditor',
      agent_reason: 'audit-query',
      entity_type: 'audit-trail',
      purpose_of_use: 'HOPERAT',
    });
    expect(record.recorded.getTime()).toBeGreaterThanOrEqual(before - 5_000);
    // The read of the reads is itself recorded, and it lists the earlier one.
    const reads = await fetch(`${w.service.url}/audit-events?entityType=audit-trail`, {
      headers: await opsHeaders('auditor'),
    });
    const page = (await reads.json()) as { items: { entity: { id: string } }[] };
    expect(page.items.map((i) => i.entity.id)).toContain(filter);
    expect(await readsOf('entityType=audit-trail')).toHaveLength(1);
    // A refused query (400, 403) read nothing and records nothing.
    expect(
      (await fetch(`${w.service.url}/audit-events?limit=100000`, { headers: await opsHeaders('auditor') }))
        .status,
    ).toBe(400);
    expect(
      (await fetch(`${w.service.url}/audit-events?limit=7`, { headers: await opsHeaders('ops-admin') }))
        .status,
    ).toBe(403);
    expect(await readsOf('limit=100000')).toEqual([]);
    expect(await readsOf('limit=7')).toEqual([]);
  });

  it("should backfill the assessment's hospital from its referral and check it directly, and undo that on the way down", async () => {
    const schema = uniqueName('s3ah');
    const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };
    const s = `"${schema}"`;
    const referralId = '00000000-0000-4000-8000-000000000001';
    const policy = () =>
      w.db.query<{ qual: string }>(
        `SELECT qual FROM pg_policies WHERE schemaname = $1 AND tablename = 'discharge_assessment'`,
        [schema],
      );
    try {
      await migrateUp(settings, through('AssessmentHospital1764300000000', 0));
      await w.db
        .query(`INSERT INTO ${s}.hospital (id, name, level, county_division_code, kind, on_call_name, on_call_phone)
                        VALUES ('h1', 'h', 'primary', '610902', 'general', 'x', 'y')`);
      await w.db.query(
        `INSERT INTO ${s}.referral (id, hospital_id, encounter_id, channel, status, admitted_at, discharged_at,
           residence_division_code, diagnoses, sealed_patient, id_number_index)
         VALUES ($1, 'h1', 'e1', 'json', 'assessed', now(), now(), '610902', '{F20.0}', '{}', 'i')`,
        [referralId],
      );
      await w.db.query(
        `INSERT INTO ${s}.discharge_assessment (referral_id, risk_level, condition_status, rehab_needs,
           employment_interest, colour_grade, eligible_for_community_rehab, assessed_at)
         VALUES ($1, 1, 'basically-stable', '{}', false, 'green', true, now())`,
        [referralId],
      );
      await migrateUp(settings, through('AssessmentHospital1764300000000'));
      expect(await w.db.query(`SELECT hospital_id FROM ${s}.discharge_assessment`)).toEqual([
        { hospital_id: 'h1' },
      ]);
      expect((await policy())[0].qual).not.toContain('referral');
      // The hospital column must be the referral's own (composite foreign key).
      await expect(
        w.db.query(`UPDATE ${s}.discharge_assessment SET hospital_id = 'other' WHERE referral_id = $1`, [
          referralId,
        ]),
      ).rejects.toThrow(/foreign key/);

      expect(await migrateDown(settings, through('AssessmentHospital1764300000000'), 1)).toEqual([
        'AssessmentHospital1764300000000',
      ]);
      expect((await policy())[0].qual).toContain('referral');
      expect(
        await w.db.count(
          `SELECT count(*) FROM information_schema.columns
            WHERE table_schema = $1 AND table_name = 'discharge_assessment' AND column_name = 'hospital_id'`,
          [schema],
        ),
      ).toBe(0);
      expect(
        await w.db.asRuntimeRole(
          schema,
          hospital('h1'),
          `SELECT referral_id FROM "${schema}".discharge_assessment`,
        ),
      ).toHaveLength(1);
    } finally {
      await w.db.dropSchemas(schema);
    }
  });

  it('should drop the policies, the audit trail and the runtime role on the way down, and restore them on the way up', async () => {
    const schema = uniqueName('s3rls');
    const settings = { url: TEST_DATABASE_URL, schema, applicationName: 'test-migrate' };
    const role = runtimeRoleOf(schema);
    const roleCount = () => w.db.count(`SELECT count(*) FROM pg_roles WHERE rolname = $1`, [role]);
    try {
      await migrateUp(settings, DATABASE);
      expect(await roleCount()).toBe(1);
      // Every migration from the one that made the runtime role and the audit trail onwards, newest first.
      const names = (DATABASE.migrations as { name: string }[]).map((m) => m.name);
      const fromRowSecurity = names.slice(names.indexOf('RowLevelSecurityAndAudit1764000000200')).reverse();
      expect(fromRowSecurity.length).toBeGreaterThan(1);
      expect(await migrateDown(settings, DATABASE, fromRowSecurity.length)).toEqual(fromRowSecurity);
      expect(await roleCount()).toBe(0);
      expect(await w.db.count(`SELECT count(*) FROM pg_policies WHERE schemaname = $1`, [schema])).toBe(0);
      expect(
        await w.db.count(
          `SELECT count(*) FROM pg_tables WHERE schemaname = $1 AND tablename = 'audit_event'`,
          [schema],
        ),
      ).toBe(0);
      await migrateUp(settings, DATABASE);
      expect(await roleCount()).toBe(1);
      // One policy per table with row-level security (the referral timeline's and held discharges' included).
      expect(await w.db.count(`SELECT count(*) FROM pg_policies WHERE schemaname = $1`, [schema])).toBe(7);
    } finally {
      await w.db.dropSchemas(schema);
    }
    expect(await roleCount()).toBe(0);
  });
});
