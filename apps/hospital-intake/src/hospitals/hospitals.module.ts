import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { HospitalController } from './hospital.controller';
import { HospitalRepository } from './hospital.repository';
import { HospitalService } from './hospital.service';

@Module({
  imports: [DivisionsModule],
  controllers: [HospitalController],
  providers: [HospitalRepository, HospitalService],
  exports: [HospitalService],
})
export class HospitalsModule {}
