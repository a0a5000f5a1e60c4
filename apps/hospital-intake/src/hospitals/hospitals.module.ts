import { Module } from '@nestjs/common';
import { ApiKeyGuard } from './api-key.guard';
import { HospitalController } from './hospital.controller';
import { HospitalRepository } from './hospital.repository';
import { HospitalService } from './hospital.service';

@Module({
  controllers: [HospitalController],
  providers: [HospitalRepository, HospitalService, ApiKeyGuard],
  exports: [HospitalService, ApiKeyGuard],
})
export class HospitalsModule {}
