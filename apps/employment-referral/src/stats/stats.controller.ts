import { Controller, Get, Param, Query } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiForbiddenResponse,
  ApiOkResponse,
  ApiSecurity,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import { OrgKinds, OwnOrganisationParam, Roles } from '@app/auth';
import { EmploymentStatsDto, EmploymentStatsQuery } from './dto/employment-stats.dto';
import { StatsService } from './stats.service';

@ApiTags('employment stats')
@ApiBearerAuth()
@ApiUnauthorizedResponse({ description: 'Missing or invalid ops JWT (problem+json).' })
@ApiForbiddenResponse({ description: 'Not ops-admin or ops-viewer.' })
@Roles('ops-admin', 'ops-viewer')
@Controller('v1/admin/employment-stats')
export class OpsStatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({ type: EmploymentStatsDto, description: 'IPS-style measures, all providers or one.' })
  get(@Query() query: EmploymentStatsQuery): Promise<EmploymentStatsDto> {
    return this.stats.forOps(query.providerId);
  }
}

@ApiTags('employment stats')
@ApiSecurity('api-key')
@ApiUnauthorizedResponse({ description: 'Missing or unknown provider API key (problem+json).' })
@OrgKinds('employment-provider')
@OwnOrganisationParam('providerId')
@Controller('v1/providers/:providerId/stats')
export class ProviderStatsController {
  constructor(private readonly stats: StatsService) {}

  @Get()
  @ApiOkResponse({ type: EmploymentStatsDto, description: "The provider's own measures." })
  get(@Param('providerId') providerId: string): Promise<EmploymentStatsDto> {
    return this.stats.forProvider(providerId);
  }
}
