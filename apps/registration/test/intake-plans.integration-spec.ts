import { randomUUID } from 'node:crypto';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { ConsentRepository } from '../src/consent/consent.repository';
import { PatientVaultService } from '../src/vault/patient-vault.service';
import {
  expectGenericPlanKept,
  PLAN_CHECK_EXECUTIONS as EXECUTIONS,
  preparedPlanCounts,
} from '@app/testing/prepared-plans';
import { person, RegistrationHarness, startRegistrationHarness } from './harness';

/** Patients on file before the measured calls (the planner sees a populated vault, analysed). */
const PATIENTS_ON_FILE = 300;

/**
 * The intake's hot statements (issue #22) as the app prepares them (PreparingClient, statement cache on): the
 * patient insert with its review candidates (`WITH inserted AS`) and the consents recorded and listed (`WITH added
 * AS`). After the five custom plans every prepared statement starts with, Postgres must keep the generic plan
 * (plan_cache_mode=auto) rather than plan each call again (0.5–0.8 ms a plan).
 */
describe('intake statements keep their generic plan', () => {
  let world: RegistrationHarness;
  let tx: TransactionHost;
  let vault: PatientVaultService;
  let consents: ConsentRepository;

  beforeAll(async () => {
    world = await startRegistrationHarness();
    tx = world.service.app.get(TransactionHost);
    vault = world.service.app.get(PatientVaultService);
    consents = world.service.app.get(ConsentRepository);
    await tx.run(async () => {
      for (let i = 0; i < PATIENTS_ON_FILE; i++) {
        const { patient } = await vault.upsert(person(), randomUUID());
        await consents.insert([
          {
            patientId: patient.id,
            purpose: 'community-rehab',
            grantedBy: 'patient',
            method: 'signed-at-hospital',
            recordedBy: 'hospital-1',
            grantedAt: world.clock.now(),
            expiresAt: null,
          },
        ]);
      }
    }, SYSTEM_ACTOR);
    // What autovacuum would have done by now.
    for (const table of ['patient', 'consent', 'registration'])
      await world.db.query(`ANALYZE "${world.service.schema}".${table}`);
  });

  afterAll(async () => {
    await world?.close();
  });

  const planCounts = (like: string, unlike?: string) => preparedPlanCounts(tx.manager, like, unlike);

  const grant = (purpose: 'community-rehab' | 'employment' | 'information-sharing', at: Date) => ({
    purpose,
    grantedBy: 'patient' as const,
    method: 'signed-at-hospital',
    recordedBy: 'hospital-1',
    grantedAt: at,
    expiresAt: null,
  });

  it('should plan the patient insert generically after the first five calls, with and without an ID number', async () => {
    // One unit of work: one pooled connection, whose prepared statements the counts belong to.
    const { withNumber, withoutNumber, created } = await tx.run(async () => {
      let created = 0;
      for (let i = 0; i < EXECUTIONS; i++) {
        // Half of them share a name, birth date and county with a record on file: review candidates exist.
        const identity = person();
        const filed = await vault.upsert(identity, randomUUID());
        const twin = await vault.upsert({ ...identity, idNumber: undefined }, randomUUID());
        if (filed.created && twin.created && twin.reviewCandidates.includes(filed.patient.id)) created++;
      }
      return {
        withNumber: await planCounts('WITH inserted AS (%AND c.id_number_index IS NULL%'),
        withoutNumber: await planCounts('WITH inserted AS (%', '%AND c.id_number_index IS NULL%'),
        created,
      };
    }, SYSTEM_ACTOR);
    // The statement did its work: each twin without an ID number found its namesake as a candidate.
    expect(created).toBe(EXECUTIONS);
    for (const counts of [withNumber, withoutNumber]) {
      expectGenericPlanKept(counts);
    }
  });

  it('should plan the consents recorded and listed generically after the first five calls', async () => {
    const { counts, listed } = await tx.run(async () => {
      let listed = 0;
      for (let i = 0; i < EXECUTIONS; i++) {
        const { patient } = await vault.upsert(person(), randomUUID());
        const at = world.clock.now();
        // One to three purposes a call: the statement's arrays vary in size as the hospitals' filings do.
        const given = [
          grant('community-rehab', at),
          grant('employment', at),
          grant('information-sharing', at),
        ];
        const all = await consents.recordAndList(patient.id, given.slice(0, 1 + (i % 3)));
        if (all.length === 1 + (i % 3)) listed++;
      }
      return { counts: await planCounts('WITH added AS (%'), listed };
    }, SYSTEM_ACTOR);
    expect(listed).toBe(EXECUTIONS);
    expectGenericPlanKept(counts);
  });
});
