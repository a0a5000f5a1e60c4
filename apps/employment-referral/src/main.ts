import 'reflect-metadata';
import { SERVICES } from '@app/contracts';
import { bootstrapService } from '@app/platform';
import { AppModule } from './app.module';

void bootstrapService(SERVICES.employmentReferral, AppModule.register(), {
  title: 'referral-bus employment-referral',
  description: 'Employment referrals of patients a site confirmed ready, and their stages.',
});
