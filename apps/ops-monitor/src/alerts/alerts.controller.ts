import { Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiConflictResponse,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { CurrentPrincipal, Principal, principalId, Roles } from '@app/auth';
import { AlertsService } from './alerts.service';
import { AlertDto, AlertListQuery, AlertPageDto } from './dto/alert.dto';

@ApiTags('alerts')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({
  description: 'Reads: ops-viewer or ops-admin; acknowledge: same; resolve: ops-admin.',
})
@Controller('v1/alerts')
export class AlertsController {
  constructor(private readonly alerts: AlertsService) {}

  @Get()
  @Roles('ops-viewer', 'ops-admin')
  @ApiOkResponse({ type: AlertPageDto, description: 'Newest first.' })
  async list(@Query() query: AlertListQuery): Promise<AlertPageDto> {
    const items = await this.alerts.list({
      status: query.status,
      code: query.code,
      county: query.county,
      limit: query.limit,
      before: query.beforeRaisedAt
        ? { raisedAt: new Date(query.beforeRaisedAt), id: query.beforeId ?? '' }
        : undefined,
    });
    return { items: items.map((a) => AlertDto.from(a)) };
  }

  @Post(':id/acknowledge')
  @HttpCode(200)
  @Roles('ops-viewer', 'ops-admin')
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ description: 'ALERT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ALERT_NOT_OPEN' })
  async acknowledge(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<AlertDto> {
    return AlertDto.from(await this.alerts.acknowledge(id, principalId(principal)));
  }

  @Post(':id/resolve')
  @HttpCode(200)
  @Roles('ops-admin')
  @ApiOkResponse({ type: AlertDto })
  @ApiNotFoundResponse({ description: 'ALERT_NOT_FOUND' })
  @ApiConflictResponse({ description: 'ALERT_ALREADY_RESOLVED' })
  async resolve(@Param('id') id: string, @CurrentPrincipal() principal: Principal): Promise<AlertDto> {
    return AlertDto.from(await this.alerts.resolve(id, principalId(principal)));
  }
}
