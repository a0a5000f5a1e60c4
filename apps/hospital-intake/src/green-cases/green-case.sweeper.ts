import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { PeriodicTask } from '@app/core';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { GreenLadderService } from './green-ladder.service';

/** Periodically moves on green cases whose acknowledgement window (by the injected Clock) has passed. */
@Injectable()
export class GreenCaseSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GreenCaseSweeper.name);
  private readonly task: PeriodicTask;

  constructor(ladder: GreenLadderService, @Inject(HOSPITAL_INTAKE_CONFIG) config: HospitalIntakeConfig) {
    this.task = new PeriodicTask(
      async () => {
        const n = await ladder.escalateOverdue();
        if (n > 0) this.logger.log(`moved on ${n} unanswered green case(s)`);
      },
      config.green.sweepIntervalMs,
      (e) => this.logger.warn(`green sweep: ${e.message}`),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }
}
