import { schemaFingerprint, waitFor } from '@app/testing';
import { assertRandomBodiesAreHarmless } from '@app/testing/fuzz';
import { consent, http, person, RegistrationHarness, startRegistrationHarness } from './harness';

/**
 * Fuzzed request bodies for every registration endpoint that takes one: never a 5xx, and a refused request
 * (4xx) leaves every table of the schema exactly as it was. Unknown fields are refused (400) on every DTO.
 */
describe('registration: fuzzed request bodies', () => {
  let world: RegistrationHarness;
  let applicationId: string;
  let registrationId: string;
  /** Two open identity reviews (one to merge, one to keep separate). */
  let reviewIds: string[];

  const assessment = {
    riskLevel: 1,
    conditionStatus: 'stable',
    colourGrade: 'green',
    eligibleForCommunityRehab: true,
    rehabNeeds: ['day-care'],
    employmentInterest: true,
    assessedAt: new Date().toISOString(),
  };

  beforeAll(async () => {
    world = await startRegistrationHarness();
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: person(),
      needs: ['day-care'],
      consents: [],
    });
    expect(filed.status).toBe(201);
    applicationId = filed.body.applicationId as string;
    registrationId = filed.body.registrationId as string;
    for (let i = 0; i < 2; i++) {
      const { idNumber: _, ...withoutId } = person();
      for (const patient of [withoutId, withoutId]) {
        const candidate = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
          channel: 'family',
          patient,
          needs: [],
        });
        expect(candidate.status).toBe(201);
      }
    }
    const reviews = await http(world, 'GET', '/v1/identity-reviews', world.keys.centre);
    reviewIds = (reviews.body as unknown as { reviewId: string }[]).map((r) => r.reviewId);
    expect(reviewIds).toHaveLength(2);
    // The relay marks rows sent in the background: let it finish so the fingerprints only see our requests.
    await waitFor(
      async () =>
        (await world.db.count(
          `SELECT count(*) FROM "${world.service.schema}".outbox WHERE published_at IS NULL`,
        )) === 0,
      { message: 'outbox drained' },
    );
  });

  afterAll(async () => {
    await world?.close();
  });

  const endpoints = () =>
    [
      {
        path: '/v1/applications',
        key: world.keys.familyPortal,
        valid: { channel: 'family', patient: person(), needs: ['day-care'], consents: [] },
      },
      {
        path: `/v1/applications/${applicationId}/verification`,
        key: world.keys.centre,
        valid: { outcome: 'verified' },
      },
      { path: `/v1/applications/${applicationId}/assessment`, key: world.keys.centre, valid: assessment },
      {
        path: `/v1/registrations/${registrationId}/consents`,
        key: world.keys.familyPortal,
        valid: { ...consent() } as Record<string, unknown>,
      },
      {
        path: `/v1/registrations/${registrationId}/consent-withdrawals`,
        key: world.keys.familyPortal,
        valid: { purpose: 'community-rehab', withdrawnBy: 'patient' },
      },
      {
        path: `/v1/identity-reviews/${reviewIds[0]}/merge`,
        key: world.keys.centre,
        valid: { note: 'same person' },
      },
      {
        path: `/v1/identity-reviews/${reviewIds[1]}/keep-separate`,
        key: world.keys.centre,
        valid: { note: 'different people' },
      },
    ] as const;

  it('should refuse an unknown field on every body (400) and store nothing', async () => {
    for (const e of endpoints()) {
      const before = await schemaFingerprint(world.db, world.service.schema);
      const answer = await http(world, 'POST', e.path, e.key, { ...e.valid, isAdmin: true });
      expect({ path: e.path, status: answer.status, code: answer.body.code }).toEqual({
        path: e.path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(await schemaFingerprint(world.db, world.service.schema)).toEqual(before);
    }
  });

  it('should refuse a list of consents whose element is not an object (400) and store nothing', async () => {
    // Found by the fuzz below (seed -1269172044): `consents: [[]]` passed validation and failed in the service.
    for (const consents of [[[]], [null], ['community-rehab']]) {
      const before = await schemaFingerprint(world.db, world.service.schema);
      const answer = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
        channel: 'family',
        patient: person(),
        needs: ['day-care'],
        consents,
      });
      expect({ status: answer.status, code: answer.body.code }).toEqual({
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(await schemaFingerprint(world.db, world.service.schema)).toEqual(before);
    }
  });

  it('should refuse a timestamp a Date cannot read (400) and store nothing', async () => {
    // ISO 8601 week and ordinal dates passed IsTimestamp and became Invalid Date: PG_INVALID_DATE, then a 500.
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: person(),
      needs: ['day-care'],
      consents: [],
    });
    const id = filed.body.applicationId as string;
    const verified = await http(world, 'POST', `/v1/applications/${id}/verification`, world.keys.centre, {
      outcome: 'verified',
    });
    expect([filed.status, verified.status]).toEqual([201, 200]);
    const refusals = [
      [`/v1/applications/${id}/assessment`, world.keys.centre, { ...assessment, assessedAt: '2026-W01' }],
      [
        `/v1/registrations/${filed.body.registrationId as string}/consents`,
        world.keys.familyPortal,
        consent({ grantedAt: '2026-123' }),
      ],
    ] as const;
    for (const [path, key, body] of refusals) {
      const before = await schemaFingerprint(world.db, world.service.schema);
      const answer = await http(world, 'POST', path, key, body);
      expect({ path, status: answer.status, code: answer.body.code }).toEqual({
        path,
        status: 400,
        code: 'VALIDATION_FAILED',
      });
      expect(await schemaFingerprint(world.db, world.service.schema)).toEqual(before);
    }
  });

  it('should refuse a body above the size limit with 413 problem+json', async () => {
    const response = await fetch(`${world.service.url}/v1/applications`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': world.keys.familyPortal },
      body: JSON.stringify({ padding: 'x'.repeat(300 * 1024) }),
    });
    expect(response.status).toBe(413);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
  });

  it('should never answer 5xx, nor change anything when it refuses, for random bodies', async () => {
    await assertRandomBodiesAreHarmless({
      endpoints: endpoints(),
      fingerprint: () => schemaFingerprint(world.db, world.service.schema),
      send: async (e, body) => {
        const response = await fetch(`${world.service.url}${e.path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'x-api-key': e.key },
          body: body === undefined ? 'null' : JSON.stringify(body),
        });
        await response.arrayBuffer();
        return response.status;
      },
    });
  });
});
