import 'reflect-metadata';
import { SERVICES } from '@app/contracts';
import { bootstrapService } from '@app/platform';
import { AppModule } from './app.module';

void bootstrapService(SERVICES.rehabSite, AppModule.register(), {
  title: 'referral-bus rehab-site',
  description:
    'Site directory, routing with atomic capacity, site-facing delivery, decisions, service records.',
});
