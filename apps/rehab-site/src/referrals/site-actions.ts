import { Injectable } from '@nestjs/common';
import { Clock, DomainException } from '@app/core';
import { AuditEntry, AuditTrail, referralAudit } from '@app/audit';
import { Actor, organisationActor } from '@app/persistence';
import { ReferralActionResultDto } from './dto/referral.dto';
import { allowedActions, assertAllowed, ReferralStatus } from './referral-lifecycle';
import { ReferralRecord, ReferralRepository } from './referral.repository';

export function notFound(): DomainException {
  return new DomainException('REFERRAL_NOT_FOUND', 'not-found', 'No such referral for this site');
}

export const messagingAudit = (subtype: string, referralId: string): AuditEntry =>
  referralAudit('messaging', subtype, 'U', referralId);

/** A site's request acts for the site: row-level security shows it only the referrals it holds. */
export function siteActor(siteId: string): Actor {
  return organisationActor(siteId, 'rehab-site');
}

export const siteAudit = (subtype: string, action: 'R' | 'U', referralId: string): AuditEntry =>
  referralAudit('rest', subtype, action, referralId);

export type SiteAction = Parameters<typeof assertAllowed>[1];

/**
 * How every action of the holding site runs: audited as the site, on the referral locked and held by it (else
 * 404, as if it did not exist), refused with 409 and the allowed actions when the lifecycle does not allow it.
 */
@Injectable()
export class SiteActions {
  constructor(
    private readonly referrals: ReferralRepository,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  run(
    siteId: string,
    referralId: string,
    action: SiteAction,
    work: (referral: ReferralRecord, now: Date) => Promise<ReferralActionResultDto>,
  ): Promise<ReferralActionResultDto> {
    return this.audit.audited(siteActor(siteId), siteAudit(action, 'U', referralId), async () => {
      const referral = await this.referrals.lockHeldBy(siteId, referralId);
      if (!referral) throw notFound();
      assertAllowed(referral.status, action);
      return work(referral, this.clock.now());
    });
  }

  result(referralId: string, status: ReferralStatus): ReferralActionResultDto {
    return { referralId, status, allowedActions: allowedActions(status) };
  }
}
