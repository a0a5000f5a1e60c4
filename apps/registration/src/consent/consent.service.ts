import { Inject, Injectable } from '@nestjs/common';
import { ConsentPurpose, EVENTS } from '@app/contracts';
import { Clock, DomainException } from '@app/core';
import { EventPublisher, OutboxRepository } from '@app/messaging';
import { AuditTrail } from '@app/audit';
import { TransactionHost } from '@app/persistence';
import { Caller, callerActor, restAudit } from '../auth/caller';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { NoticeService } from '../notices/notice.service';
import { ApplicationRow } from '../registrations/application-row';
import { ApplicationRepository } from '../registrations/application.repository';
import { ConsentGate } from '../registrations/consent-gate.service';
import { RegistrationViewDto } from '../registrations/dto/registration-view.dto';
import { RegistrationRepository, RegistrationRow } from '../registrations/registration.repository';
import { RegistrationsService } from '../registrations/registrations.service';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { consentGrantOf } from './consent-grant';
import { ConsentRepository } from './consent.repository';
import { ConsentRequestDto, WithdrawalDto } from './dto/consent.dto';

/**
 * Consent per purpose after filing: a new consent re-checks every application waiting for one; a withdrawal
 * ends everything open, cancels unsent events and seals the patient's PII.
 */
@Injectable()
export class ConsentService {
  constructor(
    private readonly tx: TransactionHost,
    private readonly publisher: EventPublisher,
    private readonly outbox: OutboxRepository,
    private readonly vault: PatientVaultService,
    private readonly consents: ConsentRepository,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly views: RegistrationsService,
    private readonly gate: ConsentGate,
    private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
    private readonly audit: AuditTrail,
    private readonly notices: NoticeService,
  ) {}

  async captureConsent(
    caller: Caller,
    registrationId: string,
    dto: ConsentRequestDto,
  ): Promise<RegistrationViewDto> {
    const entry = restAudit('consent', 'U', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { registration, patient } = await this.views.registrationFor(caller, registrationId, true);
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
      const grant = consentGrantOf(dto, caller.organisationId);
      await this.consents.insert([{ ...grant, patientId: patient.id }]);
      // Every waiting application of the person is re-checked, whichever organisation filed it.
      await this.tx.elevated(() => this.gate.reconsider(registration.id, [grant], undefined));
      await this.audit.record(restAudit('consent', 'U', 'patient', patient.id));
      return this.views.registrationView(registration.id, caller);
    });
  }

  /**
   * Withdrawal. For a purpose that routing depends on: every application still going ends, unsent outbox
   * rows of those referrals are cancelled, referral.consent-withdrawn tells every holder (and only holders: see
   * `heldDownstream`), and the PII is re-sealed for the statutory record only. Nothing is published for the patient afterwards.
   */
  async withdraw(caller: Caller, registrationId: string, dto: WithdrawalDto): Promise<RegistrationViewDto> {
    const entry = restAudit('consent-withdrawal', 'U', 'registration', registrationId);
    return this.audit.audited(callerActor(caller), entry, async () => {
      const { registration, patient } = await this.views.registrationFor(caller, registrationId, true);
      if (registration.status === 'consent-withdrawn')
        return this.views.registrationView(registration.id, caller);
      // Withdrawal ends every holder's application, whichever organisation filed it: the service does it.
      await this.tx.elevated(() => this.withdrawEverywhere(registration, patient, dto));
      await this.audit.record(restAudit('consent-withdrawal', 'U', 'patient', patient.id));
      return this.views.registrationView(registration.id, caller);
    });
  }

  private async withdrawEverywhere(
    registration: RegistrationRow,
    patient: PatientRow,
    dto: WithdrawalDto,
  ): Promise<void> {
    const now = this.clock.now();
    await this.consents.withdraw(patient.id, [dto.purpose], now);
    const applications = await this.applications.findApplicationsOf(registration.id);
    const live = applications.filter((a) => a.endedAt === null && a.status !== 'merged');
    const ends = this.endsRouting(dto.purpose);
    const notify = live.filter((a) => ends || a.status === 'registered');
    const latest = applications[applications.length - 1];
    const targets = notify.length > 0 ? notify : ends && latest ? [latest] : [];
    for (const application of targets) {
      if (ends) {
        await this.outbox.cancelPending(application.id, `consent withdrawn (${dto.purpose})`);
        if (application.endedAt === null) {
          await this.applications.end(
            application.id,
            'consent-withdrawn',
            `consent withdrawn by ${dto.withdrawnBy}`,
            now,
          );
        }
      }
      // Only holders hear of it: a referral never registered is known to no site; a hospital's to its hospital.
      if (!heldDownstream(application)) continue;
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
    // The confirmation is queued while the record is still open (it is re-sealed just below).
    await this.notices.withdrawalConfirmation(
      { registrationId: registration.id, referralId: latest?.id ?? null, patient },
      dto.purpose,
      now,
    );
    if (ends) {
      await this.registrations.setRegistrationStatus(registration.id, 'consent-withdrawn', {
        withdrawnAt: now,
      });
      await this.vault.sealForStatutoryRecord(patient, now);
    }
  }

  private endsRouting(purpose: ConsentPurpose): boolean {
    return purpose === 'community-rehab' || this.config.routingPurposes.includes(purpose);
  }
}

/**
 * Whether any service downstream holds the referral: rehab-site once it was registered (referral.registered),
 * hospital-intake for a hospital's own referral from the start.
 */
function heldDownstream(application: ApplicationRow): boolean {
  return application.registeredAt !== null || application.channel === 'hospital';
}
