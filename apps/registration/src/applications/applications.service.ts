import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { ApplicationChannel, EVENTS } from '@app/contracts';
import { Clock, DomainException } from '@app/core';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher } from '@app/messaging';
import { AuditTrail } from '@app/audit';
import { TransactionHost } from '@app/persistence';
import { Caller, callerActor, notFound, OrganisationKind, restAudit } from '../auth/caller';
import { consentGrantOf } from '../consent/consent-grant';
import { ApplicationRow } from '../registrations/application-row';
import { toChannelApplicationView } from '../registrations/application-view';
import { ApplicationRepository } from '../registrations/application.repository';
import { ConsentGate } from '../registrations/consent-gate.service';
import { ApplicationViewDto } from '../registrations/dto/registration-view.dto';
import { RegistrationIntake } from '../registrations/registration-intake.service';
import { RegistrationRepository } from '../registrations/registration.repository';
import { audienceOf, RegistrationsService } from '../registrations/registrations.service';
import { NoticeService } from '../notices/notice.service';
import { assertKnownDivision } from '../vault/patient-identity';
import { PatientVaultService } from '../vault/patient-vault.service';
import { AssessmentRequestsRepository } from './assessment-requests.repository';
import { AssessmentResultDto, FileApplicationDto, VerificationDto } from './dto/application.dto';

/** Which channels an organisation kind may file for. */
const CHANNELS_BY_KIND: Record<OrganisationKind, readonly ApplicationChannel[]> = {
  'family-portal': ['self', 'family'],
  'village-committee': ['village-committee'],
  'social-organisation': ['social-organisation'],
  enterprise: ['enterprise'],
  'county-centre': [],
};

/**
 * Applications from the channels other than hospitals (self, family, 村/居委会, social organisations,
 * enterprises): filed over HTTP, verified (初核登记) and assessed by the county centre of the patient's county,
 * after which the consent gate decides.
 */
@Injectable()
export class ApplicationsService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly workList: AssessmentRequestsRepository,
    private readonly applications: ApplicationRepository,
    private readonly registrations: RegistrationRepository,
    private readonly intake: RegistrationIntake,
    private readonly gate: ConsentGate,
    private readonly views: RegistrationsService,
    private readonly clock: Clock,
    @Inject(DivisionDirectory) private readonly divisions: DivisionDirectory,
    private readonly audit: AuditTrail,
    private readonly vault: PatientVaultService,
    private readonly notices: NoticeService,
  ) {}

  async fileApplication(caller: Caller, dto: FileApplicationDto): Promise<ApplicationViewDto> {
    if (!CHANNELS_BY_KIND[caller.kind].includes(dto.channel)) {
      throw new DomainException(
        'CHANNEL_NOT_ALLOWED',
        'unprocessable',
        `a ${caller.kind} may not file ${dto.channel} applications`,
        {
          errors: [{ pointer: '#/channel', detail: `allowed: ${CHANNELS_BY_KIND[caller.kind].join(', ')}` }],
        },
      );
    }
    assertKnownDivision(this.divisions, dto.patient.residenceDivisionCode, '#/patient/residenceDivisionCode');
    return this.tx.run(async () => {
      const applicationId = randomUUID();
      // Matching the person against every registration (duplicates) is the service's own work.
      const result = await this.tx.elevated(() =>
        this.intake.file({
          applicationId,
          channel: dto.channel,
          organisationId: caller.organisationId,
          encounterId: null,
          identity: { ...dto.patient, guardian: dto.patient.guardian },
          needs: dto.needs,
          preferredSiteId: dto.preferredSiteId ?? null,
          consents: (dto.consents ?? []).map((c) => consentGrantOf(c, caller.organisationId)),
        }),
      );
      await this.audit.recordAll([
        restAudit('file-application', 'C', 'application', applicationId),
        restAudit('file-application', result.linkedBy ? 'U' : 'C', 'patient', result.patient.id),
      ]);
      if (result.application.status !== 'refused') {
        await this.publisher.publish(
          EVENTS.referralApplicationReceived,
          {
            referralId: applicationId,
            registrationId: result.registration.id,
            patientRef: result.patient.id,
            channel: dto.channel,
            organisationId: caller.organisationId,
            residenceDivisionCode: dto.patient.residenceDivisionCode,
            receivedAt: result.application.receivedAt.toISOString(),
            registerDueAt: result.application.registerDueAt.toISOString(),
            linkedToExisting: result.linkedBy !== undefined,
          },
          { subject: applicationId },
        );
      }
      // The same answer whatever registration knew of the person: links are the office's to see.
      return toChannelApplicationView(result.application, result.patient.id);
    }, callerActor(caller));
  }

  /**
   * 初核登记 by the county centre of the patient's county. This is where an application for a known person is
   * linked (not at filing, whose answer must not tell the channel anything): filed into the routed application
   * when the person is registered, into the application in progress when there is one, refused when the person
   * withdrew consent; otherwise the assessment is requested.
   */
  async verify(caller: Caller, applicationId: string, dto: VerificationDto): Promise<ApplicationViewDto> {
    const entry = restAudit('verification', 'U', 'application', applicationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const application = await this.applicationForCentre(caller, applicationId);
      this.assertStatus(application, 'received', ['verify']);
      const now = this.clock.now();
      if (dto.outcome === 'rejected') {
        await this.applications.end(application.id, 'rejected', dto.note ?? 'rejected at verification', now);
      } else {
        // The person's other applications may have been filed in another county: the service looks.
        await this.tx.elevated(() => this.linkOrRequestAssessment(application, caller.organisationId, now));
      }
      return this.views.applicationView(application.id, caller);
    });
  }

  async assessmentRequests(caller: Caller, limit: number): Promise<ApplicationViewDto[]> {
    this.assertCentre(caller);
    return this.tx.run(async () => {
      const rows = await this.workList.findAwaitingAssessment(caller.divisionCode.slice(0, 6), limit);
      await this.audit.recordAll(rows.map((r) => restAudit('search', 'R', 'application', r.id)));
      const views: ApplicationViewDto[] = [];
      for (const r of rows) views.push(await this.views.applicationView(r.id, caller));
      return views;
    }, callerActor(caller));
  }

  /** The county centre's comprehensive assessment; then the consent gate decides. */
  async recordAssessment(
    caller: Caller,
    applicationId: string,
    dto: AssessmentResultDto,
  ): Promise<ApplicationViewDto> {
    const entry = restAudit('assessment', 'U', 'application', applicationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const application = await this.applicationForCentre(caller, applicationId);
      this.assertStatus(application, 'assessment-requested', ['record-assessment']);
      await this.applications.recordAssessment(application.id, {
        riskLevel: dto.riskLevel,
        conditionStatus: dto.conditionStatus,
        colourGrade: dto.colourGrade,
        eligible: dto.eligibleForCommunityRehab,
        needs: dto.rehabNeeds,
        employmentInterest: dto.employmentInterest,
        assessedAt: new Date(dto.assessedAt),
      });
      await this.tx.elevated(async () => {
        await this.gate.decide(application.id, undefined);
        await this.noticeAssessment(application, dto);
      });
      return this.views.applicationView(application.id, caller);
    });
  }

  /** The patient and guardian hear the outcome in plain words (never the risk level or colour grade). */
  private async noticeAssessment(application: ApplicationRow, dto: AssessmentResultDto): Promise<void> {
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    const patient = await this.vault.find(registration.patientId);
    if (!patient) return;
    await this.notices.assessmentOutcome(
      { registrationId: registration.id, referralId: application.id, patient },
      {
        eligible: dto.eligibleForCommunityRehab,
        needs: dto.rehabNeeds,
        assessedAt: new Date(dto.assessedAt),
      },
    );
  }

  async getApplication(caller: Caller, applicationId: string): Promise<ApplicationViewDto> {
    const entry = restAudit('read', 'R', 'application', applicationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const application = await this.applications.findApplication(applicationId, false);
      // A channel reads its own applications only; the office those of its county's residents.
      const visible =
        application &&
        (audienceOf(caller) === 'office'
          ? await this.views.canSee(caller, application.registrationId)
          : application.organisationId === caller.organisationId);
      if (!visible) throw notFound('application');
      return this.views.applicationView(applicationId, caller);
    });
  }

  private async linkOrRequestAssessment(application: ApplicationRow, by: string, now: Date): Promise<void> {
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    if (registration.status === 'consent-withdrawn') {
      await this.applications.end(application.id, 'refused', 'consent withdrawn earlier', now);
      return;
    }
    const others = (await this.applications.findApplicationsOf(registration.id)).filter(
      (a) => a.id !== application.id,
    );
    const routed =
      registration.status === 'registered'
        ? others.find((a) => a.status === 'registered' && a.endedAt === null)
        : undefined;
    const inProgress = others.find(
      (a) => a.status === 'assessment-requested' || a.status === 'awaiting-consent',
    );
    const into = routed ?? inProgress;
    if (into) {
      const reason = routed ? 'already registered' : 'an application is already open';
      await this.applications.mergeAtVerification(application.id, by, now, into.id, reason);
    } else {
      await this.applications.markVerified(application.id, by, now);
    }
  }

  private assertCentre(caller: Caller): void {
    if (caller.kind !== 'county-centre') {
      throw new DomainException(
        'NOT_A_COUNTY_CENTRE',
        'not-found',
        'only a county centre verifies and assesses',
      );
    }
  }

  private async applicationForCentre(caller: Caller, applicationId: string): Promise<ApplicationRow> {
    this.assertCentre(caller);
    const application = await this.applications.findApplication(applicationId);
    if (!application || !application.residenceDivisionCode.startsWith(caller.divisionCode.slice(0, 6))) {
      throw notFound('application');
    }
    return application;
  }

  private assertStatus(
    application: ApplicationRow,
    expected: ApplicationRow['status'],
    actions: string[],
  ): void {
    if (application.status !== expected) {
      const allowed: Record<string, string[]> = {
        received: ['verify'],
        'assessment-requested': ['record-assessment'],
        'awaiting-consent': ['capture-consent', 'withdraw'],
        registered: ['withdraw'],
      };
      throw new DomainException(
        'TRANSITION_NOT_ALLOWED',
        'conflict',
        `application is ${application.status}; ${actions.join('/')} needs ${expected}`,
        { status: application.status, allowedActions: allowed[application.status] ?? [] },
      );
    }
  }
}
