import 'reflect-metadata';
import { SERVICES } from '@app/contracts';
import { bootstrapService } from '@app/platform';
import { API_INFO } from './api-info';
import { AppModule } from './app.module';

void bootstrapService(SERVICES.hospitalIntake, AppModule.register(), API_INFO);
