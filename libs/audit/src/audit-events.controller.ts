import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Principal, Roles } from '@app/auth';
import { AuditPage } from './audit-event';
import { AuditTrail } from './audit-trail.service';
import { AuditQueryDto } from './dto/audit-query.dto';
import { versioned } from '@app/core';

/** `GET /v1/audit-events`: the service's audit trail, for ops users with the `auditor` role only. */
@ApiTags('audit')
@ApiBearerAuth()
@Controller(versioned('audit-events'))
export class AuditEventsController {
  constructor(private readonly audit: AuditTrail) {}

  @Get()
  @Roles('auditor')
  @ApiOkResponse({ description: 'FHIR AuditEvent-shaped records, newest first, with nextCursor' })
  list(@Query() query: AuditQueryDto, @CurrentPrincipal() principal: Principal): Promise<AuditPage> {
    return this.audit.search(query, principal.type === 'ops' ? principal.subject : undefined);
  }
}
