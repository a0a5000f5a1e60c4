import 'reflect-metadata';
import { SERVICES } from '@app/contracts';
import { bootstrapService } from '@app/platform';
import { AppModule } from './app.module';

void bootstrapService(SERVICES.registration, AppModule.register(), {
  title: 'referral-bus registration',
  description:
    'Applications from every channel, consent per purpose, the encrypted patient vault, registrations.',
});
