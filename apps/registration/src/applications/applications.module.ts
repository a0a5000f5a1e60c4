import { VaultModule } from '../vault/vault.module';
import { NoticesModule } from '../notices/notices.module';
import { Module } from '@nestjs/common';
import { DivisionsModule } from '@app/divisions';
import { RegistrationsModule } from '../registrations/registrations.module';
import { ApplicationsController } from './applications.controller';
import { AssessmentRequestsRepository } from './assessment-requests.repository';
import { ApplicationsService } from './applications.service';

/** The other channels' applications: filing, verification and assessment by the county centre, views. */
@Module({
  imports: [NoticesModule, VaultModule, RegistrationsModule, DivisionsModule],
  controllers: [ApplicationsController],
  providers: [ApplicationsService, AssessmentRequestsRepository],
})
export class ApplicationsModule {}
