import { Inject, Injectable } from '@nestjs/common';
import { DomainException } from '@app/core';
import { TransactionHost } from '@app/persistence';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { readinessFailures } from './employment-readiness-gate';
import { ReadinessRepository } from './readiness.repository';
import { ReferralRecord } from './referral-record';

/**
 * The employment readiness gate at the site: registration's employment consent, a stable latest assessment
 * (risk at most SITE_EMPLOYMENT_MAX_RISK_LEVEL) and the patient's willingness. Runs in the site's unit of
 * work; reads the consent as the service (sites do not read consents directly).
 */
@Injectable()
export class EmploymentReadinessGate {
  constructor(
    private readonly tx: TransactionHost,
    private readonly readiness: ReadinessRepository,
    @Inject(REHAB_SITE_CONFIG) private readonly config: RehabSiteConfig,
  ) {}

  /** Refuses (422 EMPLOYMENT_NOT_READY, naming every failed condition) a referral that is not ready. */
  async assertReady(referral: ReferralRecord, willing: boolean, now: Date): Promise<void> {
    const { consent, periodic } = await this.tx.elevated(async () => ({
      consent: await this.readiness.consent(referral.referralId, 'employment'),
      periodic: await this.readiness.latestAssessment(referral.referralId),
    }));
    const latestAssessment = periodic
      ? { ...periodic, source: 'periodic assessment' }
      : { riskLevel: referral.riskLevel, conditionStatus: null, source: 'discharge assessment' };
    const failures = readinessFailures(
      { willing, employmentConsent: consent, latestAssessment },
      now,
      this.config.employmentMaxRiskLevel,
    );
    if (failures.length > 0) {
      throw new DomainException(
        'EMPLOYMENT_NOT_READY',
        'unprocessable',
        `Not ready for an employment referral: ${failures.map((f) => f.detail).join('; ')}`,
        { failedConditions: failures },
      );
    }
  }
}
