import { Global, Module } from '@nestjs/common';
import { AuditRepository } from './audit.repository';
import { AuditTrail } from './audit-trail.service';

/**
 * The audit trail (service + repository). The query controller (`AuditEventsController`) is deliberately not
 * registered here: it must only be exposed behind the ops role guard (`@Roles('auditor')`).
 */
@Global()
@Module({
  providers: [AuditRepository, AuditTrail],
  exports: [AuditTrail],
})
export class AuditModule {}
