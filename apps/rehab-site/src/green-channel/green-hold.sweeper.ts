import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '@app/core';
import { REHAB_SITE_CONFIG, RehabSiteConfig } from '../config/rehab-site.config';
import { GreenChannelService } from './green-channel.service';

/** Periodically gives back the places of readmitted patients whose hold (by the injected Clock) ran out. */
@Injectable()
export class GreenHoldSweeper extends PeriodicSweeper {
  constructor(green: GreenChannelService, @Inject(REHAB_SITE_CONFIG) config: RehabSiteConfig) {
    super(
      GreenHoldSweeper.name,
      config.sweepIntervalMs,
      () => green.releaseExpiredHolds(),
      'held places given back',
    );
  }
}
