import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { Caller, callerActor, notFound, restAudit } from '../auth/caller';
import { ConsentRepository } from '../consent/consent.repository';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { toApplicationView } from './application-view';
import { ApplicationRepository } from './application.repository';
import { ApplicationViewDto, RegistrationViewDto } from './dto/registration-view.dto';
import { RegistrationRepository, RegistrationRow } from './registration.repository';

/**
 * Registrations as the channels see them: who may see one (an organisation that filed for the person, or the
 * county centre of the person's county) and the views, which never carry PII.
 */
@Injectable()
export class RegistrationsService {
  constructor(
    private readonly vault: PatientVaultService,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly audit: AuditTrail,
  ) {}

  async getRegistration(caller: Caller, registrationId: string): Promise<RegistrationViewDto> {
    const entry = restAudit('read', 'R', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { patient } = await this.registrationFor(caller, registrationId);
      // The view discloses the patient's record (reference, sealed state, consents): a read of the patient too.
      await this.audit.record(restAudit('read', 'R', 'patient', patient.id));
      return this.registrationView(registrationId);
    });
  }

  /** Whether the caller filed for the person, or is the county centre of one of the person's applications. */
  async canSee(caller: Caller, registrationId: string): Promise<boolean> {
    const applications = await this.applications.findApplicationsOf(registrationId);
    return applications.some(
      (a) =>
        a.organisationId === caller.organisationId ||
        (caller.kind === 'county-centre' &&
          a.residenceDivisionCode.startsWith(caller.divisionCode.slice(0, 6))),
    );
  }

  /** The registration (locked) and its patient (locked) if the caller may see them, else 404. */
  async registrationFor(
    caller: Caller,
    registrationId: string,
  ): Promise<{ registration: RegistrationRow; patient: PatientRow }> {
    const registration = await this.registrations.findRegistration(registrationId);
    if (!registration || !(await this.canSee(caller, registrationId))) throw notFound('registration');
    const patient = (await this.vault.find(registration.patientId, true))!;
    return { registration, patient };
  }

  async applicationView(applicationId: string): Promise<ApplicationViewDto> {
    const application = (await this.applications.findApplication(applicationId, false))!;
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    return toApplicationView(application, registration.patientId);
  }

  async registrationView(registrationId: string): Promise<RegistrationViewDto> {
    const registration = (await this.registrations.findRegistration(registrationId))!;
    const patient = (await this.vault.find(registration.patientId))!;
    const applications = await this.applications.findApplicationsOf(registrationId);
    const consents = await this.consents.findByPatient(patient.id);
    return {
      registrationId,
      patientRef: patient.id,
      status: registration.status,
      sealed: patient.sealedAt !== null,
      applications: applications.map((a) => toApplicationView(a, patient.id)),
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
