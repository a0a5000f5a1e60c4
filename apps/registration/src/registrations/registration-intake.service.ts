import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { Clock, WorkingDayCalendar } from '@app/core';
import { ApplicationChannel } from '@app/contracts';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { ConsentRecord } from '../consent/consent-policy';
import { ConsentRepository, NewConsent } from '../consent/consent.repository';
import { FiledIdentity, MatchedBy } from '../vault/patient-identity';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { ApplicationOutcome, ApplicationRow, Assessment, OPEN_APPLICATION_STATUSES } from './application-row';
import { ApplicationRepository } from './application.repository';
import { ConsentGate } from './consent-gate.service';
import { NewRegistration, RegistrationRepository, RegistrationRow } from './registration.repository';

export interface IntakeRequest {
  readonly applicationId: string;
  readonly channel: ApplicationChannel;
  readonly organisationId: string;
  readonly encounterId: string | null;
  readonly identity: FiledIdentity;
  readonly needs: ApplicationRow['needs'];
  readonly preferredSiteId: string | null;
  readonly consents: Omit<NewConsent, 'patientId'>[];
  /** Filed already assessed (hospital): the consent gate decides at intake. */
  readonly assessment?: Assessment;
}

export interface IntakeResult {
  readonly application: ApplicationRow;
  readonly registration: RegistrationRow;
  readonly patient: PatientRow;
  /** The patient was created from this request's identity (its seals hold exactly that). */
  readonly created: boolean;
  /** Set when the person was known already (only the ID number links automatically). */
  readonly linkedBy?: MatchedBy;
  /** Every consent of the person, when the consent gate read them at intake. */
  readonly consents?: readonly ConsentRecord[];
}

/** Applications from every channel → one registration per person (duplicates linked by the vault's indexes). */
@Injectable()
export class RegistrationIntake {
  constructor(
    private readonly vault: PatientVaultService,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly gate: ConsentGate,
    private readonly calendar: WorkingDayCalendar,
    private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  /**
   * Vault upsert + one registration per person + the application row. An application filed already assessed
   * (hospital) goes through the consent gate here, so its row is written once with where it stands; a
   * registration it registers is written registered, and it is filed into the routed application when there is
   * one. The other channels' applications are never decided at filing: they are `received` whatever registration
   * knows of the person (that answer must not tell a channel anything); the registration office's verification
   * links them (ApplicationsService.verify).
   */
  async file(request: IntakeRequest): Promise<IntakeResult> {
    const now = this.clock.now();
    const { patient, created, matchedBy } = await this.vault.upsert(request.identity, randomUUID());
    // A patient inserted by this transaction has no registration, applications or consents yet.
    const existing = created ? undefined : await this.registrations.findRegistrationByPatient(patient.id);
    const siblings = existing ? await this.applications.findApplicationsOf(existing.id) : [];
    const open = siblings.filter((a) => OPEN_APPLICATION_STATUSES.includes(a.status));
    const routed = siblings.find((a) => a.status === 'registered' && a.endedAt === null);
    const hospital = request.channel === 'hospital';

    let outcome: ApplicationOutcome | undefined;
    let consents: ConsentRecord[] | undefined;
    if (existing?.status === 'consent-withdrawn') {
      // The person withdrew: nothing more happens for them (and nothing is published).
      if (hospital) outcome = { status: 'refused', reason: 'consent withdrawn earlier', at: now };
    } else if (hospital && routed && existing?.status === 'registered') {
      outcome = { status: 'merged', reason: 'already registered', at: now, mergedInto: routed.id };
    }

    // Filed into the routed or an open application, or refused: the assessment stays with that one.
    const filedInto = outcome !== undefined;
    if (outcome?.status !== 'refused' && existing?.status !== 'consent-withdrawn') {
      if (request.assessment && !filedInto) {
        consents = await this.consents.recordAndList(patient.id, request.consents);
        outcome = this.gate.evaluate(request.assessment, patient, consents, now);
      } else {
        await this.consents.insert(request.consents.map((c) => ({ ...c, patientId: patient.id })));
      }
    }

    const registers = outcome?.status === 'registered';
    // A person new to registration gets their registration with this application, in one statement.
    let registration: RegistrationRow;
    let newRegistration: NewRegistration | undefined;
    if (existing) {
      registration = existing;
    } else {
      newRegistration = {
        id: randomUUID(),
        patientId: patient.id,
        status: registers ? 'registered' : 'pending',
        registeredAt: registers ? now : null,
      };
      registration = { ...newRegistration, previousSiteId: null };
    }
    const application = await this.applications.insertApplication(
      {
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
        ...this.registerDeadline(now),
        ...(registers ? this.gate.referDeadline(now) : {}),
        ...(request.assessment && !filedInto ? { assessment: request.assessment } : {}),
        ...(outcome ? { outcome } : {}),
      },
      newRegistration,
    );
    if (hospital && !filedInto) {
      // The hospital's application arrives assessed: it supersedes the applications the office verified. One not
      // verified yet stays for the office, whose verification links it (telling its channel anything sooner
      // would tell an unchecked filer about a discharge).
      await this.applications.endAll(
        open.filter((a) => a.verifiedAt !== null).map((a) => a.id),
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
    return { application, registration, patient, created, linkedBy: matchedBy, consents };
  }

  /** The verify & register deadline; provisional when counted through a year with no holiday calendar. */
  private registerDeadline(now: Date): { registerDueAt: Date; registerDueProvisional: boolean } {
    const due = this.calendar.deadline(now, this.config.registerWithinWorkingDays);
    return { registerDueAt: due.dueAt, registerDueProvisional: due.provisional };
  }
}
