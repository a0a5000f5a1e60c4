import { Module } from '@nestjs/common';
import { RegistrationsModule } from '../registrations/registrations.module';
import { NoticeQueryService } from './notice-query.service';
import { NoticesController } from './notices.controller';
import { NoticesModule } from './notices.module';

/** A registration's notices for the registration office and ops; the SMS gateway's delivery receipts. */
@Module({
  imports: [NoticesModule, RegistrationsModule],
  controllers: [NoticesController],
  providers: [NoticeQueryService],
})
export class NoticeApiModule {}
