import { PatientIdentityDto } from '@app/contracts';
import { opsHeaders, waitFor } from '@app/testing';
import {
  applicationRow,
  consent,
  http,
  idNumber,
  person,
  publishAssessed,
  RegistrationHarness,
  registeredEventsOf,
  startRegistrationHarness,
  verify,
} from './harness';

type Answer = Awaited<ReturnType<typeof http>>;
type Filed = Omit<PatientIdentityDto, 'idNumber'> & { idNumber?: string };

/** Values that are new on every request whoever the person is: they must only have the same shape. */
const PER_REQUEST_IDS = new Set(['applicationId', 'registrationId', 'patientRef']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Every field where two answers differ (ids: only if one is not a fresh UUID). Empty: the same answer. */
function differences(a: unknown, b: unknown, path = '$'): string[] {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) {
      return [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
    }
    return a.flatMap((x, i) => differences(x, b[i], `${path}[${i}]`));
  }
  if (a && b && typeof a === 'object' && typeof b === 'object') {
    const x = a as Record<string, unknown>;
    const y = b as Record<string, unknown>;
    return [...new Set([...Object.keys(x), ...Object.keys(y)])].sort().flatMap((key) => {
      if (!(key in x) || !(key in y)) return [`${path}.${key}: present on one side only`];
      if (PER_REQUEST_IDS.has(key)) {
        return UUID.test(String(x[key])) && UUID.test(String(y[key])) ? [] : [`${path}.${key}: not a UUID`];
      }
      return differences(x[key], y[key], `${path}.${key}`);
    });
  }
  return Object.is(a, b) ? [] : [`${path}: ${JSON.stringify(a)} ≠ ${JSON.stringify(b)}`];
}

/**
 * Issue 14: registration must not tell a channel whether it already knows a person (e.g. from a psychiatric
 * discharge). Every channel gets the same answer for a known and an unknown person, on filing and on every later
 * read of its own application and registration; only the registration office (county centre) and ops see links.
 */
describe('registration answers every channel the same whatever it knows of the person', () => {
  let world: RegistrationHarness;
  /** A person discharged by a hospital and routed (registered, referral.registered published). */
  let discharged: PatientIdentityDto;
  let dischargedReferral: string;

  const channels = [
    ['family', 'familyPortal'],
    ['village-committee', 'villageCommittee'],
    ['social-organisation', 'socialOrg'],
    ['enterprise', 'enterprise'],
  ] as const;

  const routedPerson = async (): Promise<[PatientIdentityDto, string]> => {
    const patient = person();
    const referralId = await publishAssessed(world, patient, [consent()]);
    await waitFor(async () => (await registeredEventsOf(world, referralId)).length === 1);
    return [patient, referralId];
  };

  beforeAll(async () => {
    world = await startRegistrationHarness();
    [discharged, dischargedReferral] = await routedPerson();
  });

  afterAll(async () => {
    await world?.close();
  });

  /** What a channel can learn about one filing: the answer, then its reads of the application and registration. */
  const probe = async (channel: string, key: string, patient: Filed): Promise<Record<string, Answer>> => {
    const filed = await http(world, 'POST', '/v1/applications', key, {
      channel,
      patient,
      needs: ['day-care'],
    });
    const application = await http(
      world,
      'GET',
      `/v1/applications/${filed.body.applicationId as string}`,
      key,
    );
    const registration = await http(
      world,
      'GET',
      `/v1/registrations/${filed.body.registrationId as string}`,
      key,
    );
    return { filed, application, registration };
  };

  const withoutId = ({ idNumber: _, ...rest }: PatientIdentityDto): Filed => rest;
  const discharge = async () => (await routedPerson())[0];

  /**
   * The people registration knows, each as a channel might type them; a fresh person per case, so that the
   * probing channel never filed for them before (what it filed itself it may see).
   */
  const knownCases: [string, (channel: string) => Promise<Filed>][] = [
    ['discharged by a hospital (same ID number)', discharge],
    [
      'discharged, filed with a wrong name and the same ID number',
      async () => ({ ...(await discharge()), name: '别的名字' }),
    ],
    ['discharged, filed with name, birth date and county only', async () => withoutId(await discharge())],
    [
      'discharged, name/birth/county with another ID number',
      async () => {
        const p = await discharge();
        return { ...p, idNumber: idNumber(p.birthDate) };
      },
    ],
    [
      'whose consent was withdrawn after routing',
      async () => {
        const [p, referralId] = await routedPerson();
        const registrationId = (await applicationRow(world, referralId))!.registration_id;
        const done = await http(
          world,
          'POST',
          `/v1/registrations/${registrationId}/consent-withdrawals`,
          world.keys.centre,
          {
            purpose: 'community-rehab',
            withdrawnBy: 'patient',
          },
        );
        expect(done.status).toBe(200);
        return p;
      },
    ],
    [
      'with an application open from another channel',
      async (channel) => {
        const p = person();
        const [otherChannel, otherKey] =
          channel === 'village-committee'
            ? ['family', world.keys.familyPortal]
            : ['village-committee', world.keys.villageCommittee];
        const open = await http(world, 'POST', '/v1/applications', otherKey, {
          channel: otherChannel,
          patient: p,
          needs: [],
        });
        expect(open.status).toBe(201);
        return p;
      },
    ],
  ];

  describe.each(channels)('channel %s', (channel, keyName) => {
    it.each(knownCases)(
      'should answer the same for a person %s as for an unknown person, field by field',
      async (_, known) => {
        const key = world.keys[keyName];
        const forKnown = await probe(channel, key, await known(channel));
        const forUnknown = await probe(channel, key, person());

        for (const read of ['filed', 'application', 'registration']) {
          expect({ read, status: forKnown[read].status }).toEqual({ read, status: forUnknown[read].status });
          expect(differences(forKnown[read].body, forUnknown[read].body)).toEqual([]);
        }
        expect(forKnown.filed.status).toBe(201);
        expect(forKnown.filed.body).toMatchObject({ status: 'received' });
      },
    );
  });

  it('should tell a filer the office has not verified nothing of a discharge that comes later', async () => {
    const later = person();
    const probeLater = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: later,
      needs: ['day-care'],
    });
    const unknown = await probe('family', world.keys.familyPortal, person());
    const referralId = await publishAssessed(world, later, [consent()]);
    await waitFor(async () => (await registeredEventsOf(world, referralId)).length === 1);

    const id = probeLater.body.applicationId as string;
    const application = await http(world, 'GET', `/v1/applications/${id}`, world.keys.familyPortal);
    const registration = await http(
      world,
      'GET',
      `/v1/registrations/${probeLater.body.registrationId as string}`,
      world.keys.familyPortal,
    );
    expect(differences(application.body, unknown.application.body)).toEqual([]);
    expect(differences(registration.body, unknown.registration.body)).toEqual([]);
  });

  it('should let no unverified filer capture or withdraw the consent of a person it names', async () => {
    // A family portal files with the ID number of someone discharged and routed, then tries the person's consent.
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: discharged,
      needs: ['day-care'],
    });
    const registrationId = filed.body.registrationId as string;
    const unknown = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: person(),
      needs: ['day-care'],
    });
    for (const id of [registrationId, unknown.body.registrationId as string]) {
      const withdrawal = await http(
        world,
        'POST',
        `/v1/registrations/${id}/consent-withdrawals`,
        world.keys.familyPortal,
        {
          purpose: 'community-rehab',
          withdrawnBy: 'patient',
        },
      );
      const capture = await http(
        world,
        'POST',
        `/v1/registrations/${id}/consents`,
        world.keys.familyPortal,
        consent(),
      );
      expect([withdrawal.status, capture.status]).toEqual([404, 404]);
    }
    // The discharged person's referral goes on, untouched.
    const office = await http(world, 'GET', `/v1/registrations/${registrationId}`, world.keys.centre);
    expect(office.body).toMatchObject({ status: 'registered' });
  });

  it('should show the link to the registration office and ops only', async () => {
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient: discharged,
      needs: ['day-care'],
    });
    const applicationId = filed.body.applicationId as string;
    expect(filed.body).not.toHaveProperty('linkedToExisting');

    const office = await http(world, 'GET', `/v1/applications/${applicationId}`, world.keys.centre);
    expect(office.body).toMatchObject({ status: 'received', linkedToExisting: true, linkedBy: 'id-number' });
    const officeRegistration = await http(
      world,
      'GET',
      `/v1/registrations/${office.body.registrationId as string}`,
      world.keys.centre,
    );
    expect(officeRegistration.body).toMatchObject({ status: 'registered' });
    expect(
      (officeRegistration.body.applications as { applicationId: string }[]).map((a) => a.applicationId),
    ).toEqual(expect.arrayContaining([dischargedReferral, applicationId]));

    // The office's verification links it: filed into the routed referral, nothing routed twice.
    const verified = await verify(world, applicationId);
    expect(verified.body).toMatchObject({ status: 'merged', mergedInto: dischargedReferral });
    expect(await registeredEventsOf(world, applicationId)).toHaveLength(0);

    // Ops read the registration as the office does, links included.
    const ops = (await opsHeaders('ops-viewer')).authorization.slice('Bearer '.length);
    const opsRegistration = await http(
      world,
      'GET',
      `/v1/registrations/${office.body.registrationId as string}`,
      ops,
    );
    expect(opsRegistration.status).toBe(200);
    expect(opsRegistration.body.applications).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ applicationId, linkedBy: 'id-number', mergedInto: dischargedReferral }),
      ]),
    );

    // Ops see the name/birth/county candidate a filing without an ID number opened.
    const candidate = await http(world, 'POST', '/v1/applications', world.keys.socialOrg, {
      channel: 'social-organisation',
      patient: withoutId(discharged),
      needs: [],
    });
    const reviews = await http(world, 'GET', '/v1/identity-reviews?limit=200', ops);
    expect(reviews.status).toBe(200);
    const review = (
      reviews.body as unknown as {
        record: { registrationId: string };
        candidate: { applications: { applicationId: string }[] };
      }[]
    ).find((r) => r.record.registrationId === candidate.body.registrationId);
    expect(review?.candidate.applications.map((a) => a.applicationId)).toContain(dischargedReferral);
    // A filing channel cannot read the worklist.
    expect((await http(world, 'GET', '/v1/identity-reviews', world.keys.socialOrg)).status).toBe(403);
  });
});
