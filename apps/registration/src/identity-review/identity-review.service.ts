import { Injectable } from '@nestjs/common';
import { AuditEntry, AuditTrail } from '@app/audit';
import { Principal } from '@app/auth';
import { Clock, DomainException } from '@app/core';
import { Actor, organisationActor, systemActor, TransactionHost } from '@app/persistence';
import { ConsentRepository } from '../consent/consent.repository';
import { ApplicationRow, OPEN_APPLICATION_STATUSES } from '../registrations/application-row';
import { toOfficeApplicationView } from '../registrations/application-view';
import { ApplicationRepository } from '../registrations/application.repository';
import { RegistrationRepository, RegistrationRow } from '../registrations/registration.repository';
import {
  IdentityReviewRepository,
  IdentityReviewRow,
  IdentityReviewStatus,
} from '../vault/identity-review.repository';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { IdentityRecordDto, IdentityReviewViewDto } from './dto/identity-review.dto';

/** Who decides: the registration office of a county (county centre key) or an ops user (every county). */
interface Reviewer {
  readonly actor: Actor;
  readonly by: string;
  /** The county a county centre reviews; undefined for ops. */
  readonly countyCode?: string;
}

/** How far an open application has got: the furthest one of a person stays, the others are filed into it. */
const PROGRESS: Record<string, number> = {
  registered: 2,
  'awaiting-consent': 1,
  'assessment-requested': 0,
};

/**
 * The identity review worklist. A name + birth date + county match where one record has no ID number is never
 * merged by the service: the registration office or ops decides here, and every decision is audited. A merge
 * keeps the routed record (both routed: refused, a person cannot hold two referrals here), moves the other's
 * applications and consents to it and files the verified open applications into the furthest one (those not
 * verified yet are linked by their verification).
 */
@Injectable()
export class IdentityReviewService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly reviews: IdentityReviewRepository,
    private readonly vault: PatientVaultService,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly clock: Clock,
    private readonly audit: AuditTrail,
  ) {}

  async list(
    principal: Principal,
    status: IdentityReviewStatus,
    limit: number,
  ): Promise<IdentityReviewViewDto[]> {
    const reviewer = reviewerOf(principal);
    return this.tx.run(async () => {
      // The worklist is the service's own table: it reads it and scopes it to the county centre's county.
      const views = await this.tx.elevated(async () => {
        const rows = await this.reviews.findByStatus(status, reviewer.countyCode, limit);
        const out: IdentityReviewViewDto[] = [];
        for (const row of rows) out.push(await this.view(row));
        return out;
      });
      await this.audit.recordAll(
        views.flatMap((v) => [
          reviewAudit('search', 'R', v.record.patientRef),
          reviewAudit('search', 'R', v.candidate.patientRef),
        ]),
      );
      return views;
    }, reviewer.actor);
  }

  async keepSeparate(principal: Principal, reviewId: string, note?: string): Promise<IdentityReviewViewDto> {
    const reviewer = reviewerOf(principal);
    return this.decide(reviewer, reviewId, 'identity-keep-separate', async (review) => {
      const decided = await this.reviews.decide(
        review.id,
        'kept-separate',
        reviewer.by,
        this.clock.now(),
        note ?? null,
      );
      return { decided, touched: [review.patientId, review.candidatePatientId] };
    });
  }

  async merge(principal: Principal, reviewId: string, note?: string): Promise<IdentityReviewViewDto> {
    const reviewer = reviewerOf(principal);
    return this.decide(reviewer, reviewId, 'identity-merge', async (review) => {
      const now = this.clock.now();
      const a = await this.recordOf(review.patientId);
      const b = await this.recordOf(review.candidatePatientId);
      for (const r of [a, b]) {
        if (r.registration?.status === 'merged') throw notAllowed('one of the records was merged already');
        if (r.patient.sealedAt !== null || r.registration?.status === 'consent-withdrawn') {
          throw notAllowed(
            'consent was withdrawn for one of the records; it is kept for the statutory record only',
          );
        }
      }
      const aRouted = routed(a.registration);
      if (aRouted && routed(b.registration)) {
        throw notAllowed('both records were routed: close one referral before merging');
      }
      // The routed record survives (its referral keeps its registration), else the older one.
      const [survivor, duplicate] = aRouted ? [a, b] : [b, a];
      await this.mergeRegistrations(survivor, duplicate, now);
      await this.consents.moveToPatient(duplicate.patient.id, survivor.patient.id);
      await this.vault.mergeRecords(duplicate.patient, survivor.patient);
      const decided = await this.reviews.decide(review.id, 'merged', reviewer.by, now, note ?? null);
      await this.reviews.retargetOpenReviews(duplicate.patient.id, survivor.patient.id, reviewer.by, now);
      return { decided, touched: [duplicate.patient.id, survivor.patient.id] };
    });
  }

  /** Runs a decision on an open review the reviewer may see, audited, and answers the review as it now is. */
  private decide(
    reviewer: Reviewer,
    reviewId: string,
    subtype: string,
    work: (review: IdentityReviewRow) => Promise<{ decided: IdentityReviewRow; touched: string[] }>,
  ): Promise<IdentityReviewViewDto> {
    return this.audit.audited(
      reviewer.actor,
      reviewAudit(subtype, 'U', reviewId, 'registration'),
      async () => {
        const { view, touched } = await this.tx.elevated(async () => {
          const review = await this.reviews.findForUpdate(reviewId);
          if (!review || (reviewer.countyCode !== undefined && review.countyCode !== reviewer.countyCode)) {
            throw new DomainException('IDENTITY_REVIEW_NOT_FOUND', 'not-found', 'no such identity review');
          }
          if (review.status !== 'open') {
            throw new DomainException(
              'REVIEW_DECIDED',
              'conflict',
              `the review was decided: ${review.status}`,
              {
                status: review.status,
              },
            );
          }
          const result = await work(review);
          return { view: await this.view(result.decided), touched: result.touched };
        });
        await this.audit.recordAll(touched.map((patientId) => reviewAudit(subtype, 'U', patientId)));
        return view;
      },
    );
  }

  /** The duplicate's applications join the survivor's registration; only the furthest open one goes on. */
  private async mergeRegistrations(
    survivor: PersonRecord,
    duplicate: PersonRecord,
    now: Date,
  ): Promise<void> {
    if (!duplicate.registration) return;
    if (!survivor.registration) {
      // Nothing was ever filed for the survivor (cannot happen through intake): its registration is the other's.
      throw notAllowed('the surviving record has no registration');
    }
    await this.applications.moveToRegistration(duplicate.registration.id, survivor.registration.id);
    await this.registrations.markMerged(duplicate.registration.id, survivor.registration.id);
    const all = await this.applications.findApplicationsOf(survivor.registration.id);
    const going = all.filter(
      (x) =>
        x.endedAt === null && (OPEN_APPLICATION_STATUSES.includes(x.status) || x.status === 'registered'),
    );
    // An application the office has not verified yet stays for its verification, which links it.
    const verified = going.filter((x) => x.status !== 'received');
    const keep = furthest(verified);
    if (!keep) return;
    const others = verified.filter((x) => x.id !== keep.id && x.status !== 'registered').map((x) => x.id);
    await this.applications.endAll(others, 'merged', 'same person (identity review)', now, keep.id);
  }

  private async recordOf(patientId: string): Promise<PersonRecord> {
    const patient = (await this.vault.find(patientId, true))!;
    const registration = await this.registrations.findRegistrationByPatient(patientId);
    return { patient, registration };
  }

  private async view(review: IdentityReviewRow): Promise<IdentityReviewViewDto> {
    return {
      reviewId: review.id,
      status: review.status,
      matchedBy: review.matchedBy,
      countyCode: review.countyCode,
      record: await this.recordView(review.patientId),
      candidate: await this.recordView(review.candidatePatientId),
      createdAt: review.createdAt.toISOString(),
      ...(review.decidedAt ? { decidedAt: review.decidedAt.toISOString() } : {}),
      ...(review.decidedBy ? { decidedBy: review.decidedBy } : {}),
      ...(review.note ? { note: review.note } : {}),
    };
  }

  private async recordView(patientId: string): Promise<IdentityRecordDto> {
    const { patient, registration } = await this.recordOf(patientId);
    const applications = registration ? await this.applications.findApplicationsOf(registration.id) : [];
    return {
      patientRef: patient.id,
      hasIdNumber: patient.hasIdNumber,
      ...(registration ? { registrationId: registration.id, registrationStatus: registration.status } : {}),
      applications: applications.map((x) => toOfficeApplicationView(x, patient.id)),
    };
  }
}

interface PersonRecord {
  readonly patient: PatientRow;
  readonly registration: RegistrationRow | undefined;
}

const routed = (r: RegistrationRow | undefined): boolean =>
  r?.status === 'registered' || r?.status === 'green-channel';

function furthest(applications: readonly ApplicationRow[]): ApplicationRow | undefined {
  return [...applications].sort(
    (x, y) => PROGRESS[y.status] - PROGRESS[x.status] || x.receivedAt.getTime() - y.receivedAt.getTime(),
  )[0];
}

function notAllowed(message: string): DomainException {
  return new DomainException('MERGE_NOT_ALLOWED', 'conflict', message, { allowedActions: ['keep-separate'] });
}

function reviewerOf(principal: Principal): Reviewer {
  if (principal.type === 'ops') {
    return { actor: systemActor('identity-review', principal.subject), by: `ops:${principal.subject}` };
  }
  if (!principal.divisionCode) {
    throw new DomainException('API_KEY_WITHOUT_DIVISION', 'unprocessable', 'this API key has no division');
  }
  return {
    actor: organisationActor(principal.organisationId, principal.organisationKind),
    by: `org:${principal.organisationId}`,
    countyCode: principal.divisionCode.slice(0, 6),
  };
}

function reviewAudit(
  subtype: string,
  action: 'R' | 'U',
  entityId: string,
  entityType: AuditEntry['entityType'] = 'patient',
): AuditEntry {
  return { type: 'rest', subtype, action, entityType, entityId, purposeOfUse: 'PATADMIN' };
}
