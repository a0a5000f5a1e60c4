import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { HospitalAdminController } from './hospital-admin.controller';
import { HospitalController } from './hospital.controller';
import { HospitalRepository } from './hospital.repository';
import { HospitalService } from './hospital.service';

@Module({
  imports: [DivisionsModule],
  controllers: [HospitalController, HospitalAdminController],
  providers: [HospitalRepository, HospitalService],
  exports: [HospitalService, HospitalRepository],
})
export class HospitalsModule {}
