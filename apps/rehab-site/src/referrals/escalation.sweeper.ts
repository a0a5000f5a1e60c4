import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '@app/core';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { ReferralEscalationService } from './referral-escalation.service';

/** Periodically escalates assignments whose answer window (by the injected Clock) has passed. */
@Injectable()
export class EscalationSweeper extends PeriodicSweeper {
  constructor(escalation: ReferralEscalationService, @Inject(REHAB_SITE_CONFIG) config: RehabSiteConfig) {
    super(
      EscalationSweeper.name,
      config.sweepIntervalMs,
      () => escalation.escalateOverdue(),
      'overdue assignments escalated',
    );
  }
}
