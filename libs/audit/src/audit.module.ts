import { Global, Module } from '@nestjs/common';
import { AuditEventsController } from './audit-events.controller';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail.service';
import { AuditRetention } from './audit-retention';

/** The audit trail (service + repository) and its ops query API (`GET /v1/audit-events`, auditors only). */
@Global()
@Module({
  controllers: [AuditEventsController],
  providers: [AuditRepository, AuditTrail, AuditRetention],
  exports: [AuditTrail, AuditRetention],
})
export class AuditModule {}
