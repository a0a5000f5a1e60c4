import {
  EventDefinition,
  EVENTS,
  PatientIdentityDto,
  recipientSubject,
  referralSealContext,
} from '@app/contracts';
import { FieldCipher } from '@app/crypto';
import { waitFor } from '@app/testing';
import { idempotencyLockKey } from '../src/discharges/discharge.repository';
import { discharge, referralAssignedData, referralRegisteredData } from './fixtures';
import { HospitalIntakeHarness, startHospitalIntakeHarness } from './harness';

type Receipt = {
  referralId: string;
  created: boolean;
  colourGrade: string;
  eligibleForCommunityRehab: boolean;
};
type Problem = { code: string; errors?: { pointer: string; code?: string }[] };

describe('hospital-intake: JSON discharges', () => {
  let w: HospitalIntakeHarness;

  beforeAll(async () => {
    w = await startHospitalIntakeHarness();
  });

  afterAll(async () => {
    await w?.close();
  });

  const referralsOf = (encounterId: string) => w.count('referral', 'encounter_id = $1', [encounterId]);
  const outboxOf = (referralId: string) => w.count('outbox', 'ordering_key = $1', [referralId]);

  it('should refuse a missing or unknown API key with 401 problem+json', async () => {
    const missing = await w.send('/v1/discharges', discharge(), {}, null);
    const unknown = await w.send('/v1/discharges', discharge(), {}, `hik_abcdefgh_${'x'.repeat(32)}`);
    const forged = await w.send('/v1/discharges', discharge(), {}, w.keyA.slice(0, -2) + 'zz');

    for (const answer of [missing, unknown, forged]) {
      expect(answer.status).toBe(401);
      expect(answer.contentType).toContain('application/problem+json');
      expect((answer.body as Problem).code).toBe('UNAUTHENTICATED');
    }
  });

  it('should create one referral with its assessment and publish discharged + assessed with the patient sealed', async () => {
    const body = discharge();
    const answer = await w.send('/v1/discharges', body);

    expect(answer.status).toBe(201);
    const receipt = answer.body as Receipt;
    expect(receipt).toMatchObject({ created: true, colourGrade: 'yellow', eligibleForCommunityRehab: true });
    expect(await referralsOf(body.encounterId as string)).toBe(1);
    expect(await w.count('discharge_assessment', 'referral_id = $1', [receipt.referralId])).toBe(1);

    const rows = await w.db.query<{ subject: string; payload: string }>(
      `SELECT subject, payload FROM "${w.service.schema}".outbox WHERE ordering_key = $1 ORDER BY seq`,
      [receipt.referralId],
    );
    expect(rows.map((r) => r.subject)).toEqual([
      EVENTS.referralDischarged.subject,
      EVENTS.referralAssessed.subject,
      // The first step of the hospital's own timeline, pushed to its subject (no PII either).
      recipientSubject(EVENTS.hospitalReferralStep, w.hospitalA),
    ]);
    const patient = body.patient as PatientIdentityDto;
    for (const row of rows) {
      for (const pii of [patient.name, patient.idNumber, patient.phone!, patient.address!]) {
        expect(row.payload).not.toContain(pii);
      }
    }
    const assessed = JSON.parse(rows[1].payload) as { subject: string; data: Record<string, unknown> };
    expect(assessed.subject).toBe(receipt.referralId);
    expect(assessed.data).toMatchObject({
      riskLevel: 1,
      conditionStatus: 'basically-stable',
      consents: [expect.objectContaining({ purpose: 'community-rehab' })],
    });
    const opened = w.service.app
      .get(FieldCipher)
      .openJson<PatientIdentityDto>(
        assessed.data.sealedPatient as never,
        referralSealContext('patient', receipt.referralId),
      );
    expect(opened).toMatchObject({
      name: patient.name,
      idNumber: patient.idNumber,
      residenceDivisionCode: patient.residenceDivisionCode,
    });

    const stored = await w.db.query<{ sealed_patient: unknown; id_number_index: string }>(
      `SELECT sealed_patient, id_number_index FROM "${w.service.schema}".referral WHERE id = $1`,
      [receipt.referralId],
    );
    expect(JSON.stringify(stored[0])).not.toContain(patient.idNumber);
    expect(JSON.stringify(stored[0])).not.toContain(patient.name);
    expect(stored[0].id_number_index).toMatch(/^[0-9a-f]{64}$/);

    await waitFor(
      async () =>
        (await w.count('outbox', 'ordering_key = $1 AND published_at IS NOT NULL', [receipt.referralId])) ===
        3,
      { message: 'the events and the step notice relayed to JetStream' },
    );
    // The request was logged (so the absence below is redaction, not silence) — and without the patient.
    const requestLogs = w.service.logs.lines.filter((line) => line.includes('"url":"/v1/discharges"'));
    expect(requestLogs.some((line) => line.includes('request completed'))).toBe(true);
    expect(w.service.logs.lines.join('\n')).not.toContain(patient.idNumber);
    expect(w.service.logs.lines.join('\n')).not.toContain(patient.name);
  });

  it('should read a discharge time without an offset, and a bare admission date, in China Standard Time', async () => {
    // Beijing wall-clock time two hours ago, as a hospital system that keeps local times writes it.
    const instant = new Date(Math.floor(Date.now() / 1000) * 1000 - 2 * 3_600_000);
    const local = new Date(instant.getTime() + 8 * 3_600_000).toISOString();
    const body = { ...discharge(), dischargedAt: local.slice(0, 19), admittedAt: '2026-01-05' };
    const answer = await w.send('/v1/discharges', body);

    expect(answer.status).toBe(201);
    const rows = await w.db.query<{ payload: string }>(
      `SELECT payload FROM "${w.service.schema}".outbox WHERE ordering_key = $1 AND subject = $2`,
      [(answer.body as Receipt).referralId, EVENTS.referralDischarged.subject],
    );
    const data = (JSON.parse(rows[0].payload) as { data: { dischargedAt: string } }).data;
    expect(new Date(data.dischargedAt).toISOString()).toBe(instant.toISOString());
    const [stored] = await w.db.query<{ admitted_at: Date; discharged_at: Date }>(
      `SELECT admitted_at, discharged_at FROM "${w.service.schema}".referral WHERE id = $1`,
      [(answer.body as Receipt).referralId],
    );
    expect(stored.admitted_at.toISOString()).toBe('2026-01-04T16:00:00.000Z');
    expect(stored.discharged_at.toISOString()).toBe(instant.toISOString());
  });

  it('should refuse a time JavaScript cannot read (ISO week or ordinal dates) with 400 naming the field', async () => {
    for (const dischargedAt of ['2026-W49-1', '2026-340', '20261201T090000Z']) {
      const body: Record<string, unknown> = { ...discharge(), dischargedAt };
      const answer = await w.send('/v1/discharges', body);
      expect({
        status: answer.status,
        pointers: (answer.body as Problem).errors?.map((e) => e.pointer),
      }).toEqual({
        status: 400,
        pointers: ['#/dischargedAt'],
      });
      expect(await referralsOf(body.encounterId as string)).toBe(0);
    }
  });

  it('should answer a repeated encounter with the existing referral and no second one', async () => {
    const body = discharge();
    const first = await w.send('/v1/discharges', body);
    const again = await w.send('/v1/discharges', { ...body, dischargeDisposition: 'other' });

    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect((again.body as Receipt).referralId).toBe((first.body as Receipt).referralId);
    expect((again.body as Receipt).created).toBe(false);
    expect(await referralsOf(body.encounterId as string)).toBe(1);
    // discharged, assessed and the hospital's `discharged` step notice, once.
    expect(await outboxOf((first.body as Receipt).referralId)).toBe(3);
  });

  it('should create exactly one referral when the same discharge is posted 12 times at once', async () => {
    const body = discharge();
    const answers = await Promise.all(Array.from({ length: 12 }, () => w.send('/v1/discharges', body)));

    expect(answers.map((a) => a.status).sort()).toEqual([
      200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 200, 201,
    ]);
    const ids = new Set(answers.map((a) => (a.body as Receipt).referralId));
    expect(ids.size).toBe(1);
    expect(await referralsOf(body.encounterId as string)).toBe(1);
    expect(await outboxOf([...ids][0])).toBe(3);
  });

  it('should replay the original answer for the same Idempotency-Key and body', async () => {
    const body = discharge();
    const key = { 'idempotency-key': `k-${body.encounterId as string}` };
    const first = await w.send('/v1/discharges', body, key);
    const replay = await w.send('/v1/discharges', body, key);

    expect(first.status).toBe(201);
    expect(replay.status).toBe(201);
    expect(replay.body).toEqual(first.body);
    expect(await referralsOf(body.encounterId as string)).toBe(1);
  });

  it('should refuse the same Idempotency-Key with a different body with 422 and store nothing', async () => {
    const body = discharge();
    const key = { 'idempotency-key': `k-${body.encounterId as string}` };
    await w.send('/v1/discharges', body, key);
    const other = discharge();
    const answer = await w.send('/v1/discharges', other, key);

    expect(answer.status).toBe(422);
    expect((answer.body as Problem).code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await referralsOf(other.encounterId as string)).toBe(0);
  });

  it('should answer 409 while a request with the same Idempotency-Key is in flight', async () => {
    const body = discharge();
    const key = `k-${body.encounterId as string}`;
    // Hold the key's lock the way an unfinished request does.
    await w.db.query('BEGIN');
    try {
      await w.db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
        idempotencyLockKey(`"${w.service.schema}"`, w.hospitalA, key),
      ]);
      const answer = await w.send('/v1/discharges', body, { 'idempotency-key': key });
      expect(answer.status).toBe(409);
      expect((answer.body as Problem).code).toBe('IDEMPOTENCY_KEY_IN_FLIGHT');
    } finally {
      await w.db.query('ROLLBACK');
    }
    expect(await referralsOf(body.encounterId as string)).toBe(0);
    expect((await w.send('/v1/discharges', body, { 'idempotency-key': key })).status).toBe(201);
  });

  it('should give one referral for concurrent posts sharing an Idempotency-Key (others 409 or the replay)', async () => {
    const body = discharge();
    const key = { 'idempotency-key': `k-${body.encounterId as string}` };
    const answers = await Promise.all(Array.from({ length: 8 }, () => w.send('/v1/discharges', body, key)));

    expect(answers.filter((a) => a.status === 201).length).toBeGreaterThanOrEqual(1);
    expect(answers.every((a) => a.status === 201 || a.status === 409)).toBe(true);
    expect(await referralsOf(body.encounterId as string)).toBe(1);
  });

  it.each([
    [4, 'stable', 'red', false],
    [2, 'unstable', 'red', false],
    [2, 'stable', 'orange', true],
    [0, 'stable', 'green', true],
  ])(
    'should grade risk %i / %s as %s, eligible %s',
    async (riskLevel, conditionStatus, colourGrade, eligible) => {
      const base = discharge();
      const body = { ...base, assessment: { ...(base.assessment as object), riskLevel, conditionStatus } };
      const answer = await w.send('/v1/discharges', body);

      expect(answer.status).toBe(201);
      expect(answer.body).toMatchObject({ colourGrade, eligibleForCommunityRehab: eligible });
      const referralId = (answer.body as Receipt).referralId;
      const view = await get(`/v1/referrals/${referralId}`, w.keyA);
      expect(view.body).toMatchObject({ stage: eligible ? 'awaiting-consent' : 'hospital-follow-up' });
    },
  );

  const get = async (path: string, key: string) => {
    const response = await fetch(`${w.service.url}${path}`, { headers: { 'x-api-key': key } });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  it('should show a referral only to the hospital that sent it', async () => {
    const answer = await w.send('/v1/discharges', discharge());
    const referralId = (answer.body as Receipt).referralId;

    const own = await get(`/v1/referrals/${referralId}`, w.keyA);
    const other = await get(`/v1/referrals/${referralId}`, w.keyB);
    const malformed = await get('/v1/referrals/not-a-uuid', w.keyA);

    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({
      referralId,
      status: 'assessed',
      stage: 'awaiting-consent',
      outcome: null,
    });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('REFERRAL_NOT_FOUND');
    expect(malformed.status).toBe(404);
  });

  it('should close the loop: registered, relapse, employment and closed events reach the hospital’s view', async () => {
    const answer = await w.send('/v1/discharges', discharge());
    const referralId = (answer.body as Receipt).referralId;
    const publish = (definition: EventDefinition, source: string, data: object) =>
      w.publishEvent(definition, source, { referralId, ...data });
    const now = new Date().toISOString();
    await publish(
      EVENTS.referralRegistered,
      'registration',
      referralRegisteredData(referralId, now, {
        registrationId: '7f1c1b2e-8f57-4f55-9a55-3d8f0a2b9c01',
        patientRef: '0b9c6a2e-1c57-4f55-9a55-3d8f0a2b9c02',
      }),
    );
    await waitFor(
      async () => (await get(`/v1/referrals/${referralId}`, w.keyA)).body.status === 'registered',
      {
        message: 'registered',
      },
    );
    expect((await get(`/v1/referrals/${referralId}`, w.keyA)).body.stage).toBe('routing');
    expect((await get(`/v1/referrals/${referralId}`, w.keyA)).body.assignedSite).toBeNull();

    await publish(EVENTS.referralAssigned, 'rehab-site', referralAssignedData(referralId, now));
    await waitFor(async () => (await get(`/v1/referrals/${referralId}`, w.keyA)).body.assignedSite !== null, {
      message: 'assigned site',
    });
    expect((await get(`/v1/referrals/${referralId}`, w.keyA)).body.assignedSite).toEqual({
      id: 'site-1',
      name: '金星社区精康服务站',
      // This hand-made event has no county (older producers): none is shown.
      countyCode: null,
      countyName: null,
    });

    await publish(EVENTS.greenRelapseReported, 'rehab-site', {
      referralId,
      siteId: 'site-1',
      observedRiskLevel: 3,
      reportedAt: now,
    });
    await waitFor(
      async () => (await get(`/v1/referrals/${referralId}`, w.keyA)).body.stage === 'green-channel',
      {
        message: 'green channel',
      },
    );
    expect(await w.count('green_case', 'referral_id = $1', [referralId])).toBe(1);

    // The employment outcome: the latest step wins, an older one arriving late changes nothing.
    const later = new Date(Date.parse(now) + 60_000).toISOString();
    await publish(EVENTS.employmentStageChanged, 'employment-referral', {
      referralId,
      siteId: 'site-1',
      stage: 'placed',
      providerName: '汉滨区辅助性就业服务站',
      placementType: 'supported',
      changedAt: later,
    });
    await publish(EVENTS.employmentStageChanged, 'employment-referral', {
      referralId,
      siteId: 'site-1',
      stage: 'referred',
      providerName: '汉滨区辅助性就业服务站',
      changedAt: now,
    });
    await waitFor(
      async () => (await w.count('inbox', 'event_type = $1', [EVENTS.employmentStageChanged.type])) === 2,
      { message: 'both steps handled', timeoutMs: 30_000 },
    );
    const employed = (await get(`/v1/referrals/${referralId}`, w.keyA)).body.employment;
    expect(employed).toEqual({
      stage: 'placed',
      placementType: 'supported',
      endReason: null,
      changedAt: later,
    });
    // Another hospital's key does not see it.
    expect((await get(`/v1/referrals/${referralId}`, w.keyB)).status).toBe(404);

    await publish(EVENTS.referralClosed, 'rehab-site', {
      referralId,
      siteId: 'site-1',
      outcome: 'recovered',
      closedAt: now,
    });
    const closed = await waitFor(async () => {
      const view = await get(`/v1/referrals/${referralId}`, w.keyA);
      return view.body.status === 'closed' ? view.body : undefined;
    });
    expect(closed).toMatchObject({ stage: 'closed', outcome: { outcome: 'recovered' } });
  });

  it('should end the referral in the hospital’s view when consent for community rehab is withdrawn', async () => {
    const answer = await w.send('/v1/discharges', discharge());
    const referralId = (answer.body as Receipt).referralId;
    const withdraw = (purpose: string) =>
      w.publishEvent(EVENTS.referralConsentWithdrawn, 'registration', {
        referralId,
        patientRef: '0b9c6a2e-1c57-4f55-9a55-3d8f0a2b9c02',
        purpose,
        withdrawnAt: new Date().toISOString(),
      });
    const employmentOnly = await withdraw('employment');
    await waitFor(async () => (await w.count('inbox', 'event_id = $1', [employmentOnly])) === 1, {
      message: 'employment withdrawal processed',
    });
    expect((await get(`/v1/referrals/${referralId}`, w.keyA)).body.status).toBe('assessed');

    await withdraw('community-rehab');
    const view = await waitFor(async () => {
      const current = await get(`/v1/referrals/${referralId}`, w.keyA);
      return current.body.status === 'consent-withdrawn' ? current.body : undefined;
    });
    expect(view).toMatchObject({ status: 'consent-withdrawn', stage: 'consent-withdrawn' });
    expect(await w.count('referral', "id = $1 AND consents = '[]'::jsonb", [referralId])).toBe(1);
  });

  describe('a discharge sent again', () => {
    type Resent = Receipt & {
      status: string;
      consentsAdded?: Record<string, unknown>[];
      notApplied?: { pointer: string; detail: string }[];
    };
    const signedNextDay = {
      purpose: 'community-rehab',
      grantedBy: 'guardian',
      method: 'signed-at-hospital',
      grantedAt: new Date(Date.now() - 3_600_000).toISOString(),
    };
    const withGuardian = (body: Record<string, unknown>): Record<string, unknown> => ({
      ...body,
      patient: { ...(body.patient as object), guardian: { name: '王父', relationship: 'parent' } },
    });
    const consentsAddedOf = (referralId: string) =>
      w.db.query<{ payload: string }>(
        `SELECT payload FROM "${w.service.schema}".outbox WHERE ordering_key = $1 AND subject = $2`,
        [referralId, EVENTS.referralConsentsAdded.subject],
      );
    const storedConsents = async (referralId: string) =>
      (
        await w.db.query<{ consents: unknown[] }>(
          `SELECT consents FROM "${w.service.schema}".referral WHERE id = $1`,
          [referralId],
        )
      )[0].consents;

    it('should take a consent signed after the discharge: recorded, referral.consents-added published once, and named in the answer', async () => {
      const body = withGuardian(discharge({ consents: [] }));
      const first = await w.send('/v1/discharges', body);
      expect(first.status).toBe(201);
      const referralId = (first.body as Receipt).referralId;

      const resent = await w.send('/v1/discharges', { ...body, consents: [signedNextDay] });
      const again = await w.send('/v1/discharges', { ...body, consents: [signedNextDay] });

      expect(resent.status).toBe(200);
      expect(resent.body).toEqual({
        referralId,
        encounterId: body.encounterId,
        created: false,
        status: 'assessed',
        colourGrade: 'yellow',
        eligibleForCommunityRehab: true,
        consentsAdded: [signedNextDay],
      });
      // The same consent again is the referral's already: nothing added, nothing published.
      expect(again.status).toBe(200);
      expect(again.body as Resent).not.toHaveProperty('consentsAdded');
      expect(again.body as Resent).not.toHaveProperty('notApplied');
      expect(await storedConsents(referralId)).toEqual([signedNextDay]);
      const rows = await consentsAddedOf(referralId);
      expect(rows).toHaveLength(1);
      const event = JSON.parse(rows[0].payload) as { subject: string; data: Record<string, unknown> };
      expect(event.subject).toBe(referralId);
      expect(event.data).toEqual({
        referralId,
        hospitalId: w.hospitalA,
        encounterId: body.encounterId,
        consents: [signedNextDay],
        addedAt: expect.any(String) as string,
      });
      const patient = body.patient as PatientIdentityDto;
      for (const pii of [patient.name, patient.idNumber, patient.phone!, patient.guardian!.name]) {
        expect(rows[0].payload).not.toContain(pii);
      }
    });

    it('should name what differs and is not applied: a changed name, discharge time and risk level', async () => {
      const body = discharge();
      const first = await w.send('/v1/discharges', body);
      const referralId = (first.body as Receipt).referralId;
      const assessment = body.assessment as Record<string, unknown>;

      const resent = await w.send('/v1/discharges', {
        ...body,
        dischargedAt: new Date(Date.now() - 3_600_000).toISOString(),
        patient: { ...(body.patient as object), name: '王秀英' },
        assessment: { ...assessment, riskLevel: 2 },
      });

      expect(resent.status).toBe(200);
      expect((resent.body as Resent).notApplied).toEqual([
        { pointer: '#/dischargedAt', detail: 'differs from the referral as first received; not applied' },
        { pointer: '#/patient/name', detail: 'differs from the referral as first received; not applied' },
        {
          pointer: '#/assessment/riskLevel',
          detail: 'differs from the referral as first received; not applied',
        },
      ]);
      expect(resent.body as Resent).not.toHaveProperty('consentsAdded');
      expect(await consentsAddedOf(referralId)).toHaveLength(0);
      // The referral keeps what it was first sent.
      const [stored] = await w.db.query<{ sealed_patient: never; risk_level: number }>(
        `SELECT r.sealed_patient, a.risk_level FROM "${w.service.schema}".referral r
           JOIN "${w.service.schema}".discharge_assessment a ON a.referral_id = r.id WHERE r.id = $1`,
        [referralId],
      );
      expect(stored.risk_level).toBe(1);
      expect(
        w.service.app
          .get(FieldCipher)
          .openJson<PatientIdentityDto>(stored.sealed_patient, 'hospital-intake.patient.v1').name,
      ).toBe('王秀兰');
    });

    it('should keep a consent sent for a referral awaiting its assessment for referral.assessed', async () => {
      const body = discharge({ consents: [], assessment: undefined });
      const first = await w.send('/v1/discharges', body);
      expect(first.status).toBe(202);
      const referralId = (first.body as Receipt).referralId;
      const consent = { ...signedNextDay, grantedBy: 'patient' };

      const resent = await w.send('/v1/discharges', { ...body, consents: [consent] });

      expect(resent.status).toBe(200);
      expect(resent.body).toMatchObject({ status: 'awaiting-assessment', consentsAdded: [consent] });
      // Nothing is published before the assessment: referral.assessed carries the consent.
      expect(await consentsAddedOf(referralId)).toHaveLength(0);
      const assessed = await w.send(`/v1/discharges/${referralId}/assessment`, discharge().assessment);
      expect(assessed.status).toBe(200);
      const [row] = await w.db.query<{ payload: string }>(
        `SELECT payload FROM "${w.service.schema}".outbox WHERE ordering_key = $1 AND subject = $2`,
        [referralId, EVENTS.referralAssessed.subject],
      );
      expect((JSON.parse(row.payload) as { data: { consents: unknown[] } }).data.consents).toEqual([consent]);
    });

    it('should take no consent for a referral that has ended, and say so', async () => {
      const body = withGuardian(discharge({ consents: [] }));
      const first = await w.send('/v1/discharges', body);
      const referralId = (first.body as Receipt).referralId;
      const cancelled = await w.send(`/v1/referrals/${referralId}/cancellation`, {
        reasonCode: 'entered-in-error',
      });
      expect(cancelled.status).toBe(200);

      const resent = await w.send('/v1/discharges', { ...body, consents: [signedNextDay] });

      expect(resent.body).toMatchObject({
        status: 'cancelled',
        notApplied: [
          {
            pointer: '#/consents/0',
            detail: 'the referral is cancelled: it takes no more consents; not applied',
          },
        ],
      });
      expect(await consentsAddedOf(referralId)).toHaveLength(0);
      expect(await storedConsents(referralId)).toEqual([]);
    });
  });
});
