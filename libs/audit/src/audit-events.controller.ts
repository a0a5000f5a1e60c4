import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { AuditPage } from './audit-event';
import { AuditTrail } from './audit-trail.service';
import { AuditQueryDto } from './dto/audit-query.dto';

/**
 * `GET /audit-events` for ops auditors. NOT registered in any module on purpose: it must be wired together with
 * the ops authentication (`@Roles('auditor')` on the JWT guard), never exposed unauthenticated.
 */
@ApiTags('audit')
@Controller('audit-events')
export class AuditEventsController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @ApiOkResponse({ description: 'FHIR AuditEvent-shaped records, newest first, with nextCursor' })
  list(@Query() query: AuditQueryDto): Promise<AuditPage> {
    return this.audit.search(query);
  }
}
