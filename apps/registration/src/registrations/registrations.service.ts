import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { systemActor, TransactionHost } from '@app/persistence';
import { Caller, callerActor, notFound, restAudit } from '../auth/caller';
import { ConsentRepository } from '../consent/consent.repository';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { ApplicationRow } from './application-row';
import {
  Audience,
  channelRegistrationStatus,
  toChannelApplicationView,
  toOfficeApplicationView,
} from './application-view';
import { ApplicationRepository } from './application.repository';
import { ApplicationViewDto, RegistrationViewDto } from './dto/registration-view.dto';
import { RegistrationRepository, RegistrationRow } from './registration.repository';

/**
 * Registrations as the channels see them: who may see one (an organisation that filed for the person, or the
 * county centre of the person's county) and the views, which never carry PII. The county centre is the
 * registration office and sees the whole registration with its links; a filing channel sees only its own
 * applications and consents, so that nothing it reads tells it what registration knew about the person.
 */
@Injectable()
export class RegistrationsService {
  constructor(
    private readonly vault: PatientVaultService,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly audit: AuditTrail,
    private readonly tx: TransactionHost,
  ) {}

  async getRegistration(caller: Caller, registrationId: string): Promise<RegistrationViewDto> {
    const entry = restAudit('read', 'R', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { patient } = await this.registrationFor(caller, registrationId);
      // The view discloses the patient's record (reference, sealed state, consents): a read of the patient too.
      await this.audit.record(restAudit('read', 'R', 'patient', patient.id));
      return this.registrationView(registrationId, caller);
    });
  }

  /** Ops: the registration office's view of any registration (links included), audited as the ops user. */
  async getRegistrationForOps(userId: string, registrationId: string): Promise<RegistrationViewDto> {
    const entry = restAudit('read', 'R', 'registration', registrationId);
    return this.audit.audited(systemActor('ops-read', userId), entry, async () => {
      const registration = await this.registrations.findRegistration(registrationId);
      if (!registration) throw notFound('registration');
      await this.audit.record(restAudit('read', 'R', 'patient', registration.patientId));
      return this.registrationView(registrationId, 'ops');
    });
  }

  /**
   * Whether the caller filed for the person, or is the county centre of one of the person's applications. To
   * act on the person's consent (`act`), a channel's own application must also have been checked: filed by a
   * hospital, or verified by the registration office. An unchecked filer who happens to know someone's ID
   * number can neither withdraw that person's consent nor learn from a consent answer what registration knows.
   */
  async canSee(caller: Caller, registrationId: string, act = false): Promise<boolean> {
    const applications = await this.applications.findApplicationsOf(registrationId);
    return applications.some(
      (a) =>
        (a.organisationId === caller.organisationId &&
          (!act || a.channel === 'hospital' || a.verifiedAt !== null)) ||
        (caller.kind === 'county-centre' &&
          a.residenceDivisionCode.startsWith(caller.divisionCode.slice(0, 6))),
    );
  }

  /** The registration (locked) and its patient (locked) if the caller may see them (`act`: see canSee), else 404. */
  async registrationFor(
    caller: Caller,
    registrationId: string,
    act = false,
  ): Promise<{ registration: RegistrationRow; patient: PatientRow }> {
    const registration = await this.registrations.findRegistration(registrationId);
    if (!registration || !(await this.canSee(caller, registrationId, act))) throw notFound('registration');
    const patient = (await this.vault.find(registration.patientId, true))!;
    return { registration, patient };
  }

  /** One application as `caller` may see it (office or channel view). */
  async applicationView(applicationId: string, caller: Caller): Promise<ApplicationViewDto> {
    const application = (await this.applications.findApplication(applicationId, false))!;
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    if (audienceOf(caller) === 'office') return toOfficeApplicationView(application, registration.patientId);
    return toChannelApplicationView(application, registration.patientId, await this.mergeTarget(application));
  }

  async registrationView(registrationId: string, caller: Caller | 'ops'): Promise<RegistrationViewDto> {
    const registration = (await this.registrations.findRegistration(registrationId))!;
    const patient = (await this.vault.find(registration.patientId))!;
    // The office (county centre, ops) sees everything; a channel what its own organisation filed and recorded.
    const own = caller === 'ops' || audienceOf(caller) === 'office' ? undefined : caller.organisationId;
    const office = own === undefined;
    const applications = (await this.applications.findApplicationsOf(registrationId)).filter(
      (a) => office || a.organisationId === own,
    );
    const consents = await this.consents.findByPatient(patient.id, own);
    const views: ApplicationViewDto[] = [];
    for (const a of applications) {
      views.push(
        office
          ? toOfficeApplicationView(a, patient.id)
          : toChannelApplicationView(a, patient.id, await this.mergeTarget(a)),
      );
    }
    const status = office ? registration.status : channelRegistrationStatus(registration.status, views);
    return {
      registrationId,
      patientRef: patient.id,
      status,
      sealed: patient.sealedAt !== null && (office || status === 'consent-withdrawn'),
      applications: views,
      consents: consents.map((c) => ({
        purpose: c.purpose,
        grantedBy: c.grantedBy,
        grantedAt: c.grantedAt.toISOString(),
        ...(c.expiresAt ? { expiresAt: c.expiresAt.toISOString() } : {}),
        ...(c.withdrawnAt ? { withdrawnAt: c.withdrawnAt.toISOString() } : {}),
      })),
    };
  }

  /** Where a merged application's case went: the end of its merge chain (the service reads across channels). */
  private async mergeTarget(application: ApplicationRow): Promise<ApplicationRow | undefined> {
    let target: ApplicationRow | undefined = application;
    for (let hop = 0; hop < 5 && target?.status === 'merged' && target.mergedInto; hop++) {
      const next: string = target.mergedInto;
      target = await this.tx.elevated(() => this.applications.findApplication(next, false));
    }
    return target === application ? undefined : target;
  }
}

/** The county centre is the registration office; every other organisation kind is a filing channel. */
export function audienceOf(caller: Caller | 'ops'): Audience {
  return caller === 'ops' || caller.kind === 'county-centre' ? 'office' : 'channel';
}
