import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '@app/core';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { GreenLadderService } from './green-ladder.service';

/** Periodically moves on green cases whose acknowledgement window (by the injected Clock) has passed. */
@Injectable()
export class GreenCaseSweeper extends PeriodicSweeper {
  constructor(ladder: GreenLadderService, @Inject(HOSPITAL_INTAKE_CONFIG) config: HospitalIntakeConfig) {
    super(
      GreenCaseSweeper.name,
      config.green.sweepIntervalMs,
      () => ladder.escalateOverdue(),
      'unanswered green cases moved on',
    );
  }
}
