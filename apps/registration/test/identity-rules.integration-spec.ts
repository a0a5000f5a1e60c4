import { PatientIdentityDto } from '@app/contracts';
import { IdentityReviewViewDto } from '../src/identity-review/dto/identity-review.dto';
import { holdsFor, opsHeaders, waitFor } from '@app/testing';
import {
  applicationRow,
  consent,
  http,
  idNumber,
  onlineConsent,
  person,
  publishAssessed,
  RegistrationHarness,
  registeredEventsOf,
  startRegistrationHarness,
  verify,
  verifyAndAssess,
} from './harness';

type Filed = Omit<PatientIdentityDto, 'idNumber'> & { idNumber?: string };

/**
 * Who is the same person: the same ID number (keyed hash) is, whatever the name; a differing ID number never is;
 * a name + birth date + county match without an ID number on one side is a review for the registration office.
 */
describe('registration identity rules', () => {
  let world: RegistrationHarness;
  let opsAdmin: string;

  beforeAll(async () => {
    world = await startRegistrationHarness();
    opsAdmin = (await opsHeaders('ops-admin')).authorization.slice('Bearer '.length);
  });

  afterAll(async () => {
    await world?.close();
  });

  const reviewsOf = (patientRef: string) =>
    world.db.count(
      `SELECT count(*) FROM "${world.service.schema}".identity_review WHERE $1 IN (patient_id, candidate_patient_id)`,
      [patientRef],
    );
  const patientOf = async (registrationId: string) =>
    (
      await world.db.query<{ patient_id: string }>(
        `SELECT patient_id FROM "${world.service.schema}".registration WHERE id = $1`,
        [registrationId],
      )
    )[0].patient_id;

  /** The second filing, by the hospital (referral.assessed) or a family (HTTP, then verified and assessed). */
  const fileSecond = async (channel: 'hospital' | 'family', patient: Filed): Promise<string> => {
    if (channel === 'hospital') {
      const referralId = await publishAssessed(world, patient as PatientIdentityDto, [consent()]);
      await waitFor(async () => (await applicationRow(world, referralId)) !== undefined);
      return referralId;
    }
    const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
      channel: 'family',
      patient,
      needs: ['day-care'],
      consents: [onlineConsent()],
    });
    expect(filed.status).toBe(201);
    await verifyAndAssess(world, filed.body.applicationId as string);
    return filed.body.applicationId as string;
  };

  const withoutIdNumber = ({ idNumber: _, ...rest }: PatientIdentityDto): Filed => rest;
  const typo = (name: string) => `${name.slice(0, -1)}${name.endsWith('甲') ? '乙' : '甲'}`;

  interface Row {
    readonly case: string;
    readonly channel: 'hospital' | 'family';
    readonly second: (first: PatientIdentityDto) => Filed;
    readonly expected: 'same' | 'different';
    readonly reviews: number;
  }
  const differentId = (p: PatientIdentityDto): Filed => ({ ...p, idNumber: idNumber(p.birthDate) });
  const otherName = (p: PatientIdentityDto): Filed => ({ ...p, name: '完全不同的名字' });
  const typoInName = (p: PatientIdentityDto): Filed => ({ ...p, name: typo(p.name) });
  const rows: Row[] = (['hospital', 'family'] as const).flatMap((channel) => [
    { case: 'same ID number, different name', channel, second: otherName, expected: 'same', reviews: 0 },
    {
      case: 'same name/birth/county, different ID number',
      channel,
      second: differentId,
      expected: 'different',
      reviews: 0,
    },
    { case: 'typo in the name, same ID number', channel, second: typoInName, expected: 'same', reviews: 0 },
  ]);
  // A hospital always sends the ID number: only another channel can file without one.
  rows.push({
    case: 'no ID number, same name/birth/county',
    channel: 'family',
    second: withoutIdNumber,
    expected: 'different',
    reviews: 1,
  });

  it.each(rows)(
    '$case (second filed by $channel): $expected person',
    async ({ channel, second, expected, reviews }) => {
      const first = person();
      const firstReferral = await publishAssessed(world, first, [consent()]);
      await waitFor(async () => (await registeredEventsOf(world, firstReferral)).length === 1);
      const firstRegistration = (await applicationRow(world, firstReferral))!.registration_id;

      const secondId = await fileSecond(channel, second(first));
      const secondRow = (await applicationRow(world, secondId))!;

      if (expected === 'same') {
        // Linked to the first person and filed into the routed referral: no second routing.
        expect(secondRow.registration_id).toBe(firstRegistration);
        await waitFor(async () => (await applicationRow(world, secondId))?.status === 'merged');
        await holdsFor(async () => (await registeredEventsOf(world, secondId)).length === 0, 500);
      } else {
        // A person of their own: their own registration, and routed (referral.registered) like anyone else.
        expect(secondRow.registration_id).not.toBe(firstRegistration);
        await waitFor(async () => (await registeredEventsOf(world, secondId)).length === 1, {
          message: 'the second person is routed',
        });
        expect((await applicationRow(world, secondId))!.status).toBe('registered');
      }
      expect(await reviewsOf(await patientOf(secondRow.registration_id))).toBe(reviews);
      expect(await registeredEventsOf(world, firstReferral)).toHaveLength(1);
    },
  );

  describe('the review worklist (registration office and ops)', () => {
    /** A hospital-routed person and a family application for the same name, birth date, county without an ID. */
    const candidatePair = async () => {
      const first = person();
      const referralId = await publishAssessed(world, first, [consent()]);
      await waitFor(async () => (await registeredEventsOf(world, referralId)).length === 1);
      const filed = await http(world, 'POST', '/v1/applications', world.keys.familyPortal, {
        channel: 'family',
        patient: withoutIdNumber(first),
        needs: ['day-care'],
      });
      expect(filed.status).toBe(201);
      const applicationId = filed.body.applicationId as string;
      const open = await http(world, 'GET', '/v1/identity-reviews?limit=200', world.keys.centre);
      expect(open.status).toBe(200);
      const review = (open.body as unknown as IdentityReviewViewDto[]).find((r) =>
        r.record.applications.some((a) => a.applicationId === applicationId),
      );
      expect(review).toBeDefined();
      return { first, referralId, applicationId, review: review! };
    };

    it('should list the candidate for the county centre and ops, not for another county', async () => {
      const { referralId, review } = await candidatePair();
      expect(review).toMatchObject({
        status: 'open',
        matchedBy: 'name-birth-division',
        countyCode: '610902',
        record: { hasIdNumber: false, registrationStatus: 'pending' },
        candidate: { hasIdNumber: true, registrationStatus: 'registered' },
      });
      expect(review.candidate.applications[0]).toMatchObject({
        applicationId: referralId,
        status: 'registered',
      });

      const asOps = await http(world, 'GET', '/v1/identity-reviews?limit=200', opsAdmin);
      expect((asOps.body as unknown as { reviewId: string }[]).map((r) => r.reviewId)).toContain(
        review.reviewId,
      );
      const elsewhere = await http(world, 'GET', '/v1/identity-reviews?limit=200', world.keys.otherCentre);
      expect((elsewhere.body as unknown as { reviewId: string }[]).map((r) => r.reviewId)).not.toContain(
        review.reviewId,
      );
      const decidedElsewhere = await http(
        world,
        'POST',
        `/v1/identity-reviews/${review.reviewId}/merge`,
        world.keys.otherCentre,
        {},
      );
      expect(decidedElsewhere.status).toBe(404);
    });

    it('should merge on confirmation: the application joins the routed registration, audited', async () => {
      const { referralId, applicationId, review } = await candidatePair();
      const merged = await http(
        world,
        'POST',
        `/v1/identity-reviews/${review.reviewId}/merge`,
        world.keys.centre,
        {
          note: 'same person: checked with the family',
        },
      );
      expect(merged.status).toBe(200);
      expect(merged.body).toMatchObject({ status: 'merged', decidedBy: 'org:centre-hanbin' });

      // Moved to the routed person's registration; not verified yet, so the office's verification links it.
      const row = (await applicationRow(world, applicationId))!;
      expect(row.registration_id).toBe((await applicationRow(world, referralId))!.registration_id);
      expect(row.status).toBe('received');
      expect((await verify(world, applicationId)).body).toMatchObject({
        status: 'merged',
        mergedInto: referralId,
      });
      const office = await http(world, 'GET', `/v1/applications/${applicationId}`, world.keys.centre);
      expect(office.body).toMatchObject({
        status: 'merged',
        mergedInto: referralId,
        linkedBy: 'identity-review',
      });
      // The family sees where the person's case stands, not the link.
      const family = await http(world, 'GET', `/v1/applications/${applicationId}`, world.keys.familyPortal);
      expect(family.body.status).toBe('registered');
      expect(family.body).not.toHaveProperty('mergedInto');
      expect(family.body).not.toHaveProperty('linkedBy');

      const again = await http(
        world,
        'POST',
        `/v1/identity-reviews/${review.reviewId}/keep-separate`,
        opsAdmin,
        {},
      );
      expect(again.status).toBe(409);
      expect(again.body.code).toBe('REVIEW_DECIDED');
      const audited = await world.db.count(
        `SELECT count(*) FROM "${world.service.schema}".audit_event WHERE subtype = 'identity-merge' AND entity_id = ANY($1)`,
        [[review.reviewId, review.record.patientRef, review.candidate.patientRef]],
      );
      expect(audited).toBe(3);
    });

    it('should leave one open review per remaining pair after a merge', async () => {
      const { first: person1, referralId, applicationId, review } = await candidatePair();
      const [first] = await world.db.query<{ patient_id: string }>(
        `SELECT r.patient_id FROM "${world.service.schema}".registration r
           JOIN "${world.service.schema}".application a ON a.registration_id = r.id WHERE a.id = $1`,
        [referralId],
      );
      // A third filing of the same name, birth date and county without an ID number: a candidate of both.
      const third = await http(world, 'POST', '/v1/applications', world.keys.villageCommittee, {
        channel: 'village-committee',
        patient: withoutIdNumber(person1),
        needs: [],
      });
      expect(third.status).toBe(201);
      const thirdRef = third.body.patientRef as string;
      expect(await reviewsOf(thirdRef)).toBe(2);

      const merged = await http(world, 'POST', `/v1/identity-reviews/${review.reviewId}/merge`, opsAdmin, {});
      expect(merged.status).toBe(200);
      expect((await applicationRow(world, applicationId))!.status).toBe('received');
      const open = await world.db.query<{ candidate_patient_id: string }>(
        `SELECT candidate_patient_id FROM "${world.service.schema}".identity_review WHERE patient_id = $1 AND status = 'open'`,
        [thirdRef],
      );
      expect(open).toEqual([{ candidate_patient_id: first.patient_id }]);
    });

    it('should keep the records separate when ops says so: the family application goes on by itself', async () => {
      const { applicationId, review } = await candidatePair();
      const kept = await http(
        world,
        'POST',
        `/v1/identity-reviews/${review.reviewId}/keep-separate`,
        opsAdmin,
        {
          note: 'different people',
        },
      );
      expect(kept.status).toBe(200);
      expect(kept.body).toMatchObject({ status: 'kept-separate', decidedBy: 'ops:test-ops-admin' });
      const view = await verifyAndAssess(world, applicationId);
      expect(view.status).toBe('awaiting-consent');
    });
  });
});
