export * from './audit-event';
export * from './audit.migration';
export * from './audit.repository';
export * from './audit-trail.service';
export * from './audit.module';
export * from './audit-events.controller';
export * from './dto/audit-query.dto';
