import { Actor, organisationActor, SYSTEM_ACTOR } from '@app/persistence';
import { http, person, RegistrationHarness, startRegistrationHarness } from './harness';

type AuditRow = {
  action: string;
  subtype: string;
  outcome: number;
  outcome_code: string | null;
  agent_organisation_id: string | null;
  agent_organisation_kind: string | null;
  entity_type: string;
  entity_id: string;
  purpose_of_use: string;
};

describe('registration: row-level security per organisation and the audit trail', () => {
  let world: RegistrationHarness;
  let applicationId: string;
  let registrationId: string;
  let patientRef: string;

  const family = organisationActor('fam-1', 'family-portal');
  const socialOrg = organisationActor('soc-1', 'social-organisation');
  const hanbinCentre = organisationActor('centre-hanbin', 'county-centre');
  const shiquanCentre = organisationActor('centre-shiquan', 'county-centre');
  const visible = async (actor: Actor | null, sql: string, id: string) =>
    (await world.db.asRuntimeRole(world.service.schema, actor, sql, [id])).length;
  const auditOf = (entityId: string) =>
    world.db.query<AuditRow>(
      `SELECT * FROM "${world.service.schema}".audit_event WHERE entity_id = $1 ORDER BY recorded, id`,
      [entityId],
    );

  beforeAll(async () => {
    world = await startRegistrationHarness();
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: person(),
      needs: ['family-support'],
      consents: [
        {
          purpose: 'community-rehab',
          grantedBy: 'patient',
          method: 'signed-online',
          grantedAt: new Date().toISOString(),
        },
      ],
    });
    expect(filed.status).toBe(201);
    applicationId = filed.body.applicationId as string;
    registrationId = filed.body.registrationId as string;
    patientRef = filed.body.patientRef as string;
  });

  afterAll(async () => {
    await world?.close();
  });

  it('should show raw SQL as the runtime role the application, registration, patient and consents only to those who may see them', async () => {
    const s = `"${world.service.schema}"`;
    const cases: [string, string][] = [
      [`SELECT id FROM ${s}.application WHERE id = $1`, applicationId],
      [`SELECT id FROM ${s}.registration WHERE id = $1`, registrationId],
      [`SELECT id FROM ${s}.patient WHERE id = $1`, patientRef],
      [`SELECT id FROM ${s}.consent WHERE patient_id = $1`, patientRef],
    ];
    for (const [sql, id] of cases) {
      expect([sql, await visible(family, sql, id)]).toEqual([sql, 1]); // filed it
      expect([sql, await visible(hanbinCentre, sql, id)]).toEqual([sql, 1]); // the patient's county centre
      expect([sql, await visible(socialOrg, sql, id)]).toEqual([sql, 0]); // another organisation
      expect([sql, await visible(shiquanCentre, sql, id)]).toEqual([sql, 0]); // another county's centre
      expect([sql, await visible(null, sql, id)]).toEqual([sql, 0]); // no actor at all
      expect([sql, await visible(SYSTEM_ACTOR, sql, id)]).toEqual([sql, 1]); // the service itself
    }
  });

  it('should audit the filing, a read and a denied read', async () => {
    expect(
      (await http(world, 'GET', `/v1/registrations/${registrationId}`, world.keys.familyPortal)).status,
    ).toBe(200);
    expect(
      (await http(world, 'GET', `/v1/registrations/${registrationId}`, world.keys.socialOrg)).status,
    ).toBe(404);

    const filing = await auditOf(applicationId);
    expect(filing).toEqual([
      expect.objectContaining({
        action: 'C',
        subtype: 'file-application',
        outcome: 0,
        agent_organisation_id: 'fam-1',
        agent_organisation_kind: 'family-portal',
        entity_type: 'application',
        purpose_of_use: 'PATADMIN',
      }),
    ]);
    expect((await auditOf(patientRef)).map((r) => [r.action, r.subtype, r.agent_organisation_id])).toEqual([
      ['C', 'file-application', 'fam-1'],
      ['R', 'read', 'fam-1'],
    ]);
    const reads = await auditOf(registrationId);
    expect(
      reads.map((r) => [r.action, r.subtype, r.outcome, r.outcome_code, r.agent_organisation_id]),
    ).toEqual([
      ['R', 'read', 0, null, 'fam-1'],
      ['R', 'read', 4, 'REGISTRATION_NOT_FOUND', 'soc-1'],
    ]);
  });

  it('should keep the runtime role from altering audit rows', async () => {
    const table = `"${world.service.schema}".audit_event`;
    for (const sql of [`UPDATE ${table} SET outcome = 0`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
      await expect(world.db.asRuntimeRole(world.service.schema, SYSTEM_ACTOR, sql)).rejects.toMatchObject({
        code: '42501',
      });
    }
  });
});
