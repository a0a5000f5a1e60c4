import { Inject, Injectable } from '@nestjs/common';
import { Clock, WorkingDayCalendar } from '@app/core';
import { ConsentPurpose, EVENTS, PatientIdentityDto } from '@app/contracts';
import { EventPublisher } from '@app/messaging';
import { REGISTRATION_CONFIG, RegistrationConfig } from '../config/registration.config';
import { ConsentRecord, evaluateConsent, validConsentPurposes } from '../consent/consent-policy';
import { ConsentRepository } from '../consent/consent.repository';
import { PatientRow } from '../vault/patient.repository';
import { PatientVaultService } from '../vault/patient-vault.service';
import { ApplicationOutcome, ApplicationRow, Assessment, ReferDeadline } from './application-row';
import { ApplicationRepository } from './application.repository';
import { RegistrationRepository, RegistrationRow } from './registration.repository';

/**
 * The consent gate: an assessed application is ineligible, awaits consent for a routing purpose, or is
 * registered (starting the refer-to-a-site deadline), and then `referral.registered` carries it to routing.
 * Eligibility and colour grade come from the one risk policy (`ColourGradePolicy`), whatever a channel posted:
 * risk 3–5 or an unstable condition is never registered for community rehab.
 */
@Injectable()
export class ConsentGate {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly vault: PatientVaultService,
    private readonly registrations: RegistrationRepository,
    private readonly applications: ApplicationRepository,
    private readonly consents: ConsentRepository,
    private readonly calendar: WorkingDayCalendar,
    private readonly clock: Clock,
    @Inject(REGISTRATION_CONFIG) private readonly config: RegistrationConfig,
  ) {}

  /** After an assessment (or a new consent): ineligible, awaiting consent for a purpose, or registered. */
  async decide(applicationId: string, causationId: string | undefined): Promise<void> {
    const application = (await this.applications.findApplication(applicationId))!;
    const registration = (await this.registrations.findRegistration(application.registrationId))!;
    const patient = (await this.vault.find(registration.patientId, true))!;
    const now = this.clock.now();
    if (registration.status === 'consent-withdrawn' || patient.sealedAt !== null) return;
    const assessment = application.assessment!;
    const consents = assessment.eligible ? await this.consents.findByPatient(patient.id) : [];
    const outcome = this.evaluate(assessment, patient, consents, now)!;
    if (outcome.status === 'registered') {
      await this.applications.markRegistered(application.id, now, this.referDeadline(now));
      await this.registrations.setRegistrationStatus(registration.id, 'registered', { registeredAt: now });
      await this.publishRegistered(application, registration, patient, now, causationId, { consents });
    } else if (outcome.status === 'awaiting-consent') {
      await this.applications.markAwaitingConsent(application.id, outcome.purpose, now);
    } else {
      await this.applications.end(application.id, outcome.status, outcome.reason, now);
    }
  }

  /**
   * After consents were recorded for a person (through registration, or sent by the hospital after the
   * discharge): every application of theirs awaiting consent is decided again, whichever organisation filed it, and
   * a purpose beyond community rehab (e.g. employment) is announced to each registered referral still going
   * (referral.consent-granted), so the site's employment readiness gate sees it. Referrals registered later carry
   * it in referral.registered instead.
   */
  async reconsider(
    registrationId: string,
    granted: readonly { purpose: ConsentPurpose; grantedAt: Date; expiresAt: Date | null }[],
    causationId: string | undefined,
  ): Promise<void> {
    for (const application of await this.applications.findApplicationsOf(registrationId)) {
      if (application.status === 'awaiting-consent') await this.decide(application.id, causationId);
    }
    const announced = granted.filter((g) => g.purpose !== 'community-rehab');
    if (announced.length === 0) return;
    for (const application of await this.applications.findApplicationsOf(registrationId)) {
      if (
        application.registeredAt === null ||
        application.endedAt !== null ||
        application.status === 'merged'
      )
        continue;
      for (const grant of announced) {
        await this.publisher.publish(
          EVENTS.referralConsentGranted,
          {
            referralId: application.id,
            purpose: grant.purpose,
            ...(grant.expiresAt ? { expiresAt: grant.expiresAt.toISOString() } : {}),
            grantedAt: grant.grantedAt.toISOString(),
          },
          { subject: application.id, ...(causationId ? { causationId } : {}) },
        );
      }
    }
  }

  /**
   * The gate on an assessed application: ineligible, awaiting consent for a routing purpose, or registered.
   * Undefined when nothing may happen any more (the patient's record is sealed).
   */
  evaluate(
    assessment: Assessment,
    patient: PatientRow,
    consents: readonly ConsentRecord[],
    now: Date,
  ): ApplicationOutcome | undefined {
    if (patient.sealedAt !== null) return undefined;
    if (
      !this.config.riskPolicy.assess(assessment.riskLevel, assessment.conditionStatus)
        .eligibleForCommunityRehab
    ) {
      return {
        status: 'ineligible',
        reason: `risk level ${assessment.riskLevel} / ${assessment.conditionStatus}: not for community rehab`,
        at: now,
      };
    }
    if (!assessment.eligible) {
      return {
        status: 'ineligible',
        reason: 'not eligible for community rehab (risk or condition)',
        at: now,
      };
    }
    for (const purpose of this.config.routingPurposes) {
      if (!evaluateConsent(patient, consents, purpose, now).valid) {
        return { status: 'awaiting-consent', purpose, at: now };
      }
    }
    return { status: 'registered', at: now };
  }

  /** The refer-to-a-site deadline of a registration at `registeredAt` (written with the registration). */
  referDeadline(registeredAt: Date): ReferDeadline {
    const due = this.calendar.deadline(registeredAt, this.config.referToSiteWithinWorkingDays);
    return { referDueAt: due.dueAt, referDueProvisional: due.provisional };
  }

  /**
   * referral.registered: the routing input, with the minimum contact sealed for the site and the colour grade
   * the policy derives.
   */
  async publishRegistered(
    application: ApplicationRow,
    registration: RegistrationRow,
    patient: PatientRow,
    registeredAt: Date,
    causationId: string | undefined,
    known: { createdFrom?: PatientIdentityDto; consents?: readonly ConsentRecord[] } = {},
  ): Promise<void> {
    const assessment = application.assessment!;
    const consents = known.consents ?? (await this.consents.findByPatient(patient.id));
    const validConsents = validConsentPurposes(patient, consents, registeredAt).map((c) => ({
      purpose: c.purpose,
      ...(c.expiresAt ? { expiresAt: c.expiresAt.toISOString() } : {}),
    }));
    const graded = this.config.riskPolicy.assess(assessment.riskLevel, assessment.conditionStatus);
    await this.publisher.publish(
      EVENTS.referralRegistered,
      {
        referralId: application.id,
        registrationId: registration.id,
        patientRef: patient.id,
        residenceDivisionCode: application.residenceDivisionCode,
        needs: assessment.needs,
        riskLevel: assessment.riskLevel,
        colourGrade: graded.colourGrade,
        ...(application.preferredSiteId ? { preferredSiteId: application.preferredSiteId } : {}),
        ...(registration.previousSiteId ? { previousSiteId: registration.previousSiteId } : {}),
        registeredAt: registeredAt.toISOString(),
        sealedContact: this.vault.sealSiteContact(patient, application.id, known.createdFrom),
        validConsents,
      },
      { subject: application.id, ...(causationId ? { causationId } : {}) },
    );
  }
}
