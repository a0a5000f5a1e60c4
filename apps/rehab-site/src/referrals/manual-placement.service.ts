import { Injectable } from '@nestjs/common';
import { AuditTrail } from '@app/audit';
import { Clock, DomainException } from '@app/core';
import { systemActor } from '@app/persistence';
import { SiteRepository } from '../directory/site.repository';
import { SiteNotifier } from '../webhooks/site-notifier.service';
import { ManualPlacementResultDto } from './dto/manual-placement.dto';
import { ReferralRepository } from './referral.repository';
import { RoutingService } from './routing.service';

/**
 * An ops admin places a referral that routing could not place (waiting at the county centre with
 * `needsManualPlacement`, or `unplaced`) at a chosen site. The place is taken by the same conditional update as
 * every assignment, so a full or closed site is refused (409) and never overbooked; the county centre's place
 * is given back and its access revoked; the chosen site is assigned as usual (`referral.assigned`, its notice,
 * its webhook). Audited as the ops user.
 */
@Injectable()
export class ManualPlacementService {
  constructor(
    private readonly referrals: ReferralRepository,
    private readonly sites: SiteRepository,
    private readonly routing: RoutingService,
    private readonly notifier: SiteNotifier,
    private readonly audit: AuditTrail,
    private readonly clock: Clock,
  ) {}

  place(referralId: string, siteId: string, userId: string): Promise<ManualPlacementResultDto> {
    return this.audit.audited(
      systemActor('manual-placement', userId),
      {
        type: 'rest',
        subtype: 'manual-placement',
        action: 'U',
        entityType: 'referral',
        entityId: referralId,
        purposeOfUse: 'HOPERAT',
      },
      async () => {
        const referral = await this.referrals.lock(referralId);
        if (!referral)
          throw new DomainException('REFERRAL_NOT_FOUND', 'not-found', `No referral ${referralId}`);
        // Unplaced, waiting at the county centre, or stopped because the patient refused (placed once they agree).
        const waiting =
          referral.status === 'unplaced' ||
          referral.status === 'patient-refused' ||
          (referral.status === 'assigned' && referral.needsManualPlacement);
        if (!waiting) {
          throw new DomainException(
            'NOT_AWAITING_MANUAL_PLACEMENT',
            'conflict',
            `Referral ${referralId} is ${referral.status} and does not need manual placement`,
            { status: referral.status },
          );
        }
        if (referral.siteId === siteId) {
          throw new DomainException(
            'ALREADY_AT_SITE',
            'conflict',
            `Referral ${referralId} is already at ${siteId}`,
          );
        }
        if (!(await this.sites.find(siteId))) {
          throw new DomainException('TARGET_SITE_NOT_FOUND', 'unprocessable', `No site ${siteId}`, {
            errors: [{ pointer: '#/siteId', detail: 'no such site' }],
          });
        }
        if (!(await this.sites.reservePlace(siteId))) {
          throw new DomainException(
            'TARGET_SITE_FULL',
            'conflict',
            `${siteId} has no free place or is not accepting`,
          );
        }
        const now = this.clock.now();
        if (referral.siteId) {
          if (referral.holdsPlace) await this.sites.releasePlace(referral.siteId);
          await this.notifier.revoked(
            { referralId, siteId: referral.siteId, reason: 'placed-manually', revokedAt: now.toISOString() },
            now,
          );
        }
        const hop = referral.hop + 1;
        await this.routing.assignTo(referral, siteId, hop, now);
        return { referralId, siteId, hop, status: 'assigned' };
      },
    );
  }
}
