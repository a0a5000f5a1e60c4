import { Inject, Injectable } from '@nestjs/common';
import { EmploymentUnplacedReason, EVENTS, OPS_ALERT_CODES, OpsAlertCode, SERVICES } from '@app/contracts';
import { DivisionDirectory } from '@app/divisions';
import { EventPublisher, raiseOpsAlert } from '@app/messaging';
import { EMPLOYMENT_REFERRAL_CONFIG, EmploymentReferralConfig } from '../config/employment-referral.config';
import { ProviderNotifier } from '../notices/provider-notifier.service';
import { ProviderRepository } from '../providers/provider.repository';
import { EmploymentOutcomes } from './employment-outcomes';
import { EmploymentReferralRecord, EmploymentReferralRepository } from './employment-referral.repository';

export const ALERT_CODES = {
  noEmploymentProvider: OPS_ALERT_CODES.NO_EMPLOYMENT_PROVIDER,
  retentionCheckOverdue: OPS_ALERT_CODES.RETENTION_CHECK_OVERDUE,
} as const;

/**
 * Employment routing: a provider serving the residence, its township or county, offering one of the wanted
 * programmes, accepting with a free place (reserved atomically), never one that declined this referral. Past
 * the hop limit or with no candidate the referral is unplaced and ops are alerted. Runs in the caller's
 * transaction, with the referral row locked by the caller.
 */
@Injectable()
export class EmploymentRoutingService {
  constructor(
    private readonly providers: ProviderRepository,
    private readonly referrals: EmploymentReferralRepository,
    private readonly publisher: EventPublisher,
    private readonly notifier: ProviderNotifier,
    private readonly outcomes: EmploymentOutcomes,
    private readonly divisions: DivisionDirectory,
    @Inject(EMPLOYMENT_REFERRAL_CONFIG) private readonly config: EmploymentReferralConfig,
  ) {}

  /** Offers the referral to the next provider; answers its id, or null when it is unplaced. */
  async route(referral: EmploymentReferralRecord, now: Date): Promise<string | null> {
    const hop = referral.hop + 1;
    if (hop > this.config.maxHops) return this.unplaced(referral, hop, 'hop-limit', now);
    const provider = await this.providers.reserveBestMatch({
      referralId: referral.referralId,
      areaCodes: this.divisions.ancestry(referral.residenceDivisionCode),
      programmes: referral.programmes,
    });
    if (!provider) return this.unplaced(referral, hop, 'no-provider', now);
    await this.referrals.assign(referral.referralId, provider.id, hop, now);
    const { referralId } = referral;
    await this.publisher.publish(
      EVENTS.employmentReferralReferred,
      {
        referralId,
        providerId: provider.id,
        providerName: provider.name,
        hop,
        referredAt: now.toISOString(),
      },
      { subject: referralId },
    );
    await this.outcomes.announce(referral, 'referred', now, { providerName: provider.name });
    await this.notifier.offered(
      {
        referralId,
        providerId: provider.id,
        programmes: referral.programmes,
        hop,
        offeredAt: now.toISOString(),
      },
      now,
    );
    return provider.id;
  }

  private async unplaced(
    referral: EmploymentReferralRecord,
    hop: number,
    reason: EmploymentUnplacedReason,
    now: Date,
  ): Promise<null> {
    const { referralId } = referral;
    await this.referrals.markUnplaced(referralId, hop, reason);
    await this.publisher.publish(
      EVENTS.employmentReferralUnplaced,
      { referralId, reason, hop, unplacedAt: now.toISOString() },
      { subject: referralId },
    );
    await this.outcomes.announce(referral, 'unplaced', now);
    await this.alert(
      ALERT_CODES.noEmploymentProvider,
      'warning',
      'No employment provider can take a referral: place it by hand',
      { referralId, reason, hop, divisionCode: referral.residenceDivisionCode.slice(0, 6) },
      now,
    );
    return null;
  }

  async alert(
    code: OpsAlertCode,
    severity: 'info' | 'warning' | 'critical',
    summary: string,
    details: Record<string, string | number | boolean>,
    now: Date,
  ): Promise<void> {
    await raiseOpsAlert(
      this.publisher,
      SERVICES.employmentReferral,
      { code, severity, summary, details },
      now,
    );
  }
}
