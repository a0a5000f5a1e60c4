import { EVENTS, referralSealContext, SiteContactDto } from '@app/contracts';
import { holdsFor, waitFor, opsHeaders } from '@app/testing';
import {
  applicationRow,
  cipher,
  consent,
  http,
  person,
  publishAssessed,
  RegistrationHarness,
  startRegistrationHarness,
  streamEvents,
} from './harness';

/** The consent gate on every channel: nothing is routed without a valid consent for community rehab. */
describe('registration consent gate', () => {
  let world: RegistrationHarness;

  beforeAll(async () => {
    world = await startRegistrationHarness();
  });

  afterAll(async () => {
    await world?.close();
  });

  const registeredOn = async (referralId: string) =>
    (await streamEvents(world)).filter(
      (e) => e.type === EVENTS.referralRegistered.type && e.subject === referralId,
    );

  const statusOf = async (id: string) => (await applicationRow(world, id))?.status;

  /** No referral.registered for the referral: not in the outbox, not on the stream. */
  const expectNotRouted = async (referralId: string) => {
    await holdsFor(async () => (await registeredOn(referralId)).length === 0, 1000);
    const rows = await world.db.count(
      `SELECT count(*) FROM "${world.service.schema}".outbox WHERE ordering_key = $1 AND subject = $2`,
      [referralId, EVENTS.referralRegistered.subject],
    );
    expect(rows).toBe(0);
  };

  describe('hospital channel (referral.assessed)', () => {
    it('should register with a valid consent and seal the contact for the site', async () => {
      const patient = person({ guardian: { name: '监护人甲', relationship: 'parent' } });
      const referralId = await publishAssessed(world, patient, [consent()]);

      const [registered] = await waitFor(async () => {
        const found = await registeredOn(referralId);
        return found.length > 0 ? found : undefined;
      });
      const data = registered.data as Record<string, unknown>;
      expect(data).toMatchObject({
        referralId,
        residenceDivisionCode: patient.residenceDivisionCode,
        riskLevel: 1,
      });
      expect(JSON.stringify(registered)).not.toContain(patient.name);
      expect(JSON.stringify(registered)).not.toContain(patient.idNumber);
      const contact = cipher.openJson<SiteContactDto>(
        data.sealedContact as Parameters<typeof cipher.openJson>[0],
        referralSealContext('siteContact', referralId),
      );
      expect(contact).toEqual({
        name: patient.name,
        phone: patient.phone,
        address: patient.address,
        guardian: patient.guardian,
      });
      expect(await statusOf(referralId)).toBe('registered');
    });

    it('should tell routing which consent purposes are valid (employment separately from rehab)', async () => {
      const withEmployment = await publishAssessed(world, person(), [
        consent(),
        consent({ purpose: 'employment' }),
      ]);
      const rehabOnly = await publishAssessed(world, person(), [consent()]);
      const validOf = async (referralId: string) => {
        const [registered] = await waitFor(async () => {
          const found = await registeredOn(referralId);
          return found.length > 0 ? found : undefined;
        });
        return (registered.data as { validConsents: { purpose: string }[] }).validConsents.map(
          (c) => c.purpose,
        );
      };
      expect(await validOf(withEmployment)).toEqual(['community-rehab', 'employment']);
      expect(await validOf(rehabOnly)).toEqual(['community-rehab']);
    });

    it('should announce an employment consent given after registration to the holders of the referral', async () => {
      const referralId = await publishAssessed(world, person(), [consent()]);
      await waitFor(async () => (await registeredOn(referralId)).length === 1, { message: 'registered' });
      const registrationId = (await applicationRow(world, referralId))!.registration_id;
      const grantedAt = new Date(Date.now() - 60_000).toISOString();
      const captured = await http(
        world,
        'POST',
        `/registrations/${registrationId}/consents`,
        world.keys.centre,
        { purpose: 'employment', grantedBy: 'patient', method: 'recorded-by-community-worker', grantedAt },
      );
      expect(captured.status).toBe(201);
      const [granted] = await waitFor(async () => {
        const found = (await streamEvents(world)).filter(
          (e) => e.type === EVENTS.referralConsentGranted.type && e.subject === referralId,
        );
        return found.length > 0 ? found : undefined;
      });
      expect(granted.data).toEqual({ referralId, purpose: 'employment', grantedAt });
    });

    it('should not route without any consent (awaiting-consent)', async () => {
      const referralId = await publishAssessed(world, person(), []);

      await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
      await expectNotRouted(referralId);
    });

    it('should not route with only an employment consent (purposes are separate)', async () => {
      const referralId = await publishAssessed(world, person(), [consent({ purpose: 'employment' })]);

      await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
      await expectNotRouted(referralId);
    });

    it('should not route with an expired consent', async () => {
      const expired = consent({
        grantedAt: new Date(Date.now() - 400 * 86_400_000).toISOString(),
        expiresAt: new Date(Date.now() - 86_400_000).toISOString(),
      });
      const referralId = await publishAssessed(world, person(), [expired]);

      await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
      await expectNotRouted(referralId);
    });

    it("should not route a patient who lacks capacity on the patient's own consent (guardian required)", async () => {
      const patient = person({ lacksCapacity: true, guardian: { name: '监护人乙', relationship: 'spouse' } });
      const referralId = await publishAssessed(world, patient, [consent({ grantedBy: 'patient' })]);

      await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
      await expectNotRouted(referralId);
    });

    it('should not route a patient who lacks capacity and has no guardian recorded', async () => {
      const patient = person({ lacksCapacity: true });
      const referralId = await publishAssessed(world, patient, [consent({ grantedBy: 'guardian' })]);

      await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
      await expectNotRouted(referralId);
    });

    it('should route once the guardian consents through the API', async () => {
      const patient = person({ lacksCapacity: true, guardian: { name: '监护人丙', relationship: 'child' } });
      const referralId = await publishAssessed(world, patient, [consent({ grantedBy: 'patient' })]);
      await waitFor(async () => (await statusOf(referralId)) === 'awaiting-consent');
      const registrationId = (await applicationRow(world, referralId))!.registration_id;
      // The hospital's referral is visible to the county centre of the patient's county.
      const captured = await http(
        world,
        'POST',
        `/v1/registrations/${registrationId}/consents`,
        world.keys.centre,
        {
          purpose: 'community-rehab',
          grantedBy: 'guardian',
          method: 'recorded-by-community-worker',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      );

      expect(captured.status).toBe(201);
      expect(captured.body.status).toBe('registered');
      await waitFor(async () => (await registeredOn(referralId)).length === 1);
    });
  });

  describe('non-hospital channels (verified, assessed by the county centre)', () => {
    const channels = [
      ['self', 'familyPortal'],
      ['family', 'familyPortal'],
      ['village-committee', 'villageCommittee'],
      ['social-organisation', 'socialOrg'],
      ['enterprise', 'enterprise'],
    ] as const;

    const assessment = {
      riskLevel: 1,
      conditionStatus: 'stable',
      colourGrade: 'green',
      eligibleForCommunityRehab: true,
      rehabNeeds: ['day-care'],
      employmentInterest: true,
      assessedAt: new Date().toISOString(),
    };

    /** File, verify, assess; returns the application view after the assessment. */
    const fileThrough = async (
      channel: string,
      key: string,
      patient = person(),
      consents: Record<string, unknown>[] = [],
    ) => {
      const filed = await http(world, 'POST', '/v1/applications', key, {
        channel,
        patient,
        needs: ['day-care'],
        consents,
      });
      expect(filed.status).toBe(201);
      expect(filed.body.status).toBe('received');
      const id = filed.body.applicationId as string;
      const verified = await http(world, 'POST', `/v1/applications/${id}/verification`, world.keys.centre, {
        outcome: 'verified',
      });
      expect(verified.body.status).toBe('assessment-requested');
      const assessed = await http(
        world,
        'POST',
        `/v1/applications/${id}/assessment`,
        world.keys.centre,
        assessment,
      );
      expect(assessed.status).toBe(200);
      return assessed.body;
    };

    it.each(channels)('should not route a %s application without consent', async (channel, key) => {
      const view = await fileThrough(channel, world.keys[key]);

      expect(view).toMatchObject({ status: 'awaiting-consent', awaitingConsentFor: 'community-rehab' });
      await expectNotRouted(view.applicationId as string);
    });

    it.each(channels)('should not route a %s application with an expired consent', async (channel, key) => {
      const view = await fileThrough(channel, world.keys[key], person(), [
        {
          purpose: 'community-rehab',
          grantedBy: 'patient',
          method: 'recorded-by-community-worker',
          grantedAt: '2025-01-06T09:00:00+08:00',
          expiresAt: '2025-07-06T09:00:00+08:00',
        },
      ]);

      expect(view.status).toBe('awaiting-consent');
      await expectNotRouted(view.applicationId as string);
    });

    it.each(channels)(
      'should not route a %s application for a patient lacking capacity without a guardian consent',
      async (channel, key) => {
        const patient = person({
          lacksCapacity: true,
          guardian: { name: '监护人丁', relationship: 'parent' },
        });
        const view = await fileThrough(channel, world.keys[key], patient, [
          {
            purpose: 'community-rehab',
            grantedBy: 'patient',
            method: 'recorded-by-community-worker',
            grantedAt: new Date(Date.now() - 60_000).toISOString(),
          },
        ]);

        expect(view.status).toBe('awaiting-consent');
        await expectNotRouted(view.applicationId as string);
      },
    );

    it('should route a family application with a valid consent after verification and assessment', async () => {
      const view = await fileThrough('family', world.keys.familyPortal, person(), [
        {
          purpose: 'community-rehab',
          grantedBy: 'patient',
          method: 'signed-online',
          grantedAt: new Date(Date.now() - 60_000).toISOString(),
        },
      ]);

      expect(view.status).toBe('registered');
      await waitFor(async () => (await registeredOn(view.applicationId as string)).length === 1);
      const received = (await streamEvents(world)).filter(
        (e) => e.type === EVENTS.referralApplicationReceived.type && e.subject === view.applicationId,
      );
      expect(received).toHaveLength(1);
    });

    it('should not route an application before it is verified and assessed, even with consent', async () => {
      const filed = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
        channel: 'village-committee',
        patient: person(),
        needs: ['day-care'],
        consents: [
          {
            purpose: 'community-rehab',
            grantedBy: 'patient',
            method: 'recorded-by-community-worker',
            grantedAt: new Date(Date.now() - 60_000).toISOString(),
          },
        ],
      });
      const id = filed.body.applicationId as string;
      const early = await http(
        world,
        'POST',
        `/v1/applications/${id}/assessment`,
        world.keys.centre,
        assessment,
      );

      expect(early.status).toBe(409);
      expect(early.body).toMatchObject({ code: 'TRANSITION_NOT_ALLOWED', allowedActions: ['verify'] });
      await expectNotRouted(id);
    });
  });

  it('should document the API in OpenAPI (tags, DTO schemas, the API-key security scheme)', async () => {
    expect((await http(world, 'GET', '/docs-json', undefined)).status).toBe(401);
    const token = (await opsHeaders('ops-viewer')).authorization.slice('Bearer '.length);
    const docs = await http(world, 'GET', '/docs-json', token);
    const paths = docs.body.paths as Record<
      string,
      Record<string, { tags?: string[]; security?: Record<string, unknown>[] }>
    >;

    expect(Object.keys(paths)).toEqual(
      expect.arrayContaining([
        '/v1/applications',
        '/v1/applications/{id}/verification',
        '/v1/applications/{id}/assessment',
        '/v1/registrations/{id}/consents',
        '/v1/registrations/{id}/consent-withdrawals',
      ]),
    );
    expect(paths['/v1/applications'].post.tags).toEqual(['applications']);
    expect(paths['/v1/applications'].post.security).toEqual(expect.arrayContaining([{ 'api-key': [] }]));
    const schemas = (docs.body.components as { schemas: Record<string, unknown> }).schemas;
    expect(Object.keys(schemas)).toEqual(
      expect.arrayContaining([
        'FileApplicationDto',
        'ConsentRequestDto',
        'ApplicationViewDto',
        'RegistrationViewDto',
      ]),
    );
  });

  describe('API keys', () => {
    it('should refuse a request without a key or with an unknown key (401 problem+json)', async () => {
      const none = await http(world, 'POST', '/v1/applications', undefined, {});
      const wrong = await http(world, 'POST', '/v1/applications', 'not-a-key', {});

      expect(none.status).toBe(401);
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('UNAUTHENTICATED');
    });

    it('should refuse a channel the organisation may not file for', async () => {
      const filed = await http(world, 'POST', '/v1/applications', world.keys.enterprise, {
        channel: 'family',
        patient: person(),
        needs: [],
      });

      expect(filed.status).toBe(422);
      expect(filed.body.code).toBe('CHANNEL_NOT_ALLOWED');
    });

    it("should hide an application from another county's centre (404)", async () => {
      const filed = await http(world, 'POST', '/v1/applications', world.keys.socialOrg, {
        channel: 'social-organisation',
        patient: person(),
        needs: [],
      });
      const other = await http(
        world,
        'POST',
        `/v1/applications/${filed.body.applicationId as string}/verification`,
        world.keys.otherCentre,
        { outcome: 'verified' },
      );

      expect(other.status).toBe(404);
    });
  });
});
