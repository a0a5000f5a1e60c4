import 'reflect-metadata';
import { SERVICES } from '@app/contracts';
import { bootstrapService } from '@app/platform';
import { AppModule } from './app.module';

void bootstrapService(SERVICES.hospitalIntake, AppModule.register(), {
  title: 'referral-bus hospital-intake',
  description:
    'Discharge notices from hospital systems (JSON, FHIR R4, HL7v2, NATS), discharge assessment, hospital registry, green-channel cases.',
});
