import 'reflect-metadata';
import { SERVICES } from '@app/contracts';
import { bootstrapService } from '@app/platform';
import { AppModule } from './app.module';

void bootstrapService(SERVICES.opsMonitor, AppModule.register(), {
  title: 'referral-bus ops-monitor',
  description: 'Read model of every referral timeline, SLA breaches, dead letters and indicators.',
});
