import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { raw } from 'body-parser';
import { renderErrorsUnder, WorkingDayCalendar } from '@app/core';
import { renderOperationOutcome } from './channels/operation-outcome.filter';
import { DivisionsModule } from '@app/divisions';
import { HOSPITAL_INTAKE_CONFIG, HospitalIntakeConfig } from '../config/hospital-intake.config';
import { HospitalsModule } from '../hospitals/hospitals.module';
import { NoticesModule } from '../notices/notices.module';
import { TimelineModule } from '../timeline/timeline.module';
import { AssessmentService } from './assessment.service';
import { DischargeRequestResponder } from './discharge-request.responder';
import { DischargeController } from './discharge.controller';
import { DischargeRepository } from './discharge.repository';
import { COLOUR_GRADE_POLICY, DischargeService } from './discharge.service';
import { FhirController } from './fhir.controller';
import { Hl7Controller, HL7_MEDIA_TYPES } from './hl7.controller';
import { IntakeChannelsService } from './intake-channels.service';
import { MllpListener } from './mllp/mllp-listener';
import { OwnEventsController } from './own-events.controller';
import { ReferralRebuildService } from './referral-rebuild.service';
import { HeldDischargeController } from './held/held-discharge.controller';
import { HeldDischargeRepository } from './held/held-discharge.repository';
import { HeldDischargeService } from './held/held-discharge.service';
import { HeldDischargeSweeper } from './held/held-discharge.sweeper';

@Module({
  imports: [DivisionsModule, HospitalsModule, NoticesModule, TimelineModule],
  controllers: [
    DischargeController,
    FhirController,
    Hl7Controller,
    OwnEventsController,
    HeldDischargeController,
  ],
  providers: [
    {
      provide: COLOUR_GRADE_POLICY,
      inject: [HOSPITAL_INTAKE_CONFIG],
      useFactory: (config: HospitalIntakeConfig) => config.colourGrades,
    },
    // China's public holidays and make-up working days (the assessment deadline is in working days).
    { provide: WorkingDayCalendar, useFactory: () => new WorkingDayCalendar() },
    DischargeRepository,
    DischargeService,
    ReferralRebuildService,
    AssessmentService,
    IntakeChannelsService,
    DischargeRequestResponder,
    HeldDischargeRepository,
    HeldDischargeService,
    HeldDischargeSweeper,
    MllpListener,
  ],
})
export class DischargesModule implements NestModule {
  constructor() {
    // Errors on FHIR paths raised before the FHIR controller (invalid JSON, 413, unknown paths) are OperationOutcomes too.
    renderErrorsUnder('/v1/fhir', renderOperationOutcome);
    renderErrorsUnder('/fhir', renderOperationOutcome); // the deprecated alias, until LEGACY_SUNSET
  }

  configure(consumer: MiddlewareConsumer): void {
    // HL7v2 ER7 arrives as bytes in the character set MSH-18 names (GB 18030 from many HIS): read raw, decoded by
    // intake (hl7-charset.ts). The platform only parses JSON bodies. Same 256 kB limit.
    consumer.apply(raw({ type: HL7_MEDIA_TYPES, limit: '256kb' })).forRoutes(Hl7Controller);
  }
}
