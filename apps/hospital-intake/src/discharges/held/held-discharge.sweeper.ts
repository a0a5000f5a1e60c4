import { Inject, Injectable } from '@nestjs/common';
import { PeriodicSweeper } from '@app/core';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../../config/hospital-intake.config';
import { HeldDischargeService } from './held-discharge.service';

/** Periodically reports held discharges left incomplete past `INTAKE_HELD_ALERT_AFTER_HOURS` (by the Clock). */
@Injectable()
export class HeldDischargeSweeper extends PeriodicSweeper {
  constructor(held: HeldDischargeService, @Inject(HOSPITAL_INTAKE_CONFIG) config: HospitalIntakeConfig) {
    super(
      HeldDischargeSweeper.name,
      config.held.sweepIntervalMs,
      () => held.sweepIncomplete(),
      'incomplete held discharges reported',
    );
  }
}
